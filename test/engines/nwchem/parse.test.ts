import { describe, expect, it } from 'vitest';
import type { Atom } from '../../../src/chem/molecule.js';
import type { CalcSpec } from '../../../src/core/calc-spec.js';
import type { Outcome } from '../../../src/core/job-spec.js';
import { parseNwchem } from '../../../src/engines/nwchem/parse.js';
import { monomerAInDimerBasis } from '../psi4/molecules.js';
import { exited, realFixture, spec } from '../real-fixtures.js';

const methane: Atom[] = [
  { element: 'C', x: 0, y: 0, z: 0 },
  { element: 'H', x: 0.629118, y: 0.629118, z: 0.629118 },
  { element: 'H', x: -0.629118, y: -0.629118, z: 0.629118 },
  { element: 'H', x: -0.629118, y: 0.629118, z: -0.629118 },
  { element: 'H', x: 0.629118, y: -0.629118, z: -0.629118 },
];
const methaneSpec = spec({
  program: 'nwchem',
  task: 'energy',
  method: 'B3LYP',
  basis: '6-31G*',
  molecule: { atoms: methane, charge: 0, multiplicity: 1 },
});

function run(name: string, exitCode: number, s: CalcSpec = methaneSpec): Outcome {
  const stderr = ['fail_conv', 'methane_dft'].includes(name)
    ? realFixture('nwchem', `${name}.stderr`)
    : '';
  return parseNwchem(exited(exitCode, { stdout: realFixture('nwchem', `${name}.out`), stderr }), s);
}

function failure(outcome: Outcome): { class: string; message: string } {
  if (outcome.ok) throw new Error('expected a failure');
  return outcome.failure;
}

describe('parseNwchem on real NWChem 7.0.2 outputs', () => {
  it('reads the B3LYP energy of methane and the version', () => {
    expect(run('methane_dft', 0)).toEqual({
      ok: true,
      programVersion: '7.0.2',
      result: {
        total_energy_hartree: -40.518351920078,
        method: 'b3lyp',
        basis: '6-31g*',
        charge: 0,
        multiplicity: 1,
      },
    });
  });

  it('reads the SCF energy and the gradient of every atom, ghost atoms included', () => {
    const s = spec({
      program: 'nwchem',
      task: 'gradient',
      method: 'hf',
      basis: 'sto-3g',
      molecule: { atoms: monomerAInDimerBasis, charge: 0, multiplicity: 1 },
    });
    const outcome = run('water_ghost_grad', 0, s);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.result.total_energy_hartree).toBe(-74.963543817578);
    expect(outcome.result.gradient_hartree_bohr).toEqual([
      0.019986, 0.053727, 0, 0.006804, -0.039688, 0, -0.027011, -0.014014, -0, 0.000176, -0.000019,
      -0, 0.000023, -0.000003, 0.000002, 0.000023, -0.000003, -0.000002,
    ]);
  });

  it('classifies fail_conv (exit 255, MPI_ABORT) as scf_not_converged', () => {
    const f = failure(run('fail_conv', 255));
    expect(f.class).toBe('scf_not_converged');
    expect(f.message).toContain('dft energy failed');
  });

  it('classifies fail_basis as input_error, naming the missing library file', () => {
    const f = failure(run('fail_basis', 255));
    expect(f.class).toBe('input_error');
    expect(f.message).toContain('/usr/share/nwchem/libraries/no-such-basis');
    expect(f.message).toContain('bas_tag_lib: failed opening basis file');
  });

  it('is a crash for any other exit 255, a parse_error for a gradient task without gradients', () => {
    const stdout = realFixture('nwchem', 'methane_dft.out');
    const f = failure(
      parseNwchem(exited(255, { stdout, stderr: 'MPI_ABORT was invoked\n' }), methaneSpec),
    );
    expect(f.class).toBe('crash');
    expect(failure(run('methane_dft', 0, { ...methaneSpec, task: 'gradient' })).class).toBe(
      'parse_error',
    );
  });
});
