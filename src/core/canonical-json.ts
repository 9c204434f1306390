import { InputError } from './errors.js';

/**
 * Canonical JSON: object keys sorted, no whitespace, `undefined` members dropped, numbers in
 * JavaScript's shortest round-trip form. Two values that mean the same give the same text, so
 * its hash can serve as a cache key. Non-finite numbers and values JSON cannot hold are refused with an
 * `InputError` naming their path (`$.a[1]`).
 */
export function canonicalJson(value: unknown): string {
  return write(value, '$');
}

function write(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value))
        throw new InputError(path, `non-finite number ${String(value)} (JSON has none)`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value))
        return `[${value.map((v, i) => write(v, `${path}[${i}]`)).join(',')}]`;
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${write(v, `${path}.${k}`)}`).join(',')}}`;
    }
    default:
      throw new InputError(path, `cannot be written as JSON (${typeof value})`);
  }
}
