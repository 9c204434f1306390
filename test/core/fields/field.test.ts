import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { didYouMean } from '../../../src/core/fields/describe.js';
import {
  readJsonLineFields,
  readJsonLinesFields,
  readYamlFields,
} from '../../../src/core/fields/source.js';

const yaml = `name: water
count: 3
ratio: 0.5
flag: true
mode: packed
tags: [a, b]
nested:
  inner:
    depth: 7
`;

describe('reading typed fields of a YAML document', () => {
  const root = readYamlFields(yaml, 'in.yaml').requiredObject();

  it('reads every kind of value', () => {
    expect(root.get('name').string()).toBe('water');
    expect(root.get('count').integer({ min: 1 })).toBe(3);
    expect(root.get('ratio').number({ above: 0, max: 1 })).toBe(0.5);
    expect(root.get('flag').boolean()).toBe(true);
    expect(root.get('mode').oneOf(['single', 'array', 'packed'] as const)).toBe('packed');
    expect(root.get('tags').stringList()).toEqual(['a', 'b']);
    const inner = root.get('nested').requiredObject().get('inner').requiredObject();
    expect(inner.get('depth').integer()).toBe(7);
    expect(inner.path).toBe('nested.inner');
  });

  it('gives undefined for an absent field and refuses it when required, at the line of its mapping', () => {
    expect(root.get('missing').string()).toBeUndefined();
    expect(root.get('missing').present).toBe(false);
    const inner = root.get('nested').requiredObject().get('inner').requiredObject();
    expect(() => inner.get('width').requiredString()).toThrow(
      'in.yaml:9: nested.inner.width: required: expected a non-empty text',
    );
  });

  it('names file, line, field path, what was expected and what was found', () => {
    const cases: [() => unknown, string][] = [
      [() => root.get('name').integer(), 'in.yaml:1: name: expected a whole number, found "water"'],
      [
        () => root.get('count').integer({ min: 5 }),
        'in.yaml:2: count: expected a whole number ≥ 5, found 3',
      ],
      [
        () => root.get('count').integer({ min: 0, max: 2 }),
        'in.yaml:2: count: expected a whole number between 0 and 2, found 3',
      ],
      [() => root.get('ratio').integer(), 'in.yaml:3: ratio: expected a whole number, found 0.5'],
      [
        () => root.get('ratio').number({ above: 1 }),
        'in.yaml:3: ratio: expected a number > 1, found 0.5',
      ],
      [() => root.get('flag').string(), 'in.yaml:4: flag: expected a non-empty text, found true'],
      [() => root.get('name').boolean(), 'in.yaml:1: name: expected true or false, found "water"'],
      [
        () => root.get('mode').oneOf(['single', 'array', 'pack'] as const),
        'in.yaml:5: mode: expected one of single, array, pack, found "packed" (did you mean "pack"?)',
      ],
      [
        () => root.get('tags').object(),
        'in.yaml:6: tags: expected a mapping of keys to values, found a list',
      ],
      [() => root.get('nested').list(), 'in.yaml:8: nested: expected a list, found a mapping'],
    ];
    for (const [read, message] of cases) {
      let error: unknown;
      try {
        read();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).toBe(message);
    }
  });

  it('names the item of a list by its index and line', () => {
    const doc = readYamlFields('steps:\n  - one\n  - 2\n', 'l.yaml').requiredObject();
    expect(() => doc.get('steps').stringList()).toThrow(
      'l.yaml:3: steps[1]: expected a non-empty text, found 2',
    );
  });

  it('refuses an unknown key at its line, naming the closest known one and all of them', () => {
    const doc = readYamlFields('cores: 1\nwalltime: 60\n', 'r.yaml');
    expect(() => doc.object(['cores', 'walltime_s', 'memory_mb'])).toThrow(
      'r.yaml:2: walltime: unknown field (did you mean "walltime_s"?); expected one of: cores, walltime_s, memory_mb',
    );
  });

  it('names the line of a syntax error and of a duplicated key', () => {
    expect(() => readYamlFields('a: 1\nb: [unclosed\n', 's.yaml')).toThrow(
      /^s\.yaml:\d+: not valid YAML/,
    );
    expect(() => readYamlFields('a: 1\na: 2\n', 'd.yaml')).toThrow(/^d\.yaml:2: not valid YAML/);
    expect(() => readYamlFields('{"a": [1,\n', 'd.json')).toThrow(/^d\.json:\d+: not valid JSON/);
  });

  it('places the nodes of a JSON document at their lines too', () => {
    const doc = readYamlFields('{\n  "a": 1,\n  "b": "x"\n}\n', 'j.json').requiredObject();
    expect(() => doc.get('b').integer()).toThrow('j.json:3: b: expected a whole number, found "x"');
  });
});

describe('finding a field by its path', () => {
  const root = readYamlFields('molecule:\n  fragments:\n    - [0, 1]\n    - [2, 3]\n', 'm.yaml');

  it('places a present field at its line and an absent one at its deepest present parent', () => {
    expect(root.at('molecule.fragments[1]').place).toBe('m.yaml:4');
    expect(root.at('molecule.fragments[1]').value).toEqual([2, 3]);
    expect(root.at('molecule.fragments[5]').present).toBe(false);
    expect(root.at('molecule.fragments[5]').place).toBe('m.yaml:3');
    expect(root.at('molecule.charges').place).toBe('m.yaml:2');
  });
});

describe('reading JSON Lines', () => {
  it('places every field of a line at that line, skipping blank lines', () => {
    const lines = readJsonLinesFields('{"a": 1}\n\n{"a": "x"}\n', 'c.jsonl');
    expect(lines.map((l) => l.line)).toEqual([1, 3]);
    const third = lines[1]?.field.requiredObject();
    expect(() => third?.get('a').integer()).toThrow(
      'c.jsonl:3: a: expected a whole number, found "x"',
    );
  });

  it('accepts strict JSON only', () => {
    expect(() => readJsonLineFields("{a: 'x'}", 'c.jsonl', 4)).toThrow(
      /^c\.jsonl:4: not valid JSON/,
    );
    expect(() => readJsonLineFields('{"a": 1, "a": 2}', 'c.jsonl', 2)).toThrow(
      /^c\.jsonl:2: not valid/,
    );
  });
});

describe('did you mean', () => {
  it('names a near miss and nothing for a far one', () => {
    expect(didYouMean('walltime', ['cores', 'walltime_s'])).toBe(' (did you mean "walltime_s"?)');
    expect(didYouMean('corse', ['cores', 'walltime_s'])).toBe(' (did you mean "cores"?)');
    expect(didYouMean('colour', ['cores', 'walltime_s'])).toBe('');
  });
});
