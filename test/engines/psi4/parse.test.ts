import { describe, expect, it } from 'vitest';
import type { CalcSpec } from '../../../src/core/calc-spec.js';
import type { JobOutputs, Outcome } from '../../../src/core/job-spec.js';
import { parsePsi4 } from '../../../src/engines/psi4/parse.js';
import { exited, realFixture, spec } from '../real-fixtures.js';
import {
  hydroxyl,
  monomerAInDimerBasis,
  planarAmmonia,
  water,
  waterOptimized,
  waterStart,
} from './molecules.js';

const waterSpec = spec({
  program: 'psi4',
  task: 'energy',
  method: 'HF',
  basis: 'STO-3G',
  molecule: { atoms: water, charge: 0, multiplicity: 1 },
});
const ghostSpec: CalcSpec = {
  ...waterSpec,
  basis: '6-31g*',
  molecule: { atoms: monomerAInDimerBasis, charge: 0, multiplicity: 1 },
};

/** Outputs of a psi4 run: output.dat from a real fixture, result.json as given. */
function run(name: string, exitCode: number, result?: string): JobOutputs {
  const files: Record<string, string> = { 'output.dat': realFixture('psi4', `${name}.out`) };
  if (result !== undefined) files['result.json'] = result;
  return exited(exitCode, { files });
}

function failure(outcome: Outcome): { class: string; message: string } {
  if (outcome.ok) throw new Error('expected a failure');
  return outcome.failure;
}

describe('parsePsi4 on real psi4 1.3.2 outputs', () => {
  it('takes the energy of water_hf from result.json, the version from output.dat', () => {
    const outcome = parsePsi4(
      run('water_hf', 0, JSON.stringify({ psi4_version: '1.3.2', energy: -74.96331905258536 })),
      waterSpec,
    );
    expect(outcome).toEqual({
      ok: true,
      programVersion: '1.3.2',
      result: {
        total_energy_hartree: -74.96331905258536,
        method: 'hf',
        basis: 'sto-3g',
        charge: 0,
        multiplicity: 1,
      },
    });
  });

  it('reads monomer A in the dimer basis (ghost.out) as -76.0107201453607786 Eh', () => {
    const outcome = parsePsi4(
      run('ghost', 0, '{"psi4_version": "1.3.2", "energy": -76.01072014536078}'),
      ghostSpec,
    );
    expect(outcome.ok && outcome.result.total_energy_hartree).toBe(-76.0107201453607786);
  });

  it('reads the exact gradient of a run of its own input, ghost atoms included', () => {
    const gradientSpec: CalcSpec = { ...ghostSpec, task: 'gradient', basis: 'sto-3g' };
    const outcome = parsePsi4(
      run('water_ghost_grad', 0, realFixture('psi4', 'water_ghost_grad.result.json')),
      gradientSpec,
    );
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.result.total_energy_hartree).toBe(-74.96362911161424);
    const gradient = outcome.result.gradient_hartree_bohr as number[];
    expect(gradient).toHaveLength(18);
    expect(gradient[0]).toBe(0.019999034607247418);
    expect(gradient[9]).toBe(0.00017511299296142863);
    expect(gradient.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 10);
  });

  it('classifies fail_maxiter as scf_not_converged', () => {
    const f = failure(parsePsi4(run('fail_maxiter', 1), waterSpec));
    expect(f.class).toBe('scf_not_converged');
    expect(f.message).toContain('Could not converge SCF iterations in 2 iterations.');
  });

  it('classifies RHF for the OH radical (fail_mult) as spin_charge', () => {
    const radical = { ...waterSpec, molecule: { atoms: hydroxyl, charge: 0, multiplicity: 2 } };
    const f = failure(parsePsi4(run('fail_mult', 1), radical));
    expect(f.class).toBe('spin_charge');
    expect(f.message).toContain('Fatal Error: RHF: RHF reference is only for singlets.');
  });

  it('classifies an unknown basis set as input_error', () => {
    const f = failure(parsePsi4(run('fail_basis', 1), waterSpec));
    expect(f.class).toBe('input_error');
    expect(f.message).toContain('Unable to find a basis set for atom 1 for key BASIS');
  });

  it('is a parse_error when psi4 succeeded but result.json is missing, garbage or short', () => {
    expect(failure(parsePsi4(run('water_hf', 0), waterSpec)).class).toBe('parse_error');
    expect(failure(parsePsi4(run('water_hf', 0, '{"energy": '), waterSpec)).class).toBe(
      'parse_error',
    );
    const gradientSpec = { ...waterSpec, task: 'gradient' };
    const short = JSON.stringify({ energy: -74.9, gradient: [0, 0, 0] });
    expect(failure(parsePsi4(run('water_hf', 0, short), gradientSpec)).message).toContain(
      'no gradient of 9 numbers',
    );
  });

  it('reads a Hessian with the gradient psi4 computed before it, and refuses one without', () => {
    const hessianSpec = { ...waterSpec, task: 'hessian' };
    const gradient = Array.from({ length: 9 }, (_, i) => (i - 4) / 100);
    const hessian = Array.from({ length: 81 }, (_, i) => i / 1000);
    const both = JSON.stringify({ energy: -74.9, gradient, hessian });
    const outcome = parsePsi4(run('water_hf', 0, both), hessianSpec);
    expect(outcome.ok && outcome.result.gradient_hartree_bohr).toEqual(gradient);
    expect(outcome.ok && outcome.result.hessian_hartree_bohr2).toEqual(hessian);
    // A result.json of adapter 1 (Hessian only) is not a Hessian result any more.
    const old = JSON.stringify({ energy: -74.9, hessian });
    expect(failure(parsePsi4(run('water_hf', 0, old), hessianSpec)).message).toBe(
      'psi4: result.json has no gradient of 9 numbers',
    );
  });

  it('is a crash, with the exception line, for an error it cannot classify', () => {
    const output = `${realFixture('psi4', 'water_hf.out').split('*** Psi4 exiting')[0] ?? ''}
psi4.driver.p4util.exceptions.ManagedMethodError: Could not find a method
*** Psi4 encountered an error. Buy a developer more coffee!
`;
    const f = failure(parsePsi4(exited(1, { files: { 'output.dat': output } }), waterSpec));
    expect(f.class).toBe('crash');
    expect(f.message).toBe('psi4 stopped (exit 1): ManagedMethodError: Could not find a method');
  });

  it('reports a walltime kill as timeout and a missing program as program_missing', () => {
    const killed = { ...exited(143), exitCode: null, signal: 'SIGTERM', timedOut: true };
    expect(failure(parsePsi4(killed, waterSpec)).class).toBe('timeout');
    const missing = exited(127, { stderr: 'sh: 1: psi4: not found\n' });
    expect(failure(parsePsi4(missing, waterSpec)).class).toBe('program_missing');
  });
});

describe('parsePsi4 on real optimize and frequencies runs of its own inputs', () => {
  const taskSpec = (task: string, atoms = waterStart): CalcSpec => ({
    ...waterSpec,
    task,
    molecule: { atoms, charge: 0, multiplicity: 1 },
  });
  const fixture = (name: string): string => realFixture('psi4', `${name}.result.json`);

  it('reads the final energy, geometry (Å, input atom order) and step count of water_opt', () => {
    const outcome = parsePsi4(run('water_opt', 0, fixture('water_opt')), taskSpec('optimize'));
    if (!outcome.ok) throw new Error(outcome.failure.message);
    expect(outcome.result.total_energy_hartree).toBe(-74.96590105842805);
    expect(outcome.result.optimization_steps).toBe(4);
    expect(outcome.result.geometry).toEqual([
      { element: 'O', x: 0, y: -4.895007019574237e-16, z: 0.15114088384119653 },
      { element: 'H', x: 0, y: 0.7579360170904551, z: -0.48507044192059856 },
      { element: 'H', x: 0, y: -0.7579360170904547, z: -0.4850704419205981 },
    ]);
  });

  it('classifies a run past geom_maxiter (opt_maxiter, exit 1) as opt_not_converged, not SCF', () => {
    const f = failure(parsePsi4(run('opt_maxiter', 1), taskSpec('optimize')));
    expect(f.class).toBe('opt_not_converged');
    expect(f.message).toContain('within 2 energy and gradient evaluations');
    expect(f.message).toContain('geom_maxiter');
  });

  it('reads frequencies and psi4’s thermochemistry of water at its HF/STO-3G optimum', () => {
    const outcome = parsePsi4(
      run('water_freq', 0, fixture('water_freq')),
      taskSpec('frequencies', waterOptimized),
    );
    if (!outcome.ok) throw new Error(outcome.failure.message);
    expect(outcome.result).toMatchObject({
      total_energy_hartree: -74.96590119230024,
      frequencies_cm1: [2170.0463144051646, 4140.0028070560575, 4391.067211453655],
      imaginary_count: 0,
      zero_point_energy_hartree: 0.0243789366154647,
      enthalpy_correction_hartree: 0.028155954877018014,
      gibbs_correction_hartree: 0.00654408265277116,
      temperature_k: 298.15,
      pressure_pa: 101325,
    });
    // psi4 printed H and G (Eh, 8 decimals) in its thermo table.
    const out = realFixture('psi4', 'water_freq.out');
    const printed = (label: string): number =>
      Number(
        new RegExp(`Total ${label}, [\\w ]+? at +298\\.15 \\[K\\] +(-?\\d+\\.\\d+)`).exec(out)?.[1],
      );
    expect(outcome.result.enthalpy_hartree as number).toBeCloseTo(printed('H'), 8);
    expect(outcome.result.gibbs_free_energy_hartree as number).toBeCloseTo(printed('G'), 8);
  });

  it('reports the umbrella mode of planar ammonia as one negative (imaginary) frequency', () => {
    const outcome = parsePsi4(
      run('nh3_planar_freq', 0, fixture('nh3_planar_freq')),
      taskSpec('frequencies', planarAmmonia),
    );
    if (!outcome.ok) throw new Error(outcome.failure.message);
    expect(outcome.result.imaginary_count).toBe(1);
    const frequencies = outcome.result.frequencies_cm1 as number[];
    expect(frequencies).toHaveLength(6);
    expect(frequencies[0]).toBe(-1117.9313642900881);
  });

  it('calls a result.json without the task’s fields a parse_error', () => {
    const energyOnly = '{"psi4_version": "1.3.2", "energy": -74.9}';
    expect(failure(parsePsi4(run('water_opt', 0, energyOnly), taskSpec('optimize'))).class).toBe(
      'parse_error',
    );
    const noThermo = JSON.stringify({ energy: -74.9, frequencies_cm1: [2170] });
    const f = failure(parsePsi4(run('water_freq', 0, noThermo), taskSpec('frequencies')));
    expect(f).toEqual({ class: 'parse_error', message: 'psi4: result.json has no zpve' });
  });
});
