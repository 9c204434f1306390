import type { JsonValue } from '../../../core/calc-spec.js';
import { InputError } from '../../../core/errors.js';
import type { BinaryOperator, ExprNode } from './ast.js';
import { FUNCTIONS } from './functions.js';
import {
  formatPath,
  isJsonObject,
  isTruthy,
  jsonEqual,
  ownField,
  renderValue,
  typeName,
} from './values.js';

/** The names an expression can read, each a JSON value: `params`, `matrix`, `steps`. */
export type Scope = Readonly<Record<string, JsonValue>>;

type Path = (string | number)[];

// At most this many keys are listed when a field is missing.
const LISTED_KEYS = 12;

/** Evaluates a parsed expression against a scope; every failure is an InputError at `where`. */
export function evaluate(node: ExprNode, scope: Scope, where: string): JsonValue {
  return new Evaluator(scope, where).value(node);
}

class Evaluator {
  constructor(
    private readonly scope: Scope,
    private readonly where: string,
  ) {}

  value(node: ExprNode): JsonValue {
    switch (node.kind) {
      case 'literal':
        return node.value;
      case 'list':
        return node.items.map((item) => this.value(item));
      case 'name':
      case 'index':
        return this.access(node).value;
      case 'unary':
        return this.unary(node.operator, node.operand, node.column);
      case 'binary':
        return this.binary(node.operator, node.left, node.right, node.column);
      case 'call':
        return this.call(node.name, node.args, node.column);
    }
  }

  /** A name or an index chain, with the path it took when it starts at a name. */
  private access(node: ExprNode): { value: JsonValue; path: Path | undefined } {
    if (node.kind === 'name') {
      if (!Object.hasOwn(this.scope, node.name)) {
        const names = Object.keys(this.scope).join(', ');
        throw new InputError(this.where, `${node.name}: no such name; the names are ${names}`);
      }
      return { value: this.scope[node.name] as JsonValue, path: [node.name] };
    }
    if (node.kind !== 'index') return { value: this.value(node), path: undefined };
    const target = this.access(node.target);
    const key = this.value(node.key);
    const path =
      target.path === undefined
        ? undefined
        : [...target.path, typeof key === 'number' ? key : renderValue(key)];
    // Messages are built only on failure: this runs for every field read of every instance.
    const label = () => (target.path === undefined ? 'the value' : formatPath(target.path));
    const fail = (message: string): never => {
      const shown = path === undefined ? `column ${node.column}` : formatPath(path);
      throw new InputError(this.where, `${shown}: ${message}`);
    };
    const container = target.value;
    if (Array.isArray(container)) {
      if (typeof key !== 'number' || !Number.isInteger(key)) {
        return fail(`${label()} is a list; index it with a whole number, not ${typeName(key)}`);
      }
      const index = key < 0 ? container.length + key : key;
      if (index < 0 || index >= container.length) {
        const n = container.length;
        return fail(`no such index; ${label()} has ${n} item${n === 1 ? '' : 's'}`);
      }
      return { value: container[index] as JsonValue, path };
    }
    if (isJsonObject(container)) {
      if (typeof key !== 'string') {
        return fail(`${label()} is an object; index it with a string key, not ${typeName(key)}`);
      }
      const value = ownField(container, key);
      if (value === undefined) {
        const keys = Object.keys(container);
        const listed =
          keys.slice(0, LISTED_KEYS).join(', ') + (keys.length > LISTED_KEYS ? ', …' : '');
        return fail(
          keys.length === 0
            ? `no such field; ${label()} is empty`
            : `no such field; ${label()} has ${listed}`,
        );
      }
      return { value, path };
    }
    return fail(`${label()} is ${typeName(container)}, not an object or a list`);
  }

  private unary(operator: '-' | 'not', operand: ExprNode, column: number): JsonValue {
    const value = this.value(operand);
    if (operator === 'not') return !isTruthy(value);
    if (typeof value !== 'number')
      this.fail(column, `"-" expected a number, got ${typeName(value)}`);
    return -value;
  }

  private binary(
    operator: BinaryOperator,
    leftNode: ExprNode,
    rightNode: ExprNode,
    column: number,
  ): JsonValue {
    const left = this.value(leftNode);
    // and/or give back the operand that decided, as in Python: `params.label or "none"`.
    if (operator === 'and') return isTruthy(left) ? this.value(rightNode) : left;
    if (operator === 'or') return isTruthy(left) ? left : this.value(rightNode);
    const right = this.value(rightNode);
    switch (operator) {
      case '==':
        return jsonEqual(left, right);
      case '!=':
        return !jsonEqual(left, right);
      case '<':
      case '<=':
      case '>':
      case '>=':
        return this.compare(operator, left, right, column);
      case '+':
        if (typeof left === 'string' && typeof right === 'string') return left + right;
        if (typeof left === 'string' || typeof right === 'string') {
          return this.fail(
            column,
            `"+" joins two strings or adds two numbers, not ${typeName(left)} and ${typeName(right)}; convert with str() or float()`,
          );
        }
        return this.arithmetic(operator, left, right, column);
      default:
        return this.arithmetic(operator, left, right, column);
    }
  }

  private compare(
    operator: '<' | '<=' | '>' | '>=',
    left: JsonValue,
    right: JsonValue,
    column: number,
  ): boolean {
    const bothNumbers = typeof left === 'number' && typeof right === 'number';
    const bothStrings = typeof left === 'string' && typeof right === 'string';
    if (!bothNumbers && !bothStrings) {
      return this.fail(
        column,
        `"${operator}" compares two numbers or two strings, not ${typeName(left)} and ${typeName(right)}`,
      );
    }
    const [a, b] = [left, right] as [number | string, number | string];
    switch (operator) {
      case '<':
        return a < b;
      case '<=':
        return a <= b;
      case '>':
        return a > b;
      case '>=':
        return a >= b;
    }
  }

  private arithmetic(
    operator: '+' | '-' | '*' | '/' | '%',
    left: JsonValue,
    right: JsonValue,
    column: number,
  ): number {
    if (typeof left !== 'number' || typeof right !== 'number') {
      return this.fail(
        column,
        `"${operator}" expected two numbers, got ${typeName(left)} and ${typeName(right)}`,
      );
    }
    if ((operator === '/' || operator === '%') && right === 0)
      this.fail(column, `"${operator}" by zero`);
    let result: number;
    switch (operator) {
      case '+':
        result = left + right;
        break;
      case '-':
        result = left - right;
        break;
      case '*':
        result = left * right;
        break;
      case '/':
        result = left / right;
        break;
      case '%':
        // The remainder takes the divisor's sign, as in Python: -1 % 3 is 2.
        result = ((left % right) + right) % right;
        break;
    }
    if (!Number.isFinite(result))
      this.fail(column, `"${operator}" gave a number too large for JSON`);
    return result;
  }

  private call(name: string, argNodes: readonly ExprNode[], column: number): JsonValue {
    const fn = FUNCTIONS.get(name);
    // The parser admits only names of the table; this guards a hand-built node.
    if (fn === undefined) return this.fail(column, `unknown function ${name}`);
    const args = argNodes.map((a) => this.value(a));
    return fn(args, (message) => this.fail(column, message));
  }

  private fail(column: number, message: string): never {
    throw new InputError(this.where, `column ${column}: ${message}`);
  }
}
