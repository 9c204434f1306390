import type { JsonValue } from '../../../core/calc-spec.js';
import { syntaxError } from './lexer.js';
import {
  evaluateExpression,
  expressionReferences,
  parseExpressionAt,
  type Expression,
  type ExpressionScope,
} from './expression.js';
import { isJsonObject, renderValue } from './values.js';

const OPEN = '${{';
const CLOSE = '}}';

/**
 * A string field of a workflow file that may hold `${{ … }}` parts: the text, and its pieces in
 * order, each literal text or an expression. A `}}` inside a quoted string of an expression does
 * not close it; there is no other escape (write `${{ '${{' }}` for the characters themselves).
 */
export interface Interpolation {
  readonly text: string;
  readonly parts: readonly (string | Expression)[];
}

/** Whether the text holds a `${{ … }}` part (or an unclosed `${{`, which parsing refuses). */
export function hasInterpolation(text: string): boolean {
  return text.includes(OPEN);
}

/** Splits a text into literal pieces and expressions; columns in errors count in the whole text. */
export function parseInterpolation(text: string, where: string): Interpolation {
  const parts: (string | Expression)[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf(OPEN, i);
    if (open < 0) {
      parts.push(text.slice(i));
      break;
    }
    if (open > i) parts.push(text.slice(i, open));
    const start = open + OPEN.length;
    const close = closing(text, start);
    if (close < 0) throw syntaxError(where, open + 1, `expected "}}" to close this "\${{"`);
    const source = text.slice(start, close);
    if (source.trim() === '')
      throw syntaxError(where, open + 1, 'expected an expression inside "${{ }}"');
    parts.push(parseExpressionAt(source, where, start));
    i = close + CLOSE.length;
  }
  return { text, parts };
}

/** The index of the `}}` closing an expression that starts at `start`, skipping quoted strings. */
function closing(text: string, start: number): number {
  let quote: string | undefined;
  for (let i = start; i < text.length; i++) {
    const c = text.charAt(i);
    if (quote !== undefined) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (text.startsWith(CLOSE, i)) {
      return i;
    }
  }
  return -1;
}

/** The paths every expression of the text reads, in order, without repeats. */
export function interpolationReferences(
  i: Interpolation,
): readonly (readonly (string | number)[])[] {
  const found = new Map<string, readonly (string | number)[]>();
  for (const part of i.parts) {
    if (typeof part === 'string') continue;
    for (const path of expressionReferences(part)) found.set(JSON.stringify(path), path);
  }
  return [...found.values()];
}

/**
 * A string that is exactly one `${{ e }}` evaluates to e's typed value; text with parts
 * evaluates to a string (each value rendered: numbers as JS does, strings as is, objects as
 * JSON); text without parts is itself.
 */
export function evaluateInterpolation(
  i: Interpolation,
  scope: ExpressionScope,
  where: string,
): JsonValue {
  const [only] = i.parts;
  if (i.parts.length === 1 && only !== undefined && typeof only !== 'string') {
    return evaluateExpression(only, scope, where);
  }
  return i.parts
    .map((part) =>
      typeof part === 'string' ? part : renderValue(evaluateExpression(part, scope, where)),
    )
    .join('');
}

/**
 * Every string inside a JSON value interpolated (keys are not). `where` names the value's field
 * (`wf.yaml:12: steps.relax.keywords`); a nested string's errors name its path below it
 * (`…keywords.ecutwfc`, `…argv[2]`).
 */
export function interpolateValue(
  value: JsonValue,
  scope: ExpressionScope,
  where: string,
): JsonValue {
  if (typeof value === 'string') {
    return hasInterpolation(value)
      ? evaluateInterpolation(parseInterpolation(value, where), scope, where)
      : value;
  }
  if (Array.isArray(value))
    return value.map((item, n) => interpolateValue(item, scope, `${where}[${n}]`));
  if (isJsonObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        interpolateValue(item, scope, `${where}.${key}`),
      ]),
    );
  }
  return value;
}

/**
 * The paths read by every string inside a JSON value, each string parsed (so a syntax error
 * anywhere is found, named as interpolateValue names it).
 */
export function valueReferences(
  value: JsonValue,
  where: string,
): readonly (readonly (string | number)[])[] {
  const found = new Map<string, readonly (string | number)[]>();
  const visit = (v: JsonValue, at: string): void => {
    if (typeof v === 'string') {
      if (!hasInterpolation(v)) return;
      for (const path of interpolationReferences(parseInterpolation(v, at))) {
        found.set(JSON.stringify(path), path);
      }
    } else if (Array.isArray(v)) {
      v.forEach((item, n) => {
        visit(item, `${at}[${n}]`);
      });
    } else if (isJsonObject(v)) {
      for (const [key, item] of Object.entries(v)) visit(item, `${at}.${key}`);
    }
  };
  visit(value, where);
  return [...found.values()];
}
