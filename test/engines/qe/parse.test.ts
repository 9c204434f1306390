import { describe, expect, it } from 'vitest';
import type { PeriodicStructure } from '../../../src/chem/structure.js';
import type { Outcome } from '../../../src/core/job-spec.js';
import { qeEngine } from '../../../src/engines/qe/index.js';
import { RY_TO_EV } from '../../../src/engines/qe/parse.js';
import { exited, realFixture } from '../real-fixtures.js';
import { SMALL, STRAINED_SILICON, siBandsSpec, siSpec } from './si.js';

function run(name: string, exitCode = 0): { stdout: string; stderr: string; exitCode: number } {
  let stderr = '';
  try {
    stderr = realFixture('qe', `${name}.err`);
  } catch {
    stderr = '';
  }
  return { stdout: realFixture('qe', `${name}.out`), stderr, exitCode };
}

function parse(name: string, spec = siSpec('scf'), exitCode = 0): Outcome {
  const { stdout, stderr } = run(name, exitCode);
  return qeEngine.parse(exited(exitCode, { stdout, stderr }), spec);
}

function result(outcome: Outcome): Record<string, unknown> {
  if (!outcome.ok) throw new Error(`expected a result, got ${outcome.failure.message}`);
  return outcome.result;
}

describe('the qe parser on real pw.x 6.7 outputs', () => {
  it('reads the total energy in Ry and eV, forces, stress and the highest occupied level of an scf', () => {
    const outcome = parse('si-scf');
    expect(outcome.programVersion).toBe('6.7MaX');
    const r = result(outcome);
    expect(r.total_energy_ry).toBe(-15.7933993);
    expect(r.total_energy_ev).toBeCloseTo(-15.7933993 * RY_TO_EV, 10);
    expect(r.total_energy_ev).toBeCloseTo(-214.8801, 3);
    expect(r.converged).toBe(true);
    expect(r.number_of_electrons).toBe(8);
    expect(r.highest_occupied_ev).toBe(6.1428);
    expect(r.forces_ry_bohr).toEqual([
      [0, -0, 0],
      [0, 0, 0],
    ]);
    expect(r.pressure_kbar).toBe(-44.51);
    expect(r.stress_kbar).toEqual([
      [-44.51, -0, -0],
      [-0, -44.51, -0],
      [-0, -0, -44.51],
    ]);
    const bands = r.band_energies_ev as number[][];
    expect(bands).toHaveLength(8);
    expect(bands.every((b) => b.length === 4)).toBe(true);
    expect(bands[7]).toEqual([-1.4467, -1.4467, 2.2057, 2.2057]);
    expect((r.kpoints_cartesian_2pi_alat as number[][])[7]).toEqual([-0.7071, 0.3536, 0]);
    // Only the four occupied bands were computed: no gap can be told.
    expect(r.band_gap_ev).toBeUndefined();
  });

  it('reads the band structure along the fcc path and finds silicon’s indirect gap', () => {
    const r = result(parse('si-bands', siBandsSpec()));
    const bands = r.band_energies_ev as number[][];
    expect(bands).toHaveLength(71);
    expect(bands[0]).toEqual([-5.7574, 6.1431, 6.1431, 6.1431, 8.7048, 8.7048, 8.7048, 9.5272]);
    expect(bands[70]).toEqual([-1.988, -1.0176, 1.7515, 3.6667, 7.308, 10.2617, 13.6329, 14.1601]);
    expect(r.total_energy_ry).toBeUndefined();
    expect(r.valence_band_maximum_ev).toBe(6.1431);
    expect(r.conduction_band_minimum_ev).toBe(6.659);
    expect(r.band_gap_ev).toBeCloseTo(0.5159, 10);
    expect(r.band_gap_direct).toBe(false);
    expect(r.direct_gap_ev as number).toBeGreaterThan(r.band_gap_ev as number);
  });

  it('reads the relaxed positions and the final energy of a relax', () => {
    const r = result(parse('si-relax', siSpec('relax', SMALL, STRAINED_SILICON)));
    expect(r.final_energy_ry).toBe(-15.7933992272);
    expect(r.total_energy_ry).toBe(-15.79339923);
    const structure = r.structure as PeriodicStructure;
    expect(structure.lattice_angstrom).toEqual(STRAINED_SILICON.lattice_angstrom);
    expect(structure.sites).toEqual([
      { element: 'Si', fractional: [0.010008081, -0.0000314387, -0.0049883212] },
      { element: 'Si', fractional: [0.259991919, 0.2500314387, 0.2449883212] },
    ]);
    expect(r.forces_ry_bohr).toEqual([
      [0.000059, -0.000059, 0.00006999],
      [-0.000059, 0.000059, -0.00006999],
    ]);
  });

  it('reads the relaxed cell in Å, the final enthalpy and the last energy of a vc-relax', () => {
    const r = result(parse('si-vc-relax', siSpec('vc-relax')));
    expect(r.final_enthalpy_ry).toBe(-15.795215906);
    expect(r.total_energy_ry).toBe(-15.79125479);
    expect(r.pressure_kbar).toBe(-1.88);
    const structure = r.structure as PeriodicStructure;
    expect(structure.lattice_angstrom).toEqual([
      [0, 2.675671156, 2.675671156],
      [2.675671156, -0, 2.675671156],
      [2.675671156, 2.675671156, -0],
    ]);
    expect(structure.sites.map((s) => s.fractional)).toEqual([
      [0, -0, 0],
      [0.25, 0.25, 0.25],
    ]);
  });
});

describe('the qe parser on a real metal', () => {
  it('reads the Fermi energy of a smeared scf and tells no gap', () => {
    const h = 4.05 / 2;
    const aluminium = {
      lattice_angstrom: [
        [0, h, h],
        [h, 0, h],
        [h, h, 0],
      ] as const,
      sites: [{ element: 'Al', fractional: [0, 0, 0] as const }],
    };
    const options = { ecutwfc: 15, kpoints: [6, 6, 6], occupations: 'smearing', degauss: 0.02 };
    const s = siSpec('scf', options, aluminium);
    expect(qeEngine.prepare(s).files['pw.in']).toBe(realFixture('qe', 'al-scf.in'));
    const r = result(qeEngine.parse(exited(0, { stdout: realFixture('qe', 'al-scf.out') }), s));
    expect(r.fermi_energy_ev).toBe(7.9967);
    expect(r.total_energy_ry).toBe(-4.19097579);
    expect(r.number_of_electrons).toBe(3);
    expect(r.pressure_kbar).toBe(-54.53);
    expect(r.highest_occupied_ev).toBeUndefined();
    expect(r.band_gap_ev).toBeUndefined();
  });
});

describe('the qe parser classifies real pw.x failures', () => {
  it('an SCF that ran out of iterations is scf_not_converged', () => {
    const outcome = parse(
      'si-scf-unconverged',
      siSpec('scf', { ...SMALL, electron_maxstep: 2 }),
      2,
    );
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.failure.class).toBe('scf_not_converged');
    expect(outcome.failure.message).toContain('after 2 iterations');
  });

  it('a missing pseudopotential is an input_error naming the file', () => {
    const outcome = parse('si-missing-pseudo', siSpec('scf'), 1);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.failure.class).toBe('input_error');
    expect(outcome.failure.message).toContain('/usr/share/espresso/pseudo/Si.missing.UPF');
  });

  it('a bad namelist entry is an input_error quoting pw.x', () => {
    const outcome = parse('si-bad-namelist', siSpec('scf'), 1);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.failure.class).toBe('input_error');
    expect(outcome.failure.message).toContain('bad line in namelist &system: "  ecutwfx = 20"');
  });

  it('bands without the parent’s out/ directory is an input_error pointing at options.parent', () => {
    const outcome = parse('si-bands-no-parent', siBandsSpec(), 1);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.failure.class).toBe('input_error');
    expect(outcome.failure.message).toContain('options.parent');
  });

  it('an output cut short with exit 0 is a parse_error, a cut one with an error exit a crash', () => {
    const full = run('si-scf').stdout;
    const cut = full.slice(0, full.indexOf('!    total energy'));
    const cutDone = `${cut}\n   JOB DONE.\n`;
    const parsed = qeEngine.parse(exited(0, { stdout: cutDone }), siSpec('scf'));
    expect(parsed.ok ? 'ok' : parsed.failure.class).toBe('parse_error');
    const crashed = qeEngine.parse(
      exited(139, { stdout: cut, stderr: 'Segmentation fault' }),
      siSpec('scf'),
    );
    // 139 = 128 + SIGSEGV: pw.x faulted by itself, which a retry would repeat.
    expect(crashed.ok ? 'ok' : crashed.failure.class).toBe('crash');
    const aborted = qeEngine.parse(
      exited(1, { stdout: cut, stderr: 'something odd' }),
      siSpec('scf'),
    );
    expect(aborted.ok ? 'ok' : aborted.failure.class).toBe('crash');
  });

  it('an optimisation out of steps is opt_not_converged', () => {
    const text = `${run('si-relax').stdout}\n     The maximum number of steps has been reached.\n`;
    const outcome = qeEngine.parse(exited(0, { stdout: text }), siSpec('relax'));
    expect(outcome.ok ? 'ok' : outcome.failure.class).toBe('opt_not_converged');
  });
});
