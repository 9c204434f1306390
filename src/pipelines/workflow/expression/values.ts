import type { JsonValue } from '../../../core/calc-spec.js';

/** A JSON object, as read by an expression. */
export type JsonObject = Readonly<Record<string, JsonValue>>;

/**
 * Whether a value is a JSON object an expression may read keys of. Only plain objects (as JSON
 * and YAML readers make them) qualify: anything with another prototype is not data.
 */
export function isJsonObject(value: JsonValue): value is JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** The value's own key, or undefined: inherited properties (`constructor`, `__proto__` …) are not keys. */
export function ownField(object: JsonObject, key: string): JsonValue | undefined {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** "a number", "a list" …, for messages. */
export function typeName(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'number':
      return 'a number';
    case 'string':
      return 'a string';
    case 'boolean':
      return 'a boolean';
    default:
      return isJsonObject(value) ? 'an object' : 'a value that is not JSON data';
  }
}

/** Python's truthiness: false, null, 0, "", [] and {} are false, everything else true. */
export function isTruthy(value: JsonValue): boolean {
  if (value === null || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** Structural equality of two JSON values (key order does not matter). */
export function jsonEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return (
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((x, i) => jsonEqual(x, b[i] as JsonValue))
    );
  }
  if (
    typeof a !== 'object' ||
    typeof b !== 'object' ||
    a === null ||
    b === null ||
    Array.isArray(b)
  ) {
    return false;
  }
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k] as JsonValue, b[k] as JsonValue))
  );
}

/**
 * A value as text: a string as is, a number as JavaScript writes it, anything else as JSON
 * (`true`, `null`, `[1,2]`). Used by `str()` and by text with `${{ … }}` parts.
 */
export function renderValue(value: JsonValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

/** A path as the user would write it: `steps.relax.result.files["out.txt"][0]`. */
export function formatPath(path: readonly (string | number)[]): string {
  return path
    .map((key, i) => {
      if (typeof key === 'number') return `[${key}]`;
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return i === 0 ? key : `.${key}`;
      return `[${JSON.stringify(key)}]`;
    })
    .join('');
}
