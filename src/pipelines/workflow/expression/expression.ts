import type { JsonValue } from '../../../core/calc-spec.js';
import type { ExprNode } from './ast.js';
import { evaluate } from './evaluate.js';
import { parse } from './parser.js';
import { references } from './references.js';

/** A parsed `${{ … }}` expression: its text, and a syntax tree only this module reads. */
export interface Expression {
  readonly source: string;
  readonly root: ExprNode;
}

/**
 * The names an expression reads, each a JSON value. A workflow gives `params` (the parameters'
 * values), `matrix` (this instance's sweep values) and `steps` (`steps.NAME.result` for the
 * finished steps this one needs).
 */
export type ExpressionScope = Readonly<Record<string, JsonValue>>;

/**
 * Parses an expression. A syntax error is an InputError at `where` saying
 * `column N: expected …`; columns count from 1 at the expression's first character.
 */
export function parseExpression(source: string, where: string): Expression {
  return parseExpressionAt(source, where, 0);
}

/** As parseExpression, for an expression starting after `offset` characters of a longer text. */
export function parseExpressionAt(source: string, where: string, offset: number): Expression {
  return { source, root: parse(source, where, offset) };
}

/**
 * The expression's value. A missing name, field or index, a wrong type for an operator or a
 * function, a division by zero, are InputErrors at `where` naming the path or column.
 */
export function evaluateExpression(
  expr: Expression,
  scope: ExpressionScope,
  where: string,
): JsonValue {
  return evaluate(expr.root, scope, where);
}

/**
 * Static paths an expression reads: each a list of constant keys from a root name, cut at the
 * first non-constant index, e.g. `[['steps','relax','result','structure'], ['params','x']]`.
 * In order of appearance, without repeats.
 */
export function expressionReferences(expr: Expression): readonly (readonly (string | number)[])[] {
  return references(expr.root);
}
