import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/core/canonical-json.js';

describe('canonicalJson', () => {
  it('sorts object keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('gives the same text for objects built in different orders', () => {
    const one = { program: 'mopac', task: 'optimize', method: 'PM7' };
    const two = { method: 'PM7', task: 'optimize', program: 'mopac' };
    expect(canonicalJson(one)).toBe(canonicalJson(two));
  });

  it('refuses numbers JSON cannot hold, naming where they are', () => {
    expect(() => canonicalJson({ a: [1, Number.NaN] })).toThrow('$.a[1]');
    expect(() => canonicalJson({ a: Infinity })).toThrow('non-finite');
  });
});
