import { describe, expect, it } from 'vitest';
import type { Atom } from '../../../src/chem/molecule.js';
import type { CalcSpec } from '../../../src/core/calc-spec.js';
import type { Outcome } from '../../../src/core/job-spec.js';
import { psi4Engine } from '../../../src/engines/psi4/index.js';
import { hasProgram, runJobDirectly } from '../../helpers/run-job-directly.js';
import { spec } from '../real-fixtures.js';
import {
  hydroxyl,
  monomerAInDimerBasis,
  planarAmmonia,
  water,
  waterOptimized,
  waterStart,
} from './molecules.js';

const live = it.skipIf(!hasProgram('psi4'));
const PK = { psi4_keywords: { scf_type: 'pk' } };
const ONE_CORE = { cores: 1, walltime_s: 600 };

function run(s: CalcSpec): Record<string, unknown> {
  const outcome: Outcome = psi4Engine.parse(runJobDirectly(psi4Engine.prepare(s)), s);
  if (!outcome.ok) throw new Error(`${outcome.failure.class}: ${outcome.failure.message}`);
  expect(outcome.programVersion).toMatch(/^1\.\d+/);
  return outcome.result;
}

function psi4Spec(fields: Partial<CalcSpec>): CalcSpec {
  return spec({
    program: 'psi4',
    task: 'energy',
    method: 'hf',
    basis: 'sto-3g',
    molecule: { atoms: water, charge: 0, multiplicity: 1 },
    resources: { cores: 2, walltime_s: 600 },
    ...fields,
  });
}

// psi4 1.3.2's own bohr → Å factor, so Å coordinates read back as the same bohr values.
const BOHR_IN_ANGSTROM = 0.52917721067;

/**
 * The water trimer of QCManyBody's HF/STO-3G cases (`../shared/data/qcmb/`, bohr) and two of
 * its components, computed there by psi4 1.3.2 with the default density-fitted SCF.
 */
const TRIMER_BOHR = [
  -2.76373224, -1.24377706, -0.15444566, -1.12357791, -2.0622797, -0.05243799, -3.80792362,
  -2.08705525, 1.06090407, 2.46924614, -1.75437739, -0.17092884, 3.7636826, -2.21425403, 1.00846104,
  2.3059833, 0.07098445, -0.03942473, 0.2912793, 3.00875625, 0.20308515, -1.21253048, 1.958209,
  0.10303324, 0.10002049, 4.24958115, -1.10222079,
];
/** `["g_scf", [1], [1, 2, 3]]`: monomer 1 in the trimer basis. */
const G_1_IN_123 = {
  energy: -74.97042065762413,
  gradient: [
    -0.00593648569381533, -0.047621131935269845, 0.03907860696391802, -0.010347100666218023,
    0.015942116752984042, -0.009836153507381068, 0.011267107610452298, 0.023602980133910878,
    -0.02912041687088851, 0.00014898894805072177, 2.5243610635257276e-5, -2.2690925678664927e-5,
    1.0967306791810718e-5, 1.674295472430459e-6, -1.547966742196604e-6, 0.00020774583990700805,
    2.9486411734667284e-5, -3.2447676369036153e-5, 0.0005721019214233008, 0.00026655699060402566,
    2.9623520782855016e-5, 0.0040729700079924006, 0.007742331223527667, -9.312698978611246e-5,
    3.704726454508057e-6, 1.0742516536777496e-5, -1.8465478332187092e-6,
  ],
};

function trimerAtoms(real: readonly number[]): Atom[] {
  const elements = ['O', 'H', 'H'];
  return Array.from({ length: 9 }, (_, i) => ({
    element: elements[i % 3] ?? 'H',
    x: (TRIMER_BOHR[3 * i] ?? 0) * BOHR_IN_ANGSTROM,
    y: (TRIMER_BOHR[3 * i + 1] ?? 0) * BOHR_IN_ANGSTROM,
    z: (TRIMER_BOHR[3 * i + 2] ?? 0) * BOHR_IN_ANGSTROM,
    ...(real.includes(Math.floor(i / 3) + 1) ? {} : { ghost: true }),
  }));
}

describe('psi4, live', () => {
  live('computes the HF/STO-3G energy of water_hf.in (-74.96331905258536 Eh)', () => {
    const result = run(psi4Spec({ options: PK }));
    expect(result.total_energy_hartree as number).toBeCloseTo(-74.96331905258536, 8);
  });

  live('computes monomer A in the dimer basis with Gh() atoms as ghost.out did', () => {
    const result = run(
      psi4Spec({
        basis: '6-31G*',
        molecule: { atoms: monomerAInDimerBasis, charge: 0, multiplicity: 1 },
        options: PK,
      }),
    );
    expect(Math.abs((result.total_energy_hartree as number) - -76.0107201453607786)).toBeLessThan(
      1e-8,
    );
  });

  live('computes a water gradient of 3 × 3 values that sum to zero', () => {
    const result = run(psi4Spec({ task: 'gradient', options: PK }));
    const gradient = result.gradient_hartree_bohr as number[];
    expect(gradient).toHaveLength(9);
    for (const axis of [0, 1, 2]) {
      const sum = gradient.filter((_, i) => i % 3 === axis).reduce((a, b) => a + b, 0);
      expect(Math.abs(sum)).toBeLessThan(1e-8);
    }
    expect(result.total_energy_hartree as number).toBeCloseTo(-74.96331905258536, 8);
  });

  live('computes a symmetric 9 × 9 water Hessian, with the gradient task’s gradient', () => {
    const result = run(psi4Spec({ task: 'hessian', options: PK }));
    const gradient = run(psi4Spec({ task: 'gradient', options: PK })).gradient_hartree_bohr;
    const fromHessian = result.gradient_hartree_bohr as number[];
    expect(fromHessian).toHaveLength(9);
    fromHessian.forEach((g, i) => {
      expect(Math.abs(g - ((gradient as number[])[i] ?? Number.NaN))).toBeLessThan(1e-10);
    });
    const hessian = result.hessian_hartree_bohr2 as number[];
    expect(hessian).toHaveLength(81);
    for (let i = 0; i < 9; i++) {
      expect(hessian[i * 9 + i] ?? 0).not.toBe(0);
      for (let j = 0; j < i; j++) {
        expect(Math.abs((hessian[i * 9 + j] ?? 0) - (hessian[j * 9 + i] ?? 1))).toBeLessThan(1e-8);
      }
    }
  });

  live('runs the OH radical as a UHF doublet, energy and Hessian', () => {
    const molecule = { atoms: hydroxyl, charge: 0, multiplicity: 2 };
    const energy = run(psi4Spec({ molecule }));
    expect(energy.multiplicity).toBe(2);
    expect(energy.total_energy_hartree as number).toBeLessThan(-74);
    const hessian = run(
      psi4Spec({ task: 'hessian', molecule, resources: { cores: 1, walltime_s: 600 } }),
    );
    expect(hessian.hessian_hartree_bohr2 as number[]).toHaveLength(36);
    // Finite differences of gradients (UHF): the reference gradient comes back too.
    expect(hessian.gradient_hartree_bohr as number[]).toHaveLength(6);
    expect(hessian.total_energy_hartree as number).toBeCloseTo(
      energy.total_energy_hartree as number,
      8,
    );
  });

  live('reproduces a QCManyBody trimer component (monomer 1 in the trimer basis) to 1e-8', () => {
    const result = run(
      psi4Spec({
        task: 'gradient',
        molecule: { atoms: trimerAtoms([1]), charge: 0, multiplicity: 1 },
      }),
    );
    expect(Math.abs((result.total_energy_hartree as number) - G_1_IN_123.energy)).toBeLessThan(
      1e-8,
    );
    const gradient = result.gradient_hartree_bohr as number[];
    expect(gradient).toHaveLength(27);
    gradient.forEach((g, i) => {
      expect(Math.abs(g - (G_1_IN_123.gradient[i] ?? NaN))).toBeLessThan(1e-8);
    });
  });

  live('passes numeric keywords through (He dimer, conventional MP2/aug-cc-pVDZ, ghost)', () => {
    // QCManyBody he4 case, component ["(auto)", [1], [1, 2]]: He 1 with He 2 as a ghost, 2 Å.
    const atoms: Atom[] = [
      { element: 'He', x: 0, y: 0, z: 0 },
      { element: 'He', x: 0, y: 0, z: 3.77945225 * BOHR_IN_ANGSTROM, ghost: true },
    ];
    const result = run(
      psi4Spec({
        method: 'mp2',
        basis: 'aug-cc-pvdz',
        molecule: { atoms, charge: 0, multiplicity: 1 },
        options: {
          psi4_keywords: {
            scf_type: 'pk',
            mp2_type: 'conv',
            e_convergence: 1e-10,
            d_convergence: 1e-10,
          },
        },
      }),
    );
    expect(Math.abs((result.total_energy_hartree as number) - -2.882708609681477)).toBeLessThan(
      1e-8,
    );
  });

  live('adds external point charges: electrons and nuclei both feel them', () => {
    // −0.8 e on the O–H1 axis, 3 Å from O, 2.04 Å beyond H1.
    const options = { ...PK, external_charges: [[-0.8, 0, 0, 3]] };
    const plain = run(psi4Spec({ options: PK })).total_energy_hartree as number;
    const charged = run(psi4Spec({ options })).total_energy_hartree as number;
    const change = charged - plain;
    expect(Math.abs(change)).toBeGreaterThan(1e-3);
    expect(Math.abs(change)).toBeLessThan(0.1);
    // The nuclei–charge term alone is −1.462 Eh: the total includes it, largely cancelled by
    // the electrons' attraction, so what is left is the small polarisation-plus-dipole term.
    expect(Math.abs(change)).toBeLessThan(0.05);
  });

  live('optimises water (HF/STO-3G) to the minimum of water_opt and reports its steps', () => {
    const molecule = { atoms: waterStart, charge: 0, multiplicity: 1 };
    const result = run(psi4Spec({ task: 'optimize', molecule, options: PK, resources: ONE_CORE }));
    expect(result.total_energy_hartree as number).toBeCloseTo(-74.96590105842805, 8);
    expect(result.optimization_steps).toBe(4);
    const [o, h1, h2] = result.geometry as { x: number; y: number; z: number }[];
    const oh = (h?: { x: number; y: number; z: number }): number =>
      Math.hypot((h?.x ?? 0) - (o?.x ?? 0), (h?.y ?? 0) - (o?.y ?? 0), (h?.z ?? 0) - (o?.z ?? 0));
    // NWChem's tighter optimum: O–H 0.98941 Å.
    expect(oh(h1)).toBeCloseTo(0.9894, 3);
    expect(oh(h2)).toBeCloseTo(oh(h1), 8);
  });

  live('fails an optimisation stopped by geom_maxiter 2 as opt_not_converged', () => {
    const s = psi4Spec({
      task: 'optimize',
      molecule: { atoms: waterStart, charge: 0, multiplicity: 1 },
      options: { psi4_keywords: { scf_type: 'pk', geom_maxiter: 2 } },
      resources: ONE_CORE,
    });
    const outcome = psi4Engine.parse(runJobDirectly(psi4Engine.prepare(s)), s);
    expect(outcome.ok ? 'ok' : outcome.failure.class).toBe('opt_not_converged');
  });

  live('computes water frequencies and thermochemistry as the direct run of water_freq did', () => {
    const molecule = { atoms: waterOptimized, charge: 0, multiplicity: 1 };
    const result = run(
      psi4Spec({ task: 'frequencies', molecule, options: PK, resources: ONE_CORE }),
    );
    const frequencies = result.frequencies_cm1 as number[];
    [2170.0463144051646, 4140.0028070560575, 4391.067211453655].forEach((f, i) => {
      expect(frequencies[i]).toBeCloseTo(f, 4);
    });
    expect(result.imaginary_count).toBe(0);
    expect(result.zero_point_energy_hartree as number).toBeCloseTo(0.0243789366154647, 8);
    expect(result.gibbs_correction_hartree as number).toBeCloseTo(0.00654408265277116, 8);
  });

  live('flags the umbrella mode of planar ammonia as one imaginary frequency', () => {
    const molecule = { atoms: planarAmmonia, charge: 0, multiplicity: 1 };
    const result = run(
      psi4Spec({ task: 'frequencies', molecule, options: PK, resources: ONE_CORE }),
    );
    expect(result.imaginary_count).toBe(1);
    expect((result.frequencies_cm1 as number[])[0]).toBeCloseTo(-1117.93, 1);
  });

  live(
    'chains a B3LYP/6-31G optimisation into frequencies at its final geometry (a minimum)',
    () => {
      const start = { atoms: waterStart, charge: 0, multiplicity: 1 };
      const dft = { method: 'b3lyp', basis: '6-31g', resources: ONE_CORE };
      const opt = run(psi4Spec({ ...dft, task: 'optimize', molecule: start }));
      const atoms = opt.geometry as { element: string; x: number; y: number; z: number }[];
      const molecule = { atoms, charge: 0, multiplicity: 1 };
      const freq = run(psi4Spec({ ...dft, task: 'frequencies', molecule }));
      expect(freq.imaginary_count).toBe(0);
      expect(freq.frequencies_cm1 as number[]).toHaveLength(3);
      expect(freq.total_energy_hartree as number).toBeCloseTo(
        opt.total_energy_hartree as number,
        8,
      );
    },
    300_000,
  );
});
