import { describe, expect, it } from 'vitest';
import { readHeader } from '../../src/templates/header.js';
import { resolveValues } from '../../src/templates/values.js';

const HEADER = `{#---
engine: qe
task: scf
parameters:
  - {name: ecutwfc, type: float, default: 30, min: 10, max: 200, unit: Ry, help: cutoff}
  - {name: kpoints, type: int, default: 4, min: 1}
  - {name: smear, type: bool, default: false}
  - {name: occupations, type: choice, choices: [fixed, smearing], default: fixed}
  - {name: title, type: string, default: x}
  - {name: notes, type: string, multiline: true}
  - {name: structure, type: structure, required: true}
---#}
body
`;

describe('template headers', () => {
  it('reads engine, task and every parameter field', () => {
    const h = readHeader(HEADER, 'qe.j2');
    expect([h.engine, h.task]).toEqual(['qe', 'scf']);
    expect(h.parameters.map((p) => [p.name, p.type, p.default, p.required])).toEqual([
      ['ecutwfc', 'float', 30, false],
      ['kpoints', 'int', 4, false],
      ['smear', 'bool', false, false],
      ['occupations', 'choice', 'fixed', false],
      ['title', 'string', 'x', false],
      ['notes', 'string', undefined, false],
      ['structure', 'structure', undefined, true],
    ]);
    expect(h.parameters[0]).toMatchObject({ min: 10, max: 200, unit: 'Ry', help: 'cutoff' });
  });

  it('declares nothing for a file without a header', () => {
    expect(readHeader('SCF\n{{ x }}\n', 'plain.j2').parameters).toEqual([]);
  });

  it.each([
    [
      '{#---\nparameters:\n  - {name: a, type: integer}\n---#}',
      'plain.j2:3: parameters[0].type: expected one of int, float',
    ],
    [
      '{#---\nparameters:\n  - {name: a, type: int, default: 2.5}\n---#}',
      'plain.j2:3: parameters[0].default: expected a whole number',
    ],
    [
      '{#---\nparameters:\n  - {name: a, type: int, min: 5, max: 1}\n---#}',
      'plain.j2:3: parameters[0].max: max 1 is below min 5',
    ],
    ['{#---\nparameters:\n  - {name: a, type: choice}\n---#}', 'parameters[0].choices: required'],
    [
      '{#---\nparameters:\n  - {name: range, type: int}\n---#}',
      '"range" is a name of the template language',
    ],
    [
      '{#---\nparameters:\n  - {name: a, type: int}\n  - {name: a, type: int}\n---#}',
      'parameter "a" is declared twice',
    ],
    [
      '{#---\nparameters:\n  - {name: a, type: int, colour: red}\n---#}',
      'parameters[0].colour: unknown field',
    ],
    ['{#---\nengine: qe\n', 'plain.j2:1: the header has no closing line "---#}"'],
  ])('refuses a bad header in one line naming file, line and field (%#)', (text, message) => {
    expect(() => readHeader(text, 'plain.j2')).toThrow(message);
  });
});

describe('parameter values', () => {
  const params = readHeader(HEADER, 'qe.j2').parameters;
  const resolve = (set: Record<string, string>) =>
    resolveValues('qe-scf', params, set, {
      structure: {
        lattice_angstrom: [
          [1, 0, 0],
          [0, 1, 0],
          [0, 0, 1],
        ],
        sites: [{ element: 'Si', fractional: [0, 0, 0] }],
      },
    });

  it('reads --set texts by type and fills defaults', () => {
    const v = resolve({
      ecutwfc: '40.5',
      kpoints: '6',
      smear: 'yes',
      occupations: 'smearing',
      notes: 'a\nb',
    });
    expect(v).toMatchObject({
      ecutwfc: 40.5,
      kpoints: 6,
      smear: true,
      occupations: 'smearing',
      title: 'x',
      notes: 'a\nb',
    });
    expect(v.structure).toMatchObject({ nsites: 1, a: 1, alpha: 90, species: ['Si'] });
  });

  it.each([
    [
      { ecutwfc: '5' },
      'template qe-scf: parameter ecutwfc: expected a number between 10 and 200 (Ry), got "5"',
    ],
    [
      { kpoints: '2.5' },
      'template qe-scf: parameter kpoints: expected a whole number ≥ 1, got "2.5"',
    ],
    [{ smear: 'maybe' }, 'template qe-scf: parameter smear: expected true or false, got "maybe"'],
    [
      { occupations: 'tetra' },
      'template qe-scf: parameter occupations: expected one of fixed, smearing, got "tetra"',
    ],
    [
      { title: 'x\nK_POINTS gamma' },
      'template qe-scf: parameter title: expected one line of text (no line breaks), got "x\\nK_POINTS gamma"',
    ],
    [
      { nope: '1' },
      'template qe-scf: parameter nope: not declared by the template (it has: ecutwfc, kpoints',
    ],
  ])(
    'refuses %j in one line naming the template, the parameter and what was expected',
    (set, message) => {
      expect(() => resolve(set)).toThrow(message);
    },
  );

  it('asks for a required parameter without a value', () => {
    expect(() => resolveValues('qe-scf', params, {}, {})).toThrow(
      'template qe-scf: parameter structure: required: expected a crystal (a CIF file)',
    );
  });
});
