import type { Lattice, PeriodicStructure, Vec3 } from '../../chem/structure.js';
import type { CalcSpec, JsonValue } from '../../core/calc-spec.js';
import type { Failure } from '../../core/failure.js';
import type { JobOutputs, Outcome } from '../../core/job-spec.js';
import { lastLine, machineryFailure } from '../common-failures.js';
import { bandGap } from './band-gap.js';

/**
 * eV per Ry as pw.x 6.7 converts: CODATA 2018 (27.211386245988 eV per hartree, halved), the set
 * whose bohr (0.529177210903 Å) its data-file-schema.xml shows (`alat` of a cell given in Å).
 */
export const RY_TO_EV = 13.605693122994;
const BOHR_TO_ANGSTROM = 0.529177210903;

/**
 * A successful pw.x result (what the output says, as printed: energies to 1e-8 Ry, band
 * energies to 1e-4 eV):
 * - `task`, `converged` (true: an SCF or optimisation that did not converge is a failure);
 * - `total_energy_ry`, `total_energy_ev`: the last `!    total energy` line (for vc-relax the
 *   final SCF in the final cell, with its fresh plane-wave basis); absent for nscf/bands;
 * - `final_energy_ry` (relax) / `final_enthalpy_ry` (vc-relax): BFGS's converged value;
 * - `forces_ry_bohr`: `[[fx, fy, fz], …]` per atom, the last force block (Ry/bohr);
 * - `stress_kbar`: 3×3, the last stress block, and `pressure_kbar`;
 * - `structure` (relax, vc-relax): the final cell as a {@link PeriodicStructure};
 * - `fermi_energy_ev` (smearing, tetrahedra) or `highest_occupied_ev` and, when empty bands
 *   were computed, `lowest_unoccupied_ev`, as pw.x printed them;
 * - `number_of_electrons`; `kpoints_cartesian_2pi_alat` and `band_energies_ev` (one list of band
 *   energies per k-point, the last band block of the output: for bands, the path);
 * - `band_gap_ev`, `band_gap_direct`, `valence_band_maximum_ev`, `conduction_band_minimum_ev`,
 *   `direct_gap_ev` (the smallest gap at one k-point): when the bands allow it (see
 *   {@link bandGap}).
 */
export interface QeResult {
  readonly task: string;
  readonly converged: true;
  readonly total_energy_ry?: number;
  readonly total_energy_ev?: number;
  readonly final_energy_ry?: number;
  readonly final_enthalpy_ry?: number;
  readonly forces_ry_bohr?: readonly Vec3[];
  readonly stress_kbar?: readonly Vec3[];
  readonly pressure_kbar?: number;
  readonly structure?: PeriodicStructure;
  readonly fermi_energy_ev?: number;
  readonly highest_occupied_ev?: number;
  readonly lowest_unoccupied_ev?: number;
  readonly number_of_electrons: number;
  readonly kpoints_cartesian_2pi_alat: readonly Vec3[];
  readonly band_energies_ev: readonly (readonly number[])[];
  readonly band_gap_ev?: number;
  readonly band_gap_direct?: boolean;
  readonly valence_band_maximum_ev?: number;
  readonly conduction_band_minimum_ev?: number;
  readonly direct_gap_ev?: number;
}

const NUMBER = /-?\d+\.\d+(?:[eE][-+]?\d+)?/g;

/** The outcome of one pw.x run, from its stdout. */
export function parseQe(outputs: JobOutputs, spec: CalcSpec): Outcome {
  const out = outputs.stdout;
  const programVersion = /Program PWSCF v\.(\S+)/.exec(out)?.[1];
  const fail = (failure: Failure): Outcome =>
    programVersion === undefined ? { ok: false, failure } : { ok: false, failure, programVersion };
  const machinery = machineryFailure(outputs, 'pw.x', spec.resources.walltime_s);
  if (machinery !== undefined) return fail(machinery);
  const problem = qeFailure(out, outputs.stderr);
  if (problem !== undefined) return fail(problem);
  if (outputs.exitCode !== 0 || !out.includes('JOB DONE')) {
    const detail = lastLine(outputs.stderr) || lastLine(out) || 'no output';
    return fail({
      class: 'crash',
      message: `pw.x stopped (exit ${String(outputs.exitCode)}): ${detail}`,
    });
  }
  const read = readResult(out, spec);
  if (typeof read === 'string') return fail({ class: 'parse_error', message: `pw.x: ${read}` });
  const result = read as unknown as Record<string, JsonValue>;
  return programVersion === undefined ? { ok: true, result } : { ok: true, result, programVersion };
}

/** The failure pw.x's output explains, classified; undefined when it explains none. */
function qeFailure(out: string, stderr: string): Failure | undefined {
  const text = `${out}\n${stderr}`;
  const scf = /convergence NOT achieved after\s+(\d+) iterations/.exec(text);
  if (scf !== null) {
    return {
      class: 'scf_not_converged',
      message: `pw.x: SCF not converged after ${scf[1] ?? '?'} iterations (raise options.electron_maxstep, lower pw_keywords electrons.mixing_beta, or check the structure)`,
    };
  }
  if (text.includes('The maximum number of steps has been reached')) {
    return {
      class: 'opt_not_converged',
      message: 'pw.x: the optimisation reached its maximum number of steps (raise options.nstep)',
    };
  }
  const error = /Error in routine\s+(\S+)\s*\(\s*-?\d+\s*\):\s*\n\s*(.+)/.exec(text);
  if (error === null) return undefined;
  const routine = error[1] ?? '';
  const what = (error[2] ?? '').trim();
  if (routine === 'readpp' || /pseudo/i.test(what)) {
    const file = /file\s+(\S+)\s+not found/.exec(what)?.[1];
    return {
      class: 'input_error',
      message:
        file === undefined
          ? `pw.x could not read a pseudopotential: ${what}`
          : `pw.x: pseudopotential file ${file} not found (set options.pseudo_dir or options.pseudopotentials)`,
    };
  }
  if (
    /^(read_namelists|read_cards|card_|iosys|readin|cell_base_init|pw_readschema|read_file|read_conf_from_file|setup)/.test(
      routine,
    )
  ) {
    const parent = /pw_readschema|read_file|read_conf_from_file/.test(routine)
      ? " (the parent scf's out/ directory is missing or incomplete: check options.parent)"
      : '';
    return {
      class: 'input_error',
      message: `pw.x rejected its input (${routine}): ${what}${parent}`,
    };
  }
  return { class: 'crash', message: `pw.x stopped in ${routine}: ${what}` };
}

function readResult(out: string, spec: CalcSpec): QeResult | string {
  const electrons = /number of electrons\s*=\s*(\d+\.\d+)/.exec(out);
  if (electrons === null) return 'no "number of electrons" line';
  const bands = lastBandBlock(out);
  if (bands === undefined) return 'no band energies ("bands (ev)")';
  const fields: Record<string, unknown> = {
    task: spec.task,
    converged: true,
    number_of_electrons: Number(electrons[1]),
    kpoints_cartesian_2pi_alat: bands.kpoints,
    band_energies_ev: bands.energies,
  };
  const fromParent = spec.task === 'nscf' || spec.task === 'bands';
  const energies = [...out.matchAll(/^!\s+total energy\s+=\s+(-?\d+\.\d+) Ry/gm)];
  const energy = energies[energies.length - 1]?.[1];
  if (!fromParent) {
    if (energy === undefined) return 'no "!    total energy" line';
    fields.total_energy_ry = Number(energy);
    fields.total_energy_ev = Number(energy) * RY_TO_EV;
  }
  if (spec.task === 'relax' || spec.task === 'vc-relax') {
    if (!out.includes('bfgs converged')) return 'the optimisation did not say "bfgs converged"';
    const final = /Final (energy|enthalpy)\s+=\s+(-?\d+\.\d+) Ry/.exec(out);
    if (final === null) return 'no "Final energy" or "Final enthalpy" line';
    fields[final[1] === 'energy' ? 'final_energy_ry' : 'final_enthalpy_ry'] = Number(final[2]);
    const structure = finalStructure(out, spec);
    if (typeof structure === 'string') return structure;
    fields.structure = structure;
  }
  const forces = lastForces(out);
  if (forces !== undefined) fields.forces_ry_bohr = forces;
  const stress = lastStress(out);
  if (stress !== undefined) {
    fields.stress_kbar = stress.tensor;
    fields.pressure_kbar = stress.pressure;
  }
  const fermi = [...out.matchAll(/the Fermi energy is\s+(-?\d+\.\d+) ev/g)].pop();
  if (fermi !== undefined) fields.fermi_energy_ev = Number(fermi[1]);
  const homoLumo = [
    ...out.matchAll(
      /highest occupied, lowest unoccupied level \(ev\):\s+(-?\d+\.\d+)\s+(-?\d+\.\d+)/g,
    ),
  ].pop();
  const homo = [...out.matchAll(/highest occupied level \(ev\):\s+(-?\d+\.\d+)/g)].pop();
  if (homoLumo !== undefined) {
    fields.highest_occupied_ev = Number(homoLumo[1]);
    fields.lowest_unoccupied_ev = Number(homoLumo[2]);
  } else if (homo !== undefined) {
    fields.highest_occupied_ev = Number(homo[1]);
  }
  const metallic = fermi !== undefined || /smearing|tetrahedra/i.test(occupationsOf(spec));
  const spin = out.includes('SPIN UP');
  if (!metallic && !spin) {
    const gap = bandGap(bands.energies, Number(electrons[1]));
    if (gap !== undefined) {
      fields.band_gap_ev = gap.gap_ev;
      fields.band_gap_direct = gap.direct;
      fields.valence_band_maximum_ev = gap.vbm_ev;
      fields.conduction_band_minimum_ev = gap.cbm_ev;
      fields.direct_gap_ev = gap.direct_gap_ev;
    }
  }
  return fields as unknown as QeResult;
}

function occupationsOf(spec: CalcSpec): string {
  const value = spec.options?.occupations;
  return typeof value === 'string' ? value : 'fixed';
}

/** The k-points and energies of the last `End of … calculation` block. */
function lastBandBlock(out: string): { kpoints: Vec3[]; energies: number[][] } | undefined {
  const start = Math.max(
    out.lastIndexOf('End of self-consistent calculation'),
    out.lastIndexOf('End of band structure calculation'),
  );
  if (start < 0) return undefined;
  const lines = out.slice(start).split('\n');
  const kpoints: Vec3[] = [];
  const energies: number[][] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const header = /^\s+k =\s*(.*?)\s*\(\s*\d+ PWs\)\s+bands \(ev\):/.exec(line);
    if (header === null) {
      if (kpoints.length > 0 && /highest|Fermi|total energy|Writing output/.test(line)) break;
      continue;
    }
    const k = (header[1] ?? '').match(NUMBER)?.map(Number) ?? [];
    if (k.length !== 3) return undefined;
    kpoints.push([k[0] ?? 0, k[1] ?? 0, k[2] ?? 0]);
    const values: number[] = [];
    let j = i + 1;
    while (j < lines.length && (lines[j] ?? '').trim() === '') j++;
    while (j < lines.length && (lines[j] ?? '').trim() !== '') {
      values.push(...((lines[j] ?? '').match(NUMBER)?.map(Number) ?? []));
      j++;
    }
    energies.push(values);
    i = j;
  }
  if (kpoints.length === 0) return undefined;
  const n = energies[0]?.length ?? 0;
  if (n === 0 || energies.some((e) => e.length !== n)) return undefined;
  return { kpoints, energies };
}

function lastForces(out: string): Vec3[] | undefined {
  const start = out.lastIndexOf('Forces acting on atoms');
  if (start < 0) return undefined;
  const forces: Vec3[] = [];
  for (const line of out.slice(start).split('\n').slice(1)) {
    const m = /^\s+atom\s+\d+\s+type\s+\d+\s+force =\s+(\S+)\s+(\S+)\s+(\S+)/.exec(line);
    if (m === null) {
      if (forces.length > 0) break;
      continue;
    }
    forces.push([Number(m[1]), Number(m[2]), Number(m[3])]);
  }
  return forces.length > 0 && forces.every((f) => f.every(Number.isFinite)) ? forces : undefined;
}

function lastStress(out: string): { tensor: Vec3[]; pressure: number } | undefined {
  const all = [
    ...out.matchAll(
      /total\s+stress\s+\(Ry\/bohr\*\*3\)\s+\(kbar\)\s+P=\s*(-?\d+\.\d+)\n(.*)\n(.*)\n(.*)/g,
    ),
  ];
  const m = all[all.length - 1];
  if (m === undefined) return undefined;
  const tensor = [m[2], m[3], m[4]].map((line) => {
    const v = (line ?? '').match(NUMBER)?.map(Number) ?? [];
    return [v[3], v[4], v[5]] as unknown as Vec3;
  });
  if (tensor.some((row) => row.some((v) => !Number.isFinite(v)))) return undefined;
  return { tensor, pressure: Number(m[1]) };
}

/** The structure between `Begin final coordinates` and `End final coordinates`. */
function finalStructure(out: string, spec: CalcSpec): PeriodicStructure | string {
  const block = /Begin final coordinates([\s\S]*?)End final coordinates/.exec(out)?.[1];
  if (block === undefined) return 'no "Begin final coordinates" block';
  const lines = block.split('\n');
  let lattice: Lattice | undefined = spec.structure?.lattice_angstrom;
  const cellAt = lines.findIndex((l) => l.startsWith('CELL_PARAMETERS'));
  if (cellAt >= 0) {
    const unit = lines[cellAt] ?? '';
    const alat = /alat=\s*(\d+\.\d+)/.exec(unit)?.[1];
    const factor = unit.includes('angstrom')
      ? 1
      : alat !== undefined
        ? Number(alat) * BOHR_TO_ANGSTROM
        : BOHR_TO_ANGSTROM;
    const rows = lines
      .slice(cellAt + 1, cellAt + 4)
      .map((l) => l.match(NUMBER)?.map((v) => Number(v) * factor) ?? []);
    if (rows.some((r) => r.length !== 3))
      return 'a final CELL_PARAMETERS block without three vectors';
    lattice = rows as unknown as Lattice;
  }
  if (lattice === undefined) return 'no cell';
  const posAt = lines.findIndex((l) => l.startsWith('ATOMIC_POSITIONS'));
  if (posAt < 0 || !(lines[posAt] ?? '').includes('crystal')) {
    return 'no final ATOMIC_POSITIONS (crystal) block';
  }
  const sites: { element: string; fractional: Vec3 }[] = [];
  for (const line of lines.slice(posAt + 1)) {
    const m = /^\s*([A-Za-z]+)\w*\s+(\S+)\s+(\S+)\s+(\S+)/.exec(line);
    if (m === null) break;
    sites.push({ element: m[1] ?? '', fractional: [Number(m[2]), Number(m[3]), Number(m[4])] });
  }
  const expected = spec.structure?.sites.length;
  if (sites.length === 0 || (expected !== undefined && sites.length !== expected)) {
    return `the final structure has ${sites.length} atoms, the input ${String(expected)}`;
  }
  return { lattice_angstrom: lattice, sites };
}
