import { describe, expect, it } from 'vitest';
import type { CalcSpec } from '../../../src/core/calc-spec.js';
import type { Outcome } from '../../../src/core/job-spec.js';
import { nwchemEngine } from '../../../src/engines/nwchem/index.js';
import { psi4Engine } from '../../../src/engines/psi4/index.js';
import { hasProgram, runJobDirectly } from '../../helpers/run-job-directly.js';
import { hydroxyl, monomerAInDimerBasis, water } from '../psi4/molecules.js';
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
});
