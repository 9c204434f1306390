import type { JsonValue } from '../../../core/calc-spec.js';
import { isJsonObject, jsonEqual, renderValue, typeName } from './values.js';

/**
 * A function an expression may call: it gets its evaluated arguments and `fail`, which raises
 * the error (the evaluator adds where and column).
 */
type ExprFunction = (args: readonly JsonValue[], fail: (message: string) => never) => JsonValue;

const INTEGER_TEXT = /^[+-]?\d+$/;
// Fortran's D exponent (1.0D-03) is accepted: QC programs write it.
const FLOAT_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eEdD][+-]?\d+)?$/;

function arity(
  name: string,
  args: readonly JsonValue[],
  fail: (m: string) => never,
  min: number,
  max = min,
): void {
  if (args.length < min || args.length > max) {
    const wanted = min === max ? `${min}` : `${min} to ${max}`;
    fail(`${name}() takes ${wanted} argument${max === 1 ? '' : 's'}, got ${args.length}`);
  }
}

function number(name: string, value: JsonValue, fail: (m: string) => never): number {
  if (typeof value !== 'number') fail(`${name}() expected a number, got ${typeName(value)}`);
  return value;
}

function toInt(args: readonly JsonValue[], fail: (m: string) => never): number {
  arity('int', args, fail, 1);
  const x = args[0] as JsonValue;
  if (typeof x === 'number') return Math.trunc(x);
  if (typeof x === 'boolean') return x ? 1 : 0;
  if (typeof x === 'string') {
    const text = x.trim();
    if (!INTEGER_TEXT.test(text))
      fail(`int() expected a whole number, got the string ${JSON.stringify(x)}`);
    const value = Number(text);
    if (!Number.isSafeInteger(value)) fail(`int(): ${text} is too large to be exact`);
    return value;
  }
  return fail(`int() expected a number, a string or a boolean, got ${typeName(x)}`);
}

function toFloat(args: readonly JsonValue[], fail: (m: string) => never): number {
  arity('float', args, fail, 1);
  const x = args[0] as JsonValue;
  if (typeof x === 'number') return x;
  if (typeof x === 'boolean') return x ? 1 : 0;
  if (typeof x === 'string') {
    const text = x.trim();
    if (!FLOAT_TEXT.test(text))
      fail(`float() expected a number, got the string ${JSON.stringify(x)}`);
    const value = Number(text.replace(/[dD]/, 'e'));
    if (!Number.isFinite(value)) fail(`float(): ${text} is out of range`);
    return value;
  }
  return fail(`float() expected a number, a string or a boolean, got ${typeName(x)}`);
}

function toStr(args: readonly JsonValue[], fail: (m: string) => never): string {
  arity('str', args, fail, 1);
  return renderValue(args[0] as JsonValue);
}

function len(args: readonly JsonValue[], fail: (m: string) => never): number {
  arity('len', args, fail, 1);
  const x = args[0] as JsonValue;
  if (typeof x === 'string') return Array.from(x).length;
  if (Array.isArray(x)) return x.length;
  if (isJsonObject(x)) return Object.keys(x).length;
  return fail(`len() expected a string, a list or an object, got ${typeName(x)}`);
}

/**
 * Rounds at `digits` decimals (0 to 15) the number as it is written in decimal, halves away
 * from zero: 298.15 → 298.2 and 2.5 → 3, -2.5 → -3 (the binary value of 298.15, just below it,
 * would give 298.1, which nobody reading the number expects).
 */
function round(args: readonly JsonValue[], fail: (m: string) => never): number {
  arity('round', args, fail, 1, 2);
  const x = number('round', args[0] as JsonValue, fail);
  const digits = args.length === 2 ? number('round', args[1] as JsonValue, fail) : 0;
  if (!Number.isInteger(digits) || digits < 0 || digits > 15) {
    fail(`round() expected a whole number of decimals from 0 to 15, got ${digits}`);
  }
  // The shortest decimal that reads back as x, shifted by `digits` in decimal (exact for it).
  const [mantissa, exponent] = Math.abs(x).toExponential().split('e');
  const shifted = Number(`${mantissa ?? '0'}e${Number(exponent ?? '0') + digits}`);
  // Past 2^53 a double has no fraction left to round.
  if (!(shifted < 2 ** 53)) return x;
  // Both operands are exact, and a division is correctly rounded.
  const magnitude = Math.round(shifted) / 10 ** digits;
  return x < 0 ? -magnitude : magnitude;
}

function abs(args: readonly JsonValue[], fail: (m: string) => never): number {
  arity('abs', args, fail, 1);
  return Math.abs(number('abs', args[0] as JsonValue, fail));
}

/** min/max of several numbers, several strings, or one list of them. */
function extreme(name: 'min' | 'max'): ExprFunction {
  return (args, fail) => {
    const first = args[0];
    const values = args.length === 1 && Array.isArray(first) ? first : args;
    if (values.length === 0) fail(`${name}() expected at least one value`);
    const kind = typeof values[0];
    if ((kind !== 'number' && kind !== 'string') || values.some((v) => typeof v !== kind)) {
      fail(
        `${name}() expected numbers only or strings only, got ${values.map(typeName).join(', ')}`,
      );
    }
    return values.reduce((best, v) => {
      const better =
        name === 'min'
          ? (v as number | string) < (best as number | string)
          : (v as number | string) > (best as number | string);
      return better ? v : best;
    });
  };
}

function contains(args: readonly JsonValue[], fail: (m: string) => never): boolean {
  arity('contains', args, fail, 2);
  const [within, x] = args as [JsonValue, JsonValue];
  if (Array.isArray(within)) return within.some((item) => jsonEqual(item, x));
  if (typeof within === 'string') {
    if (typeof x !== 'string')
      fail(`contains() expected a string to look for in a string, got ${typeName(x)}`);
    return within.includes(x);
  }
  return fail(`contains() expected a list or a string to look in, got ${typeName(within)}`);
}

/** The only things an expression can call. A Map, so no inherited name is ever a function. */
export const FUNCTIONS: ReadonlyMap<string, ExprFunction> = new Map<string, ExprFunction>([
  ['int', toInt],
  ['float', toFloat],
  ['str', toStr],
  ['len', len],
  ['round', round],
  ['abs', abs],
  ['min', extreme('min')],
  ['max', extreme('max')],
  ['contains', contains],
]);

export function functionNames(): string[] {
  return [...FUNCTIONS.keys()];
}
