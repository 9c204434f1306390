import { describe, expect, it } from 'vitest';
import { stepLine } from '../../../src/pipelines/workflow/step-line.js';
import type { StepDef } from '../../../src/pipelines/workflow/workflow-file.js';

/** A step as the file reader gives it, its calc fields as written. */
function step(calc: StepDef['calc'], sites: StepDef['sites'] = []): StepDef {
  return {
    name: 'next',
    where: 'wf.yaml:7: steps.next',
    place: 'wf.yaml:7',
    needs: [{ name: 'opt', where: 'wf.yaml:8: steps.next.needs[0]' }],
    when: undefined,
    from: undefined,
    calc,
    sites,
    wheres: {},
  };
}

const GEOMETRY = [
  { element: 'O', x: 0, y: 0, z: 0.1 },
  { element: 'H', x: 0, y: 0.75, z: -0.5 },
  { element: 'H', x: 0, y: -0.75, z: -0.5 },
];

const scope = (result: Record<string, unknown>) => ({
  params: { basis: 'sto-3g', n: 3 },
  matrix: { name: 'water' },
  steps: { opt: { state: 'succeeded', key: 'k'.repeat(64), result } },
});

describe('stepLine', () => {
  it('takes a whole result as the molecule: its geometry, charge and multiplicity', () => {
    const line = stepLine(
      step({ program: 'psi4', molecule: '${{ steps.opt.result }}', basis: '${{ params.basis }}' }, [
        {
          path: ['molecule'],
          where: 'wf.yaml:9: steps.next.molecule',
          text: '${{ steps.opt.result }}',
        },
        { path: ['basis'], where: 'wf.yaml:10: steps.next.basis', text: '${{ params.basis }}' },
      ]),
      scope({ geometry: GEOMETRY, charge: -1, multiplicity: 2 }) as never,
      'w/water/next',
    );
    expect(line.atoms).toEqual([
      { element: 'O', x: 0, y: 0, z: 0.1 },
      { element: 'H', x: 0, y: 0.75, z: -0.5 },
      { element: 'H', x: 0, y: -0.75, z: -0.5 },
    ]);
    expect([line.charge, line.multiplicity, line.basis, line.label]).toEqual([
      -1,
      2,
      'sto-3g',
      'w/water/next',
    ]);
  });

  it('keeps the charge a step states over its molecule’s, and writes numbers into texts', () => {
    const line = stepLine(
      step({ program: 'command', argv: ['echo', '${{ params.n }}', 'n=${{ params.n }}'] }, [
        { path: ['argv', 1], where: 'wf.yaml:9: steps.next.argv[1]', text: '${{ params.n }}' },
        { path: ['argv', 2], where: 'wf.yaml:9: steps.next.argv[2]', text: 'n=${{ params.n }}' },
      ]),
      scope({}) as never,
      'x',
    );
    expect(line.argv).toEqual(['echo', '3', 'n=3']);
    const charged = stepLine(
      step({ program: 'xtb', charge: 0, molecule: '${{ steps.opt.result }}' }, [
        {
          path: ['molecule'],
          where: 'wf.yaml:9: steps.next.molecule',
          text: '${{ steps.opt.result }}',
        },
      ]),
      scope({ geometry: GEOMETRY, charge: -1, multiplicity: 1 }) as never,
      'x',
    );
    expect(charged.charge).toBe(0);
  });

  it('passes a crystal an earlier step returned as the structure', () => {
    const structure = {
      lattice_angstrom: [
        [0, 2.7, 2.7],
        [2.7, 0, 2.7],
        [2.7, 2.7, 0],
      ],
      sites: [
        { element: 'Si', fractional: [0, 0, 0] },
        { element: 'Si', fractional: [0.25, 0.25, 0.25] },
      ],
    };
    const line = stepLine(
      step({ program: 'qe', task: 'scf', structure: '${{ steps.opt.result.structure }}' }, [
        {
          path: ['structure'],
          where: 'wf.yaml:9: steps.next.structure',
          text: '${{ steps.opt.result.structure }}',
        },
      ]),
      scope({ structure }) as never,
      'x',
    );
    expect(line.structure).toEqual(structure);
  });

  it('refuses a molecule that is no geometry, naming the step’s field', () => {
    expect(() =>
      stepLine(
        step({ program: 'xtb', molecule: '${{ steps.opt.result.charge }}' }, [
          {
            path: ['molecule'],
            where: 'wf.yaml:9: steps.next.molecule',
            text: '${{ steps.opt.result.charge }}',
          },
        ]),
        scope({ charge: 0 }) as never,
        'x',
      ),
    ).toThrow(
      /^wf\.yaml:7: steps\.next\.molecule: expected a geometry \[\{element, x, y, z\}, …\]/,
    );
  });
});
