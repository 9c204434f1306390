import { describe, expect, it } from 'vitest';
import type { CalcSpec } from '../../src/core/calc-spec.js';
import type { JobOutputs } from '../../src/core/job-spec.js';
import { getEngine } from '../../src/engines/registry.js';
import { waterOptimized, waterStart } from './psi4/molecules.js';
import { SMALL, STRAINED_SILICON, siBandsSpec, siSpec } from './qe/si.js';
import { ethanolAtoms, exited, realFixture, spec } from './real-fixtures.js';

/** The result fields a parse of real outputs gave that its engine does not declare for the task. */
function undeclared(s: CalcSpec, outputs: JobOutputs): string[] {
  const engine = getEngine(s.program);
  const outcome = engine.parse(outputs, s);
  if (!outcome.ok) throw new Error(`expected a result, got ${outcome.failure.message}`);
  const declared = engine.resultFields[s.task] ?? [];
  return Object.keys(outcome.result).filter((k) => !declared.includes(k));
}

const water = (task: string, atoms = waterStart) =>
  spec({
    program: 'nwchem',
    task,
    method: 'hf',
    basis: 'sto-3g',
    molecule: { atoms, charge: 0, multiplicity: 1 },
  });
const nwchem = (name: string): JobOutputs =>
  exited(0, {
    stdout: realFixture('nwchem', `${name}.out`),
    stderr: realFixture('nwchem', `${name}.stderr`),
  });
const qe = (name: string): JobOutputs => exited(0, { stdout: realFixture('qe', `${name}.out`) });

describe('every engine declares the result fields its real outputs give (Engine.resultFields)', () => {
  it('xtb energy and optimize', () => {
    const ethanol = spec({
      program: 'xtb',
      task: 'energy',
      molecule: { atoms: ethanolAtoms(), charge: 0, multiplicity: 1 },
    });
    expect(
      undeclared(
        ethanol,
        exited(0, {
          stdout: realFixture('xtb', 'ethanol_gfn2_sp.stdout'),
          stderr: 'normal termination of xtb\n',
        }),
      ),
    ).toEqual([]);
    expect(
      undeclared(
        { ...ethanol, task: 'optimize' },
        exited(0, {
          stdout: realFixture('xtb', 'ethanol_gfn2_opt.stdout'),
          stderr: realFixture('xtb', 'ethanol_gfn2_opt.stderr'),
          files: { 'xtbopt.xyz': realFixture('xtb', 'xtbopt.xyz') },
        }),
      ),
    ).toEqual([]);
  });

  it('NWChem optimize, frequencies and nmr', () => {
    expect(undeclared(water('optimize'), nwchem('water_opt'))).toEqual([]);
    expect(undeclared(water('frequencies', waterOptimized), nwchem('water_freq'))).toEqual([]);
    const methane = spec({
      program: 'nwchem',
      task: 'nmr',
      method: 'B3LYP',
      basis: '6-31G*',
      molecule: {
        atoms: [
          { element: 'C', x: 0, y: 0, z: 0 },
          { element: 'H', x: 0.629118, y: 0.629118, z: 0.629118 },
          { element: 'H', x: -0.629118, y: -0.629118, z: 0.629118 },
          { element: 'H', x: -0.629118, y: 0.629118, z: -0.629118 },
          { element: 'H', x: 0.629118, y: -0.629118, z: -0.629118 },
        ],
        charge: 0,
        multiplicity: 1,
      },
    });
    expect(undeclared(methane, nwchem('methane_nmr'))).toEqual([]);
  });

  it('qe scf, relax, vc-relax and bands', () => {
    expect(undeclared(siSpec('scf'), qe('si-scf'))).toEqual([]);
    expect(undeclared(siSpec('relax', SMALL, STRAINED_SILICON), qe('si-relax'))).toEqual([]);
    expect(undeclared(siSpec('vc-relax'), qe('si-vc-relax'))).toEqual([]);
    expect(undeclared(siBandsSpec(), qe('si-bands'))).toEqual([]);
  });
});
