import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CalcSpec } from '../../../src/core/calc-spec.js';
import type { Outcome } from '../../../src/core/job-spec.js';
import { nwchemEngine } from '../../../src/engines/nwchem/index.js';
import { psi4Engine } from '../../../src/engines/psi4/index.js';
import { hasProgram, runJobDirectly } from '../../helpers/run-job-directly.js';
import {
  hydroxyl,
  monomerAInDimerBasis,
  planarAmmonia,
  water,
  waterOptimized,
  waterStart,
} from '../psi4/molecules.js';
import { spec } from '../real-fixtures.js';

const live = it.skipIf(!hasProgram('nwchem'));

function run(s: CalcSpec): Outcome {
  return nwchemEngine.parse(runJobDirectly(nwchemEngine.prepare(s)), s);
}

function result(s: CalcSpec): Record<string, unknown> {
  const outcome = run(s);
  if (!outcome.ok) throw new Error(`${outcome.failure.class}: ${outcome.failure.message}`);
  expect(outcome.programVersion).toMatch(/^7\.\d+/);
  return outcome.result;
}

function nwSpec(fields: Partial<CalcSpec>): CalcSpec {
  return spec({
    program: 'nwchem',
    task: 'energy',
    method: 'hf',
    basis: 'sto-3g',
    molecule: { atoms: water, charge: 0, multiplicity: 1 },
    resources: { cores: 1, walltime_s: 600 },
    ...fields,
  });
}

describe('nwchem, live', () => {
  live('computes the HF/STO-3G water energy psi4 computes (water_hf)', () => {
    // Same basis, exact integrals both; only the bohr constants differ (NWChem's is older).
    const energy = result(nwSpec({})).total_energy_hartree as number;
    expect(Math.abs(energy - -74.96331905258536)).toBeLessThan(1e-5);
  });

  live('computes an HF/STO-3G water gradient of 3 × 3 values that sum to zero', () => {
    const r = result(nwSpec({ task: 'gradient' }));
    const gradient = r.gradient_hartree_bohr as number[];
    expect(gradient).toHaveLength(9);
    for (const axis of [0, 1, 2]) {
      const sum = gradient.filter((_, i) => i % 3 === axis).reduce((a, b) => a + b, 0);
      expect(Math.abs(sum)).toBeLessThan(5e-6);
    }
    expect(gradient.some((g) => Math.abs(g) > 1e-3)).toBe(true);
  });

  live('computes monomer A in the dimer basis with bq ghost atoms as psi4 does (ghost.out)', () => {
    const energy = result(
      nwSpec({
        basis: '6-31g*',
        molecule: { atoms: monomerAInDimerBasis, charge: 0, multiplicity: 1 },
      }),
    ).total_energy_hartree as number;
    expect(Math.abs(energy - -76.0107201453607786)).toBeLessThan(1e-7);
    const alone = result(
      nwSpec({
        basis: '6-31g*',
        molecule: { atoms: monomerAInDimerBasis.slice(0, 3), charge: 0, multiplicity: 1 },
      }),
    ).total_energy_hartree as number;
    // The ghost basis lowers the monomer energy (the basis set superposition error).
    expect(energy).toBeLessThan(alone - 1e-4);
  });

  live('runs the OH radical as a UHF doublet and as a DFT doublet gradient', () => {
    const molecule = { atoms: hydroxyl, charge: 0, multiplicity: 2 };
    expect(result(nwSpec({ molecule })).total_energy_hartree as number).toBeLessThan(-74);
    const dft = result(nwSpec({ method: 'b3lyp', task: 'gradient', molecule }));
    expect(dft.gradient_hartree_bohr as number[]).toHaveLength(6);
  });

  live('fails an unknown basis set as input_error', () => {
    const outcome = run(nwSpec({ basis: 'no-such-basis' }));
    expect(outcome.ok ? 'ok' : outcome.failure.class).toBe('input_error');
  });

  it.skipIf(!hasProgram('nwchem') || !hasProgram('psi4'))(
    'adds external point charges as psi4 does: the same energy change, nuclei–charge term included',
    () => {
      // −0.8 e on the O–H1 axis, 3 Å from O (2.04 Å beyond H1); both programs count its
      // interaction with the nuclei (−1.462 Eh here) in the total energy.
      const charges = { external_charges: [[-0.8, 0, 0, 3]] };
      const psi4 = (options: CalcSpec['options']): number => {
        const s = nwSpec({
          program: 'psi4',
          options: { ...options, psi4_keywords: { scf_type: 'pk' } },
        });
        const outcome = psi4Engine.parse(runJobDirectly(psi4Engine.prepare(s)), s);
        if (!outcome.ok) throw new Error(outcome.failure.message);
        return outcome.result.total_energy_hartree as number;
      };
      const nw = (options: CalcSpec['options']): number =>
        result(nwSpec(options === undefined ? {} : { options })).total_energy_hartree as number;
      const [psi4Plain, psi4Charged] = [psi4(undefined), psi4(charges)];
      const [nwPlain, nwCharged] = [nw(undefined), nw(charges)];
      expect(Math.abs(psi4Charged - nwCharged)).toBeLessThan(1e-5);
      const psi4Change = psi4Charged - psi4Plain;
      const nwChange = nwCharged - nwPlain;
      expect(Math.abs(psi4Change - nwChange)).toBeLessThan(1e-6);
      expect(Math.abs(nwChange)).toBeGreaterThan(1e-3);
      expect(Math.abs(nwChange)).toBeLessThan(0.1);
    },
    300_000,
  );

  live('optimises water (HF/STO-3G) to the geometry and energy of water_opt', () => {
    const molecule = { atoms: waterStart, charge: 0, multiplicity: 1 };
    const r = result(nwSpec({ task: 'optimize', molecule }));
    // The recorded run's numbers to 1e-9 Eh and 1e-5 Å, not to the last digit: the same binary
    // printed -74.965901192437 on an Intel machine and -74.965901192455 on an AMD EPYC one.
    expect(r.total_energy_hartree as number).toBeCloseTo(-74.965901192437, 9);
    expect(r.optimization_steps).toBe(5);
    const geometry = r.geometry as { element: string; x: number; y: number; z: number }[];
    expect(geometry.map((a) => a.element)).toEqual(waterOptimized.map((a) => a.element));
    geometry.forEach((a, i) => {
      const recorded = waterOptimized[i];
      for (const axis of ['x', 'y', 'z'] as const)
        expect(Math.abs(a[axis] - (recorded?.[axis] ?? NaN))).toBeLessThan(1e-5);
    });
  });

  live('fails an optimisation stopped by the driver’s maxiter 2 as opt_not_converged', () => {
    const molecule = { atoms: waterStart, charge: 0, multiplicity: 1 };
    const outcome = run(
      nwSpec({ task: 'optimize', molecule, keywords: ['driver; maxiter 2; end'] }),
    );
    expect(outcome.ok ? 'ok' : outcome.failure.class).toBe('opt_not_converged');
  });

  live('flags the umbrella mode of planar ammonia as one imaginary frequency', () => {
    const molecule = { atoms: planarAmmonia, charge: 0, multiplicity: 1 };
    const r = result(nwSpec({ task: 'frequencies', molecule }));
    expect(r.imaginary_count).toBe(1);
    expect((r.frequencies_cm1 as number[])[0]).toBe(-1117.93);
  });

  it.skipIf(!hasProgram('nwchem') || !hasProgram('psi4'))(
    'computes the water frequencies psi4 computes, to 0.01 cm⁻¹, and its thermochemistry to 1e-4 Eh',
    () => {
      const molecule = { atoms: waterOptimized, charge: 0, multiplicity: 1 };
      const nw = result(nwSpec({ task: 'frequencies', molecule }));
      const s = nwSpec({
        program: 'psi4',
        task: 'frequencies',
        molecule,
        options: { psi4_keywords: { scf_type: 'pk' } },
      });
      const outcome = psi4Engine.parse(runJobDirectly(psi4Engine.prepare(s)), s);
      if (!outcome.ok) throw new Error(outcome.failure.message);
      const psi4 = outcome.result;
      const psi4Frequencies = psi4.frequencies_cm1 as number[];
      expect(nw.frequencies_cm1 as number[]).toHaveLength(3);
      (nw.frequencies_cm1 as number[]).forEach((f, i) => {
        expect(Math.abs(f - (psi4Frequencies[i] ?? NaN))).toBeLessThanOrEqual(0.006);
      });
      // NWChem prints the corrections with 6 decimals and uses its own constants: its ZPE and
      // H are 1.2e-5 Eh below psi4's, its entropy 0.23 cal/mol·K lower (rotational term).
      for (const field of [
        'zero_point_energy_hartree',
        'enthalpy_correction_hartree',
        'gibbs_correction_hartree',
      ]) {
        expect(Math.abs((nw[field] as number) - (psi4[field] as number))).toBeLessThan(1e-4);
      }
    },
    300_000,
  );

  live(
    'chains a B3LYP/6-31G optimisation into frequencies at its final geometry (a minimum)',
    () => {
      const start = { atoms: waterStart, charge: 0, multiplicity: 1 };
      const opt = result(
        nwSpec({ task: 'optimize', method: 'b3lyp', basis: '6-31g', molecule: start }),
      );
      const atoms = opt.geometry as { element: string; x: number; y: number; z: number }[];
      const freq = result(
        nwSpec({
          task: 'frequencies',
          method: 'b3lyp',
          basis: '6-31g',
          molecule: { atoms, charge: 0, multiplicity: 1 },
        }),
      );
      expect(freq.imaginary_count).toBe(0);
      expect(freq.frequencies_cm1 as number[]).toHaveLength(3);
      // autosym reorients the molecule and the DFT grid with it: the energy moves by < 1e-6 Eh.
      expect(
        Math.abs((freq.total_energy_hartree as number) - (opt.total_energy_hartree as number)),
      ).toBeLessThan(1e-6);
    },
    300_000,
  );

  live(
    'reads the GIAO shieldings NWChem prints in a direct run of the same input (methane, COSMO chloroform)',
    () => {
      const methane = [
        { element: 'C', x: 0, y: 0, z: 0 },
        { element: 'H', x: 0.629118, y: 0.629118, z: 0.629118 },
        { element: 'H', x: -0.629118, y: -0.629118, z: 0.629118 },
        { element: 'H', x: -0.629118, y: 0.629118, z: -0.629118 },
        { element: 'H', x: 0.629118, y: -0.629118, z: -0.629118 },
      ];
      const s = nwSpec({
        task: 'nmr',
        method: 'B3LYP',
        basis: '6-31G*',
        molecule: { atoms: methane, charge: 0, multiplicity: 1 },
        options: { solvent: 'chcl3' },
      });
      const r = result(s);
      const direct = runNwchemByHand(nwchemEngine.prepare(s).files['input.nw'] ?? '');
      const printed = [...direct.matchAll(/isotropic =\s+(\S+)\s+anisotropy =\s+(\S+)/g)];
      const shieldings = r.shieldings_ppm as { isotropic_ppm: number; anisotropy_ppm: number }[];
      expect(printed).toHaveLength(5);
      expect(shieldings.map((a) => [a.isotropic_ppm, a.anisotropy_ppm])).toEqual(
        printed.map((m) => [Number(m[1]), Number(m[2])]),
      );
      // B3LYP/6-31G* methane: 13C about 190–200 ppm, 1H about 31–32 ppm.
      expect(shieldings[0]?.isotropic_ppm).toBeGreaterThan(190);
      expect(shieldings[0]?.isotropic_ppm).toBeLessThan(200);
      for (const h of shieldings.slice(1)) {
        expect(h.isotropic_ppm).toBeGreaterThan(31);
        expect(h.isotropic_ppm).toBeLessThan(32.5);
      }
      expect(r.solvent).toBe('chcl3');
    },
    300_000,
  );
});

/** NWChem's stdout for an input run by hand in a fresh directory, outside the engine. */
function runNwchemByHand(input: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'retort-nwchem-'));
  try {
    for (const sub of ['scratch', 'perm']) mkdirSync(join(dir, sub));
    writeFileSync(join(dir, 'input.nw'), input);
    return execFileSync('nwchem', ['input.nw'], {
      cwd: dir,
      env: { ...process.env, OMP_NUM_THREADS: '1' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
