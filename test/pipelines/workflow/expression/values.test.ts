import { describe, expect, it } from 'vitest';
import {
  formatPath,
  isJsonObject,
  isTruthy,
  jsonEqual,
  renderValue,
} from '../../../../src/pipelines/workflow/expression/values.js';

describe('JSON values as expressions see them', () => {
  it('compares objects by content, whatever the key order, and lists item by item', () => {
    expect(jsonEqual({ a: 1, b: [1, { c: null }] }, { b: [1, { c: null }], a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(jsonEqual({ a: 1, b: 2 }, { a: 1, c: 2 })).toBe(false);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual([], {})).toBe(false);
    expect(jsonEqual(null, {})).toBe(false);
  });

  it('counts only false, null, 0, "", [] and {} as false', () => {
    expect([false, null, 0, '', [], {}].map(isTruthy)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect([true, 1, 'x', [0], { a: null }, -0.5].map(isTruthy)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
    ]);
  });

  it('writes values as text: strings as they are, numbers as JavaScript does, the rest as JSON', () => {
    expect([
      renderValue('a b'),
      renderValue(1e-7),
      renderValue(0.1 + 0.2),
      renderValue(false),
    ]).toEqual(['a b', '1e-7', '0.30000000000000004', 'false']);
    expect(renderValue({ a: [1, 'x'] })).toBe('{"a":[1,"x"]}');
  });

  it('writes paths as the user would', () => {
    expect(formatPath(['steps', 'relax', 'result', 'files', 'out.txt', 0])).toBe(
      'steps.relax.result.files["out.txt"][0]',
    );
    expect(formatPath(['steps', 'dft-opt'])).toBe('steps["dft-opt"]');
  });

  it('takes only plain objects as objects', () => {
    expect(isJsonObject({})).toBe(true);
    expect(isJsonObject(Object.create(null) as Record<string, never>)).toBe(true);
    expect(isJsonObject([] as never)).toBe(false);
    expect(isJsonObject(new Map() as never)).toBe(false);
  });
});
