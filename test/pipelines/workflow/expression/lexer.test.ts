import { describe, expect, it } from 'vitest';
import { tokenize } from '../../../../src/pipelines/workflow/expression/lexer.js';

describe('splitting an expression into tokens', () => {
  it('gives each token its column, shifted by the offset of the expression in its text', () => {
    const tokens = tokenize('a.b >= 2.5e1', 'w', 10);
    expect(tokens.map((t) => [t.kind, 'value' in t ? t.value : null, t.column])).toEqual([
      ['name', 'a', 11],
      ['punct', '.', 12],
      ['name', 'b', 13],
      ['punct', '>=', 15],
      ['number', 25, 18],
      ['end', null, 23],
    ]);
  });

  it('notes whether whitespace comes before each token', () => {
    expect(tokenize('a-b - c', 'w').map((t) => t.spaced)).toEqual([
      false,
      false,
      false,
      true,
      true,
      false,
    ]);
  });

  it('reads ".5" after a value as a field access, elsewhere as a number', () => {
    expect(tokenize('x.5', 'w').map((t) => t.kind)).toEqual(['name', 'punct', 'number', 'end']);
    expect(tokenize('.5 + x[0].5', 'w').map((t) => ('value' in t ? t.value : t.kind))).toEqual([
      0.5,
      '+',
      'x',
      '[',
      0,
      ']',
      '.',
      5,
      'end',
    ]);
  });

  it('decodes string escapes and counts an error column in the whole text', () => {
    expect(tokenize(String.raw`'a\'b\\\u0041'`, 'w')[0]).toMatchObject({
      kind: 'string',
      value: "a'b\\A",
    });
    expect(() => tokenize(String.raw`"\x41"`, 'w', 4)).toThrow('w: column 6: expected an escape');
    expect(() => tokenize('1 @ 2', 'w', 4)).toThrow('w: column 7: unexpected character "@"');
  });
});
