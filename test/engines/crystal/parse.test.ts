import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../../src/core/job-spec.js';
import { crystalEngine } from '../../../src/engines/crystal/index.js';
import { exited, spec } from '../real-fixtures.js';
import { crystalFixture, haveCrystalFixtures, noCrystalFixtures } from './crystal-fixtures.js';

function parse(
  task: string,
  stdout: string,
  files: Record<string, string> = {},
  exitCode = 0,
): Outcome {
  const outcome = crystalEngine.parse(
    exited(exitCode, { stdout, files }),
    spec({ program: 'crystal', task, input: 'x' }),
  );
  // Every field a real output gives is one the engine declares (workflows check against them).
  const declared = crystalEngine.resultFields[task] ?? [];
  if (outcome.ok)
    expect(Object.keys(outcome.result).filter((k) => !declared.includes(k))).toEqual([]);
  return outcome;
}

function resultOf(outcome: Outcome): Record<string, unknown> {
  if (!outcome.ok) throw new Error(`expected a result, got ${outcome.failure.message}`);
  return outcome.result;
}

function failureOf(outcome: Outcome): { class: string; message: string } {
  if (outcome.ok) throw new Error('expected a failure');
  return outcome.failure;
}

describe.skipIf(!haveCrystalFixtures)(
  `crystal parse of real outputs (skipped when ${noCrystalFixtures})`,
  () => {
    it('reads the converged SCF energy, cycles, band gap and the banner version of an MgO HF run wrapped by runcry17', () => {
      const outcome = parse('scf', crystalFixture('mgo_scf_hf_c17/main.out'));
      expect(resultOf(outcome)).toMatchObject({
        energy_hartree: -2.7121814374931e2,
        scf_cycles: 7,
        band_gap_ev: 12.6917,
        band_gap_kind: 'indirect',
      });
      expect(outcome.programVersion).toBe('CRYSTAL17 1.0.1');
    });

    it('reads an optimisation: the OPT END energy, points and the final primitive cell and sites', () => {
      const r = resultOf(parse('optimize', crystalFixture('mgo_opt_hf_c17/main.out')));
      expect(r.energy_hartree).toBe(-2.712596206888e2);
      expect(r.optimization_points).toBe(6);
      expect(r.cell).toEqual({
        a: 2.74665816,
        b: 2.74665816,
        c: 2.74665816,
        alpha: 60,
        beta: 60,
        gamma: 60,
      });
      expect(r.sites).toEqual([
        { element: 'Mg', fractional: [0, 0, 0] },
        { element: 'O', fractional: [-0.5, -0.5, -0.5] },
      ]);
      // The same cell as a structure a later step can take: a along x, 60° between the vectors.
      const structure = r.structure as { lattice_angstrom: number[][]; sites: unknown[] };
      expect(structure.sites).toEqual(r.sites);
      const [va = [], vb = [], vc = []] = structure.lattice_angstrom;
      expect(va).toEqual([2.74665816, 0, 0]);
      const dot = (u: number[], v: number[]): number =>
        u.reduce((s, x, i) => s + x * (v[i] ?? 0), 0);
      for (const [u, v] of [
        [va, vb],
        [vb, vc],
        [va, vc],
      ] as const) {
        expect(Math.hypot(...v)).toBeCloseTo(2.74665816, 8);
        expect(dot(u, v) / 2.74665816 ** 2).toBeCloseTo(0.5, 10);
      }
    });

    it('reads a CRYSTAL22 B3LYP optimisation whose banner is CRYSTAL22 though it ran from a CRYSTAL23 module', () => {
      const outcome = parse('optimize', crystalFixture('mgo_opt_b3lyp_c22/out_mgoOpt.out'));
      expect(resultOf(outcome)).toMatchObject({
        energy_hartree: -2.754486980727e2,
        optimization_points: 4,
      });
      expect(outcome.programVersion).toBe('CRYSTAL22 1.0.1');
    });

    it('fails an SCF that ran out of cycles as scf_not_converged although it ends with TERMINATION', () => {
      const f = failureOf(parse('scf', crystalFixture('nio_scf_maxcycle_c17/main.out')));
      expect(f.class).toBe('scf_not_converged');
      expect(f.message).toContain('10 cycles');
    });

    it('fails an SCF failure inside OPTGEOM as scf_not_converged', () => {
      const f = failureOf(
        parse('optimize', crystalFixture('fe_opt_scf_failed_c14/FAILED_SCF_bcc_iron.out')),
      );
      expect(f).toEqual({
        class: 'scf_not_converged',
        message: 'CRYSTAL stopped: ERROR OPTGEOM: SCF FAILED - OPTGEOM STOP',
      });
    });

    it('fails an optimisation at its step limit as opt_not_converged', () => {
      const f = failureOf(
        parse(
          'optimize',
          crystalFixture('fes_opt_not_converged_c17/FAILED_GEOM_mackinawite_opt.out'),
        ),
      );
      expect(f.class).toBe('opt_not_converged');
      expect(f.message).toContain('100 points');
    });

    it('fails an input error as input_error naming the routine and message', () => {
      const f = failureOf(
        parse('scf', crystalFixture('mgo_slab_input_error_c17/propinp_Mg2O2crys.out')),
      );
      expect(f).toEqual({
        class: 'input_error',
        message: 'CRYSTAL stopped: ERROR INP12B: INCONSISTENT ITOL SIZE',
      });
    });

    it('fails a run the scheduler killed (no TERMINATION) as a crash, with its last energy', () => {
      const f = failureOf(
        parse('optimize', crystalFixture('nio_opt_walltime_killed_c17/main.out'), {}, 1),
      );
      expect(f.class).toBe('crash');
      expect(f.message).toContain('-3128.3182941933 hartree');
    });

    it('reads the Γ-point modes of a FREQCALC run, degenerate modes repeated', () => {
      const r = resultOf(parse('frequencies', crystalFixture('mgo_freq_raman_c14/raman.out')));
      expect(r.energy_hartree).toBe(-2.7466419188883e2);
      expect(r.frequencies_cm1).toEqual([0, 0, 0, 485.0276, 485.0276, 485.0276]);
      expect(r.modes).toEqual([
        {
          first: 1,
          last: 3,
          frequency_cm1: 0,
          irrep: 'Fu',
          ir_active: true,
          ir_intensity_km_mol: 0,
        },
        {
          first: 4,
          last: 6,
          frequency_cm1: 485.0276,
          irrep: 'Fu',
          ir_active: true,
          ir_intensity_km_mol: 1045.07,
        },
      ]);
    });

    it('reads the dry-ice IR modes of a CRYSTAL22 run from a stored Hessian', () => {
      const r = resultOf(parse('frequencies', crystalFixture('co2_freq_ir_c22/spec_dryIceIR.out')));
      expect(r.energy_hartree).toBe(-7.5422471149753e2);
      const modes = r.modes as { last: number }[];
      expect(modes[9]).toEqual({
        first: 23,
        last: 25,
        frequency_cm1: 659.4536,
        irrep: 'Fu',
        ir_active: true,
        ir_intensity_km_mol: 436.36,
      });
      expect((r.frequencies_cm1 as number[]).length).toBe(modes.at(-1)?.last);
    });

    it('reads the band gap and BAND.DAT header of a properties band run', () => {
      const r = resultOf(
        parse('bands', crystalFixture('mgo_band_c17/band_mgo.outp'), {
          'BAND.DAT': crystalFixture('mgo_band_c17/band_mgo.BAND'),
        }),
      );
      expect(r).toEqual({ band_gap_ev: 7.1237, band_gap_kind: 'direct', k_points: 201, bands: 26 });
    });

    it('reads the band gap and DOSS.DAT points of a properties DOS run', () => {
      const r = resultOf(
        parse('dos', crystalFixture('mgo_doss_c17/main.out'), {
          'DOSS.DAT': crystalFixture('mgo_doss_c17/DOSS.DAT'),
        }),
      );
      expect(r).toEqual({ band_gap_ev: 12.6665, band_gap_kind: 'indirect', energy_points: 102 });
    });

    it('reads a CRYSTAL14 properties run whose wrapper ends with a Finnish ls listing', () => {
      const outcome = parse('bands', crystalFixture('nacl_band_doss_c14/NaCl.out'), {
        'BAND.DAT': crystalFixture('nacl_band_doss_c14/NaCl_dat.BAND'),
      });
      expect(resultOf(outcome)).toMatchObject({ k_points: 61, bands: 18 });
      expect(outcome.programVersion).toBe('CRYSTAL14 1.0.3');
    });
  },
);

describe('crystal parse of what is not a CRYSTAL output', () => {
  it('calls output without a banner a parse_error, or a crash when the program failed', () => {
    expect(failureOf(parse('scf', 'hello\n')).class).toBe('parse_error');
    expect(failureOf(parse('scf', '', {}, 2)).class).toBe('crash');
  });
});
