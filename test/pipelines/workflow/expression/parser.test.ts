import { describe, expect, it } from 'vitest';
import { InputError } from '../../../../src/core/errors.js';
import { parseExpression } from '../../../../src/pipelines/workflow/expression/index.js';
import { failure, run } from './helpers.js';

describe('precedence and grouping', () => {
  it.each([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['10 - 4 - 3', 3],
    ['2 * 3 % 4', 2],
    ['-2 * 3', -6],
    ['- -2', 2],
    ['-(1 + 2)', -3],
    ['1 + 2 == 3', true],
    ['(1 < 2) == true', true],
    ['not 1 == 2', true],
    ['not true or true', true],
    ['not (true or true)', false],
    ['true or false and false', true],
    ['(true or false) and false', false],
    ['1 < 2 and 3 >= 3', true],
  ])('%s is %j', (source, expected) => {
    expect(run(source)).toEqual(expected);
  });

  it('reads literals: numbers, both quotes with escapes, true/false/null and lists', () => {
    expect(run('1.5e3')).toBe(1500);
    expect(run('.5')).toBe(0.5);
    expect(run(String.raw`'it\'s' + "a \"b\"\n\t\u00e9"`)).toBe("it's" + 'a "b"\n\té');
    expect(run('[1, "x", null, [true, false], ]')).toEqual([1, 'x', null, [true, false]]);
    expect(run('[]')).toEqual([]);
  });

  it('keeps the source text and nothing of the scope', () => {
    const e = parseExpression('params.x + 1', 'w');
    expect(e.source).toBe('params.x + 1');
  });
});

describe('syntax errors', () => {
  it.each([
    ['1 +', 'column 4: expected a value, found the end'],
    ['(1 + 2', 'column 7: expected ")" to close "("'],
    ['[1, 2', 'column 6: expected "]" to close the list'],
    ['a = 1', 'column 3: unexpected "="; compare with "=="'],
    ['a && b', 'column 3: unexpected "&"; write "and"'],
    ['a || b', 'column 3: unexpected "|"; write "or"'],
    ['!a', 'column 1: unexpected "!"; write "not"'],
    ['1 2', 'column 3: expected an operator or the end, found the number 2'],
    ['params.', 'column 8: expected a field name after "."'],
    [
      'params.1',
      'column 8: expected a field name after ".", found the number 1 (write ["…"] for other keys, [N] for a list index)',
    ],
    ['params.names[0].5', 'column 17: expected a field name after ".", found the number 5'],
    ["'open", "column 1: expected ' to close this string"],
    [String.raw`"\q"`, 'column 2: expected an escape'],
    ['1 < 2 < 3', 'column 7: expected "and" or "or" between two comparisons'],
    ['3x', 'column 1: expected an operator after the number 3'],
    ['+1', 'column 1: expected a value, found "+"'],
    ['and', 'column 1: expected a value, found "and"'],
    ['{"a": 1}', 'column 1: unexpected "{"'],
    ['', 'column 1: expected a value, found the end'],
    [
      'steps.dft-opt.result.energy',
      'column 7: a name with "-" is written ["dft-opt"] (e.g. steps["dft-opt"]); put spaces around "-" to subtract',
    ],
  ])('%j is refused: %s', (source, message) => {
    expect(failure(source)).toContain(`wf.yaml:4: ${message}`);
  });

  it('is an InputError naming where the expression is', () => {
    expect(() => parseExpression('1 +', 'wf.yaml:9: steps.scf.when')).toThrow(InputError);
    expect(() => parseExpression('1 +', 'wf.yaml:9: steps.scf.when')).toThrow(
      /^wf\.yaml:9: steps\.scf\.when: column 4:/,
    );
  });

  it('refuses nesting deeper than the parser allows instead of overflowing its stack', () => {
    expect(failure('('.repeat(200) + '1' + ')'.repeat(200))).toContain('levels of nesting');
    expect(failure('-'.repeat(200) + '1')).toContain('levels of nesting');
    expect(failure('not '.repeat(200) + 'true')).toContain('levels of nesting');
    expect(run('('.repeat(50) + '1' + ')'.repeat(50))).toBe(1);
  });

  it('refuses an expression of more than 1000 tokens, and evaluates one just below', () => {
    expect(run('1' + ' + 1'.repeat(499))).toBe(500);
    expect(failure('1' + ' + 1'.repeat(50000))).toContain(
      'column 1: expected at most 1000 operators, names and values in one expression, found 100001',
    );
  });
});

describe('names with "-"', () => {
  it('reads a key with "-" through ["…"], and subtracts when "-" is spaced or not glued to a field', () => {
    const s = { steps: { 'dft-opt': { result: { energy: -1 } } }, params: { a: 5, b: 2 } };
    expect(run('steps["dft-opt"].result.energy', s)).toBe(-1);
    expect(run('params.a - params.b', s)).toBe(3);
    expect(run('params.a -params.b', s)).toBe(3);
    expect(run('params.a-2', s)).toBe(3);
  });
});

describe('calls', () => {
  it('refuses an unknown function when parsing, listing the functions', () => {
    expect(failure('eval("1")')).toBe(
      'wf.yaml:4: column 1: unknown function eval; the functions are int, float, str, len, round, abs, min, max, contains',
    );
  });

  it('refuses calling anything that is not a function name', () => {
    expect(failure('params.cores()')).toContain('column 13: only functions can be called');
    expect(failure('(int)(1)')).toContain('only functions can be called');
    expect(failure('int(1)(2)')).toContain('column 7: only functions can be called');
  });
});
