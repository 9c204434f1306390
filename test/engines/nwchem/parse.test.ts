import { describe, expect, it } from 'vitest';
import type { Atom } from '../../../src/chem/molecule.js';
import type { CalcSpec } from '../../../src/core/calc-spec.js';
import type { Outcome } from '../../../src/core/job-spec.js';
import { parseNwchem } from '../../../src/engines/nwchem/parse.js';
import {
  monomerAInDimerBasis,
  planarAmmonia,
  waterOptimized,
  waterStart,
} from '../psi4/molecules.js';
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
  const stderr = [
    'fail_conv',
    'methane_dft',
    'water_opt',
    'water_freq',
    'opt_maxiter',
    'nh3_planar_freq',
  ].includes(name)
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

describe('parseNwchem on real optimize and frequencies runs of its own inputs', () => {
  const taskSpec = (task: string, atoms = waterStart): CalcSpec =>
    spec({
      program: 'nwchem',
      task,
      method: 'hf',
      basis: 'sto-3g',
      molecule: { atoms, charge: 0, multiplicity: 1 },
    });

  it('reads the converged geometry (Å, input order), energy and 5 evaluations of water_opt', () => {
    const outcome = run('water_opt', 0, taskSpec('optimize'));
    if (!outcome.ok) throw new Error(outcome.failure.message);
    expect(outcome.result).toEqual({
      ...outcome.result,
      total_energy_hartree: -74.965901192437,
      optimization_steps: 5,
      geometry: [
        { element: 'O', x: 0, y: 0, z: 0.1508683 },
        { element: 'H', x: 0, y: 0.75808043, z: -0.48493415 },
        { element: 'H', x: 0, y: -0.75808043, z: -0.48493415 },
      ],
    });
  });

  it('classifies a driver stopped at maxiter 2 (opt_maxiter, exit 255) as opt_not_converged', () => {
    const f = failure(run('opt_maxiter', 255, taskSpec('optimize')));
    expect(f.class).toBe('opt_not_converged');
    expect(f.message).toContain('within 3 energy and gradient evaluations');
  });

  it('reads projected frequencies and the vib module’s thermochemistry of water', () => {
    const outcome = run('water_freq', 0, taskSpec('frequencies', waterOptimized));
    if (!outcome.ok) throw new Error(outcome.failure.message);
    const energy = -74.965901192459;
    // G − H = −TS, S = 45.261 cal/mol·K as printed.
    const gibbs = 0.028143 - (298.15 * 45.261) / 1000 / 627.509474;
    expect(outcome.result).toMatchObject({
      total_energy_hartree: energy,
      frequencies_cm1: [2170.05, 4140.0, 4391.07],
      imaginary_count: 0,
      zero_point_energy_hartree: 0.024367,
      enthalpy_correction_hartree: 0.028143,
      enthalpy_hartree: energy + 0.028143,
      temperature_k: 298.15,
      pressure_pa: 101325,
    });
    expect(outcome.result.gibbs_correction_hartree as number).toBeCloseTo(gibbs, 12);
    expect(outcome.result.gibbs_free_energy_hartree as number).toBeCloseTo(energy + gibbs, 12);
  });

  it('keeps the imaginary umbrella mode of planar ammonia and drops the six projected ones', () => {
    const outcome = run('nh3_planar_freq', 0, taskSpec('frequencies', planarAmmonia));
    if (!outcome.ok) throw new Error(outcome.failure.message);
    expect(outcome.result.frequencies_cm1).toEqual([
      -1117.93, 1852.15, 1852.15, 4086.2, 4427.9, 4427.9,
    ]);
    expect(outcome.result.imaginary_count).toBe(1);
  });

  it('calls an optimisation without "Optimization converged" a parse_error', () => {
    const stdout = realFixture('nwchem', 'water_opt.out').replace('Optimization converged', '');
    const outcome = parseNwchem(exited(0, { stdout }), taskSpec('optimize'));
    expect(failure(outcome).class).toBe('parse_error');
  });
});

describe('parseNwchem on real GIAO shielding (task nmr) runs of its own inputs', () => {
  const water: Atom[] = [
    { element: 'O', x: 0, y: 0, z: 0.1173 },
    { element: 'H', x: 0, y: 0.7572, z: -0.4692 },
    { element: 'H', x: 0, y: -0.7572, z: -0.4692 },
  ];
  const nmrSpec = (atoms: Atom[], options?: CalcSpec['options']): CalcSpec =>
    spec({
      program: 'nwchem',
      task: 'nmr',
      method: 'B3LYP',
      basis: '6-31G*',
      molecule: { atoms, charge: 0, multiplicity: 1 },
      ...(options === undefined ? {} : { options }),
    });
  const nmr = (name: string, s: CalcSpec, stdout = realFixture('nwchem', `${name}.out`)): Outcome =>
    parseNwchem(exited(0, { stdout, stderr: realFixture('nwchem', `${name}.stderr`) }), s);
  const methaneShieldings = (carbon: number, hydrogen: number, anisotropy: number): unknown[] => [
    { index: 1, element: 'C', isotropic_ppm: carbon, anisotropy_ppm: 0 },
    ...[2, 3, 4, 5].map((index) => ({
      index,
      element: 'H',
      isotropic_ppm: hydrogen,
      anisotropy_ppm: anisotropy,
    })),
  ];

  it('reads every atom of methane in vacuum: 13C 194.3692 ppm, 1H 32.0221 ppm', () => {
    expect(nmr('methane_nmr', nmrSpec(methane))).toEqual({
      ok: true,
      programVersion: '7.0.2',
      result: {
        total_energy_hartree: -40.517622548339,
        shieldings_ppm: methaneShieldings(194.3692, 32.0221, 8.6507),
        solvent: 'vacuum',
        method: 'b3lyp',
        basis: '6-31g*',
        charge: 0,
        multiplicity: 1,
      },
    });
  });

  it('reads methane in COSMO chloroform, its solvent and its energy in the reaction field', () => {
    const outcome = nmr('methane_nmr_chcl3', nmrSpec(methane, { solvent: 'chloroform' }));
    if (!outcome.ok) throw new Error(outcome.failure.message);
    expect(outcome.result.total_energy_hartree).toBe(-40.517998850488);
    expect(outcome.result.solvent).toBe('chcl3');
    expect(outcome.result.shieldings_ppm).toEqual(methaneShieldings(195.3714, 32.0055, 8.7455));
  });

  it('reads water: O 324.0465 ppm (anisotropy 39.881), both H 32.3647 ppm (18.0082)', () => {
    const outcome = nmr('water_nmr', nmrSpec(water));
    if (!outcome.ok) throw new Error(outcome.failure.message);
    expect(outcome.result.shieldings_ppm).toEqual([
      { index: 1, element: 'O', isotropic_ppm: 324.0465, anisotropy_ppm: 39.881 },
      { index: 2, element: 'H', isotropic_ppm: 32.3647, anisotropy_ppm: 18.0082 },
      { index: 3, element: 'H', isotropic_ppm: 32.3647, anisotropy_ppm: 18.0082 },
    ]);
  });

  it('is a parse_error when the output lacks atoms, lists other elements or has no tensors', () => {
    const stdout = realFixture('nwchem', 'methane_nmr.out');
    const truncated = stdout.slice(0, stdout.indexOf('Atom:    5  H'));
    const lacking = failure(nmr('methane_nmr', nmrSpec(methane), truncated));
    expect(lacking.class).toBe('parse_error');
    expect(lacking.message).toContain('4 of the 5 input atoms');
    const swapped = methane.map((a, i) => (i === 1 ? { ...a, element: 'F' } : a));
    expect(failure(nmr('methane_nmr', nmrSpec(swapped))).message).toContain('in their order');
    const energyOnly = failure(nmr('methane_dft', nmrSpec(methane)));
    expect(energyOnly).toEqual({
      class: 'parse_error',
      message: 'NWChem: the output has no GIAO shielding tensors',
    });
  });
});
