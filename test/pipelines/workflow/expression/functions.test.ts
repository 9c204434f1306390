import { describe, expect, it } from 'vitest';
import { failure, run } from './helpers.js';

describe('int, float and str', () => {
  it('read numbers from strings after trimming surrounding whitespace', () => {
    expect(run('int(" 42\\n")')).toBe(42);
    expect(run('int("-7")')).toBe(-7);
    expect(run('float(steps.relax.result.files["out.txt"])')).toBe(3.25);
    expect(run('float("1.5e-3")')).toBe(0.0015);
    expect(run('float("-2.0D+02")')).toBe(-200);
    expect(run('int(steps.relax.result.files["n.txt"]) * 2')).toBe(14);
  });

  it('convert numbers and booleans', () => {
    expect(run('int(3.9)')).toBe(3);
    expect(run('int(-3.9)')).toBe(-3);
    expect(run('int(true)')).toBe(1);
    expect(run('float(2)')).toBe(2);
    expect(run('str(2.5) + "Ry"')).toBe('2.5Ry');
    expect(run('str(true)')).toBe('true');
    expect(run('str(null)')).toBe('null');
    expect(run('str([1, "a"])')).toBe('[1,"a"]');
    expect(run('str("x")')).toBe('x');
  });

  it('refuse text that is not a number, with the text quoted', () => {
    expect(failure('int("2.5")')).toBe(
      'wf.yaml:4: column 1: int() expected a whole number, got the string "2.5"',
    );
    expect(failure('int("")')).toContain('int() expected a whole number, got the string ""');
    expect(failure('float("3.2 eV")')).toBe(
      'wf.yaml:4: column 1: float() expected a number, got the string "3.2 eV"',
    );
    expect(failure('float("nan")')).toContain('got the string "nan"');
    expect(failure('float("Infinity")')).toContain('got the string "Infinity"');
    expect(failure('float("0x10")')).toContain('got the string "0x10"');
    expect(failure('int("99999999999999999999")')).toContain('too large to be exact');
    expect(failure('float("1e999")')).toContain('out of range');
  });

  it('refuse values that are not numbers, strings or booleans', () => {
    expect(failure('int(null)')).toContain(
      'int() expected a number, a string or a boolean, got null',
    );
    expect(failure('float([1])')).toContain(
      'float() expected a number, a string or a boolean, got a list',
    );
  });

  it('check how many arguments they get', () => {
    expect(failure('int()')).toContain('int() takes 1 argument, got 0');
    expect(failure('str(1, 2)')).toContain('str() takes 1 argument, got 2');
  });
});

describe('len, round, abs, min, max, contains', () => {
  it('len counts characters, items and keys', () => {
    expect(run('len("héllo")')).toBe(5);
    expect(run('len(params.names)')).toBe(2);
    expect(run('len(steps.relax.result.files)')).toBe(2);
    expect(failure('len(3)')).toContain(
      'len() expected a string, a list or an object, got a number',
    );
  });

  it('round rounds halves away from zero, to n decimals', () => {
    expect(run('round(2.5)')).toBe(3);
    expect(run('round(-2.5)')).toBe(-3);
    expect(run('round(2.4)')).toBe(2);
    expect(run('round(3.14159, 2)')).toBe(3.14);
    expect(run('round(-15.8049, 3)')).toBe(-15.805);
    expect(run('round(298.15, 1)')).toBe(298.2);
    expect(run('round(1.005, 2)')).toBe(1.01);
    expect(run('round(-2.675, 2)')).toBe(-2.68);
    expect(run('round(1e-7, 3)')).toBe(0);
    expect(run('round(1.5e300, 2)')).toBe(1.5e300);
    expect(run('round(123456.7)')).toBe(123457);
    expect(run('round(12345678.123456789, 15)')).toBe(12345678.123456789);
    expect(run('round(0.1 + 0.2, 15)')).toBe(0.3);
    expect(failure('round(1, -1)')).toContain(
      'round() expected a whole number of decimals from 0 to 15, got -1',
    );
    expect(failure('round(1, 2, 3)')).toContain('round() takes 1 to 2 arguments, got 3');
    expect(failure('round("1")')).toContain('round() expected a number, got a string');
  });

  it('abs gives the magnitude', () => {
    expect(run('abs(steps.relax.result.energy)')).toBe(15.8);
    expect(failure('abs("1")')).toContain('abs() expected a number, got a string');
  });

  it('min and max take several values or one list, all numbers or all strings', () => {
    expect(run('min(3, 1, 2)')).toBe(1);
    expect(run('max([3, 1, 2])')).toBe(3);
    expect(run('max(params.names)')).toBe('b');
    expect(run('min(5)')).toBe(5);
    expect(failure('min([])')).toContain('min() expected at least one value');
    expect(failure('max(1, "a")')).toContain(
      'max() expected numbers only or strings only, got a number, a string',
    );
    expect(failure('max([null])')).toContain('got null');
  });

  it('contains finds an item of a list (compared as values) or a piece of a string', () => {
    expect(run('contains(params.names, "b")')).toBe(true);
    expect(run('contains([[1, 2]], [1, 2])')).toBe(true);
    expect(run('contains([1], "1")')).toBe(false);
    expect(run('contains(matrix.structure, ".cif")')).toBe(true);
    expect(failure('contains("abc", 1)')).toContain(
      'contains() expected a string to look for in a string, got a number',
    );
    expect(failure('contains(params, "cores")')).toContain(
      'contains() expected a list or a string to look in, got an object',
    );
  });
});
