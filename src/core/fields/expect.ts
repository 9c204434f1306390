/**
 * The checks behind every typed field reader, on plain values: the value when it is of the
 * expected kind, else what was expected, in the words every input error uses
 * (`expected a whole number ≥ 1, found "two"`; see describe.ts for the found part).
 */
export type Checked<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly expected: string };

/** How a text may look: empty or not (default not), on one line or several (default any). */
export interface TextOptions {
  readonly allowEmpty?: boolean;
  readonly oneLine?: boolean;
}

/** Bounds of a number: `min`/`max` inclusive, `above` exclusive. */
export interface NumberRange {
  readonly min?: number;
  readonly max?: number;
  readonly above?: number;
}

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const no = (expected: string): Checked<never> => ({ ok: false, expected });

export function checkText(v: unknown, options: TextOptions = {}): Checked<string> {
  if (typeof v !== 'string' || (options.allowEmpty !== true && v.trim() === '')) {
    return no(options.allowEmpty === true ? 'a text' : 'a non-empty text');
  }
  if (options.oneLine === true && v.includes('\n')) return no('one line of text');
  return ok(v);
}

export function checkNumber(v: unknown, range: NumberRange = {}): Checked<number> {
  if (typeof v !== 'number' || !Number.isFinite(v) || !inRange(v, range)) {
    return no(`a number${rangeText(range)}`);
  }
  return ok(v);
}

export function checkInteger(v: unknown, range: NumberRange = {}): Checked<number> {
  if (typeof v !== 'number' || !Number.isInteger(v) || !inRange(v, range)) {
    return no(`a whole number${rangeText(range)}`);
  }
  return ok(v);
}

export function checkBoolean(v: unknown): Checked<boolean> {
  return typeof v === 'boolean' ? ok(v) : no('true or false');
}

export function checkList(v: unknown, options: { nonEmpty?: boolean } = {}): Checked<unknown[]> {
  if (!Array.isArray(v) || (options.nonEmpty === true && v.length === 0)) {
    return no(options.nonEmpty === true ? 'a non-empty list' : 'a list');
  }
  return ok(v as unknown[]);
}

export function checkMapping(v: unknown): Checked<Readonly<Record<string, unknown>>> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    return no('a mapping of keys to values');
  }
  return ok(v as Record<string, unknown>);
}

function inRange(v: number, r: NumberRange): boolean {
  return (
    (r.min === undefined || v >= r.min) &&
    (r.max === undefined || v <= r.max) &&
    (r.above === undefined || v > r.above)
  );
}

function rangeText(r: NumberRange): string {
  if (r.min !== undefined && r.max !== undefined) return ` between ${r.min} and ${r.max}`;
  if (r.min !== undefined) return ` ≥ ${r.min}`;
  if (r.above !== undefined) return ` > ${r.above}`;
  if (r.max !== undefined) return ` ≤ ${r.max}`;
  return '';
}
