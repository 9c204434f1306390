import type { JsonValue } from '../../../core/calc-spec.js';

/** The operators between two values; `and`/`or` short-circuit. */
export type BinaryOperator =
  '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%' | 'and' | 'or';

/**
 * A parsed expression. Every node keeps the column where it starts, so that an evaluation error
 * can point at it.
 */
export type ExprNode =
  | { readonly kind: 'literal'; readonly value: JsonValue; readonly column: number }
  | { readonly kind: 'list'; readonly items: readonly ExprNode[]; readonly column: number }
  /** A root name of the scope: `params`, `matrix`, `steps`. */
  | { readonly kind: 'name'; readonly name: string; readonly column: number }
  /** `object.key`, `object["key"]`, `list[index]`. */
  | {
      readonly kind: 'index';
      readonly target: ExprNode;
      readonly key: ExprNode;
      readonly column: number;
    }
  | {
      readonly kind: 'unary';
      readonly operator: '-' | 'not';
      readonly operand: ExprNode;
      readonly column: number;
    }
  | {
      readonly kind: 'binary';
      readonly operator: BinaryOperator;
      readonly left: ExprNode;
      readonly right: ExprNode;
      readonly column: number;
    }
  /** A call of a function of the fixed table (functions.ts); nothing else can be called. */
  | {
      readonly kind: 'call';
      readonly name: string;
      readonly args: readonly ExprNode[];
      readonly column: number;
    };
