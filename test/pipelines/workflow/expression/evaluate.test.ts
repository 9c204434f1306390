import { describe, expect, it } from 'vitest';
import { failure, run, scope } from './helpers.js';

describe('operators', () => {
  it('compares numbers with numbers and strings with strings', () => {
    expect(run('params.ecutwfc >= 25')).toBe(true);
    expect(run('params.ecutwfc < 25')).toBe(false);
    expect(run('"abc" < "abd"')).toBe(true);
    expect(run('matrix.structure > "a"')).toBe(true);
  });

  it('refuses to order values of different types, naming both', () => {
    expect(failure('1 < "2"')).toBe(
      'wf.yaml:4: column 3: "<" compares two numbers or two strings, not a number and a string',
    );
    expect(failure('null >= 0')).toContain('not null and a number');
    expect(failure('[1] > [0]')).toContain('not a list and a list');
  });

  it('tests equality of any two values, different types being unequal', () => {
    expect(run('1 == "1"')).toBe(false);
    expect(run('1 != "1"')).toBe(true);
    expect(run('null == false')).toBe(false);
    expect(run('[1, [2, "x"]] == [1, [2, "x"]]')).toBe(true);
    expect(run('steps.relax.result.structure == steps["relax"].result.structure')).toBe(true);
    expect(run('1.0 == 1')).toBe(true);
  });

  it('does arithmetic on numbers and joins strings with +', () => {
    expect(run('params.ecutwfc * 2 + 1')).toBe(51);
    expect(run('7 / 2')).toBe(3.5);
    expect(run('7 % 3')).toBe(1);
    expect(run('-7 % 3')).toBe(2);
    expect(run('7 % -3')).toBe(-2);
    expect(run('"si" + "-" + "bands"')).toBe('si-bands');
  });

  it('refuses arithmetic on other types, a division by zero and an overflow', () => {
    expect(failure('"a" + 1')).toBe(
      'wf.yaml:4: column 5: "+" joins two strings or adds two numbers, not a string and a number; convert with str() or float()',
    );
    expect(failure('true * 2')).toContain('"*" expected two numbers, got a boolean and a number');
    expect(failure('-"a"')).toContain('column 1: "-" expected a number, got a string');
    expect(failure('1 / 0')).toContain('column 3: "/" by zero');
    expect(failure('1 % 0')).toContain('"%" by zero');
    expect(failure('1e308 * 10')).toContain('too large');
  });

  it('uses Python truthiness for not, and, or', () => {
    for (const falsy of ['false', 'null', '0', '""', '[]', 'params.label'])
      expect(run(`not ${falsy}`)).toBe(true);
    for (const truthy of ['true', '1', '-1', '"0"', '[0]', 'params'])
      expect(run(`not ${truthy}`)).toBe(false);
    expect(run('not {}'.replace('{}', 'steps.relax.result.structure.sites'))).toBe(true);
  });

  it('gives back the deciding operand of and/or, so or gives defaults', () => {
    expect(run('params.label or "unnamed"')).toBe('unnamed');
    expect(run('matrix.structure or "unnamed"')).toBe('si.cif');
    expect(run('0 and 1')).toBe(0);
    expect(run('1 and "x"')).toBe('x');
  });

  it('short-circuits: the right side of and/or is not evaluated when the left decides', () => {
    expect(run('false and steps.missing.result')).toBe(false);
    expect(run('true or 1 / 0')).toBe(true);
    expect(failure('true and steps.missing.result')).toContain('steps.missing: no such field');
  });
});

describe('reading fields and items', () => {
  it('reads fields with . and ["key"], items with [N] from the end when negative', () => {
    expect(run('steps.relax.result.energy')).toBe(-15.8);
    expect(run('steps["relax"]["result"].files["out.txt"]')).toBe(' 3.25\n');
    expect(run('params.names[0]')).toBe('a');
    expect(run('params.names[-1]')).toBe('b');
    expect(run('params.names[matrix.row - 2]')).toBe('b');
    expect(run('[10, 20, 30][-3]')).toBe(10);
    expect(run('steps.relax.result.structure.cell[0][0]')).toBe(5.43);
  });

  it('names the missing path and what is there instead', () => {
    expect(failure('steps.relax.result.structur')).toBe(
      'wf.yaml:4: steps.relax.result.structur: no such field; steps.relax.result has energy, structure, converged, files, exit_code',
    );
    expect(failure('steps.relax.result.files["err.txt"]')).toBe(
      'wf.yaml:4: steps.relax.result.files["err.txt"]: no such field; steps.relax.result.files has out.txt, n.txt',
    );
    expect(failure('parms.x')).toBe(
      'wf.yaml:4: parms: no such name; the names are params, matrix, steps',
    );
    expect(failure('params.names[2]')).toBe(
      'wf.yaml:4: params.names[2]: no such index; params.names has 2 items',
    );
    expect(failure('params.names[-3]')).toContain('params.names[-3]: no such index');
    expect(failure('steps.relax.result.structure.sites[0]')).toContain(
      'no such index; steps.relax.result.structure.sites has 0 items',
    );
  });

  it('says when a value is indexed the wrong way', () => {
    expect(failure('params.names.first')).toBe(
      'wf.yaml:4: params.names.first: params.names is a list; index it with a whole number, not a string',
    );
    expect(failure('params.names[0.5]')).toContain('index it with a whole number, not a number');
    expect(failure('params[0]')).toBe(
      'wf.yaml:4: params[0]: params is an object; index it with a string key, not a number',
    );
    expect(failure('params.ecutwfc.unit')).toBe(
      'wf.yaml:4: params.ecutwfc.unit: params.ecutwfc is a number, not an object or a list',
    );
    expect(failure('matrix.structure[0]')).toContain(
      'matrix.structure is a string, not an object or a list',
    );
    expect(failure('[1][5]')).toContain('column 4: no such index; the value has 1 item');
  });

  it('lists at most twelve keys of a large object', () => {
    const big = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i]));
    const message = failure('big.nope', { big });
    expect(message).toContain('big has k0, k1, k2, k3, k4, k5, k6, k7, k8, k9, k10, k11, …');
    expect(message).not.toContain('k12');
  });

  it('mentions an empty object', () => {
    expect(failure('e.x', { e: {} })).toBe('wf.yaml:4: e.x: no such field; e is empty');
  });
});

describe('nothing reaches JavaScript internals', () => {
  it.each([
    'params.constructor',
    'params.__proto__',
    'params["__proto__"]',
    'params.prototype',
    'params.toString',
    'params.hasOwnProperty',
    'params.valueOf',
    'params["constructor"]["constructor"]',
    'steps.relax.__defineGetter__',
  ])('%s is an ordinary missing field', (source) => {
    expect(failure(source)).toMatch(
      /: no such field; params has|: no such field; steps\.relax has/,
    );
  });

  it('reads no inherited property of a list or a string', () => {
    expect(failure('[].constructor')).toContain(
      'is a list; index it with a whole number, not a string',
    );
    expect(failure('params.names.length')).toContain(
      'params.names is a list; index it with a whole number',
    );
    expect(failure('params.names["map"]')).toContain('is a list');
    expect(failure('matrix.structure.length')).toContain(
      'matrix.structure is a string, not an object or a list',
    );
  });

  it('calls nothing but the function table', () => {
    expect(failure('x.constructor.constructor("return process")()')).toContain(
      'column 26: only functions can be called',
    );
    expect(failure('constructor("return process")')).toContain('unknown function constructor');
    expect(failure('toString()')).toContain('unknown function toString');
    expect(failure('__proto__()')).toContain('unknown function __proto__');
  });

  it('finds no root name among inherited properties of the scope', () => {
    expect(failure('constructor')).toBe(
      'wf.yaml:4: constructor: no such name; the names are params, matrix, steps',
    );
    expect(failure('__proto__.polluted')).toContain('__proto__: no such name');
    expect(failure('toString')).toContain('no such name');
  });

  it('reads a JSON "__proto__" key as data when the object really has it', () => {
    const data = JSON.parse('{"__proto__": {"x": 1}}') as Record<string, { x: number }>;
    expect(run('d["__proto__"].x', { d: data })).toBe(1);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('treats an object that is not plain data as no object', () => {
    const odd = { d: new Date(0) as unknown as string };
    expect(failure('d.getTime', odd)).toContain(
      'd is a value that is not JSON data, not an object or a list',
    );
  });

  it('leaves the scope unchanged', () => {
    const before = JSON.stringify(scope);
    run('steps.relax.result.structure.cell[0] == [5.43, 0, 0] and len(params.names) == 2');
    expect(JSON.stringify(scope)).toBe(before);
  });
});
