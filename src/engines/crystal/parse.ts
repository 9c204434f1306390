import { elementSymbol, normalizeSymbol } from '../../chem/elements.js';
import { latticeFromParameters } from '../../chem/structure.js';
import type { CalcSpec, JsonValue } from '../../core/calc-spec.js';
import type { Failure } from '../../core/failure.js';
import type { JobOutputs, Outcome } from '../../core/job-spec.js';
import { machineryFailure } from '../common-failures.js';
import { PROPERTIES_TASKS } from './prepare.js';

/**
 * What a CRYSTAL run gives (energies in hartree, as CRYSTAL prints them `E(AU)`):
 *
 * - `energy_hartree`: the converged SCF energy (`== SCF ENDED - CONVERGENCE ON ENERGY E(AU)`),
 *   for `optimize` the final one (`* OPT END - CONVERGED * E(AU):`); `scf_cycles` of the last SCF;
 * - `band_gap_ev`, `band_gap_kind` (`direct` | `indirect`): the last `… ENERGY BAND GAP` line
 *   (SCF and properties runs print it; absent for metals);
 * - `optimize`: `optimization_points` (energy and gradient calculations), `cell` (the final
 *   primitive cell: `a`, `b`, `c` in Å, `alpha`, `beta`, `gamma` in degrees) and `sites` (each
 *   `element` and `fractional` [x/a, y/b, z/c]) of `FINAL OPTIMIZED GEOMETRY`, and the same as
 *   `structure` (a PeriodicStructure: the cell's vectors in the usual orientation, a along x, b
 *   in the xy plane), which a later step takes as its crystal (`structure: ${{
 *   steps.opt.result.structure }}`);
 * - `frequencies`: `modes` (each `first`, `last` (mode numbers), `frequency_cm1`, `irrep`,
 *   `ir_active`, `ir_intensity_km_mol`) and `frequencies_cm1` (one per mode, degenerate modes
 *   repeated, imaginary ones negative) of the Γ-point table;
 * - `bands`/`dos`: `k_points` and `bands` (of BAND.DAT's header) or `energy_points` (DOSS.DAT).
 *
 * Failures: a normal `EEEEEEEEEE TERMINATION` does not mean success (an SCF that ran out of
 * cycles ends with one). `SCF ENDED - TOO MANY CYCLES` and `OPTGEOM … SCF FAILED` are
 * `scf_not_converged`; `OPT END - FAILED` and `GEOMETRY OPTIMIZATION FAILED` are
 * `opt_not_converged`; any other `ERROR **** ROUTINE **** message` is an `input_error`; a run
 * without the final TERMINATION line (killed by a scheduler, crashed) is a `crash`; output
 * without the CRYSTAL banner is a `parse_error`. Site wrapper scripts (runcry17, runprop) print
 * a preamble with the echoed input and a trailer: only the text from the banner on is read.
 * `programVersion` is the banner's (`CRYSTAL17 1.0.1`), not the install's name.
 */
export function parseCrystal(outputs: JobOutputs, spec: CalcSpec): Outcome {
  const machinery = machineryFailure(outputs, 'crystal', spec.resources.walltime_s);
  const banner = /^\s*\*\s+(CRYSTAL\d{2})\s+\*\s*$/m.exec(outputs.stdout);
  if (machinery !== undefined) return fail(machinery, version(outputs.stdout, banner));
  if (banner === null) {
    return fail({
      class: outputs.exitCode === 0 ? 'parse_error' : 'crash',
      message: `crystal printed no CRYSTAL banner (exit status ${String(outputs.exitCode)}); see stderr`,
    });
  }
  const programVersion = version(outputs.stdout, banner);
  const text = outputs.stdout.slice(banner.index);
  const failure = failureOf(text, spec.task);
  if (failure !== undefined) return fail(failure, programVersion);

  const result: Record<string, JsonValue> = {};
  const scf = [
    ...text.matchAll(/== SCF ENDED - CONVERGENCE ON ENERGY\s+E\(AU\)\s+(\S+)\s+CYCLES\s+(\d+)/g),
  ].pop();
  if (scf !== undefined) {
    result.energy_hartree = fortranNumber(scf[1]);
    result.scf_cycles = Number(scf[2]);
  }
  const gap = [...text.matchAll(/\b(DIRECT|INDIRECT) ENERGY BAND GAP:\s+(\S+)\s+eV/g)].pop();
  if (gap !== undefined) {
    result.band_gap_ev = fortranNumber(gap[2]);
    result.band_gap_kind = (gap[1] ?? '').toLowerCase();
  }
  if (spec.task === 'optimize') {
    const end = /\* OPT END - CONVERGED \* E\(AU\):\s+(\S+)\s+POINTS\s+(\d+)/.exec(text);
    const geometry = finalGeometry(text);
    if (end === null || geometry === undefined) {
      return fail(
        {
          class: 'parse_error',
          message: 'crystal optimize: no OPT END or FINAL OPTIMIZED GEOMETRY in the output',
        },
        programVersion,
      );
    }
    result.energy_hartree = fortranNumber(end[1]);
    result.optimization_points = Number(end[2]);
    result.cell = geometry.cell;
    result.sites = geometry.sites;
    const lattice = cellLattice(geometry.cell);
    if (lattice === undefined) {
      return fail(
        {
          class: 'parse_error',
          message: 'crystal optimize: the final cell parameters make no cell',
        },
        programVersion,
      );
    }
    result.structure = { lattice_angstrom: lattice, sites: geometry.sites };
  }
  if (spec.task === 'frequencies') {
    const modes = modeTable(text);
    if (modes.length === 0) {
      return fail(
        {
          class: 'parse_error',
          message: 'crystal frequencies: no MODES … FREQUENCIES table in the output',
        },
        programVersion,
      );
    }
    result.modes = modes;
    result.frequencies_cm1 = modes.flatMap((m) =>
      Array.from({ length: m.last - m.first + 1 }, () => m.frequency_cm1),
    );
  }
  if (spec.task === 'bands') {
    const header = /#\s*NKPT\s+(\d+)\s+NBND\s+(\d+)/.exec(outputs.files['BAND.DAT'] ?? '');
    if (header !== null) {
      result.k_points = Number(header[1]);
      result.bands = Number(header[2]);
    }
  }
  if (spec.task === 'dos') {
    const header = /#\s*NEPTS\s+(\d+)/.exec(outputs.files['DOSS.DAT'] ?? '');
    if (header !== null) result.energy_points = Number(header[1]);
  }
  if (!PROPERTIES_TASKS.includes(spec.task) && result.energy_hartree === undefined) {
    return fail(
      {
        class: 'parse_error',
        message: `crystal ${spec.task}: no converged SCF energy in the output`,
      },
      programVersion,
    );
  }
  return { ok: true, result, ...(programVersion === undefined ? {} : { programVersion }) };
}

function fail(failure: Failure, programVersion?: string): Outcome {
  return { ok: false, failure, ...(programVersion === undefined ? {} : { programVersion }) };
}

function version(stdout: string, banner: RegExpExecArray | null): string | undefined {
  if (banner === null) return undefined;
  const release = /public\s*:\s*(\d[\w.]*)/.exec(stdout.slice(banner.index, banner.index + 400));
  return release === null ? banner[1] : `${banner[1] ?? ''} ${release[1] ?? ''}`;
}

/** The failure a CRYSTAL output states, or undefined when it ran to a normal end. */
function failureOf(text: string, task: string): Failure | undefined {
  const error = /ERROR \*+\s*(\S+)\s*\*+\s*(.+)/.exec(text);
  const errorLine = error === null ? '' : `ERROR ${error[1] ?? ''}: ${(error[2] ?? '').trim()}`;
  const cycles = /== SCF ENDED - TOO MANY CYCLES\s+E\(AU\)\s+(\S+)\s+CYCLES\s+(\d+)/.exec(text);
  if (cycles !== null) {
    return {
      class: 'scf_not_converged',
      message: `CRYSTAL's SCF did not converge in ${cycles[2] ?? '?'} cycles (raise MAXCYCLE, or change the mixing: FMIXING, LEVSHIFT)`,
    };
  }
  if (error !== null && /SCF FAILED/i.test(error[2] ?? '')) {
    return { class: 'scf_not_converged', message: `CRYSTAL stopped: ${errorLine}` };
  }
  const optFailed = /\* OPT END - FAILED\s*\* E\(AU\):\s+(\S+)\s+POINTS\s+(\d+)/.exec(text);
  if (optFailed !== null || (error !== null && /OPTIMIZATION FAILED/i.test(error[2] ?? ''))) {
    const points = optFailed?.[2];
    return {
      class: 'opt_not_converged',
      message: `CRYSTAL's geometry optimisation did not converge${points === undefined ? '' : ` in ${points} points`} (raise MAXCYCLE in OPTGEOM, or restart from the last geometry)`,
    };
  }
  if (error !== null) return { class: 'input_error', message: `CRYSTAL stopped: ${errorLine}` };
  if (!/^\s*E{10} TERMINATION/m.test(text)) {
    const last = [...text.matchAll(/TOTAL ENERGY\([^)]*\)\(AU\)\(\s*\d+\)\s+(\S+)/g)].pop();
    return {
      class: 'crash',
      message: `crystal ${task} ended without its TERMINATION line (killed or crashed)${last === undefined ? '' : `; last energy ${fortranNumber(last[1])} hartree`}`,
    };
  }
  return undefined;
}

function fortranNumber(text: string | undefined): number {
  return Number((text ?? '').replace(/[dD]/, 'E'));
}

interface Geometry {
  readonly cell: Record<string, number>;
  readonly sites: { element: string; fractional: number[] }[];
}

/** The vectors of a cell given by its parameters, or undefined when they make none. */
function cellLattice(cell: Record<string, number>): number[][] | undefined {
  const { a, b, c, alpha, beta, gamma } = cell;
  try {
    return latticeFromParameters(
      a ?? NaN,
      b ?? NaN,
      c ?? NaN,
      alpha ?? NaN,
      beta ?? NaN,
      gamma ?? NaN,
    ).map((v) => [...v]);
  } catch {
    return undefined;
  }
}

/** The primitive cell and sites of the last `FINAL OPTIMIZED GEOMETRY` block. */
function finalGeometry(text: string): Geometry | undefined {
  const at = text.lastIndexOf('FINAL OPTIMIZED GEOMETRY');
  if (at < 0) return undefined;
  const block = text.slice(at, at + 20000);
  const params =
    /ALPHA\s+BETA\s+GAMMA\s*\r?\n\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)/.exec(block);
  const atomsAt = block.search(/ATOM\s+X\/A\s+Y\/B\s+Z\/C/);
  if (params === null || atomsAt < 0) return undefined;
  const [a, b, c, alpha, beta, gamma] = params.slice(1).map(Number);
  const sites: Geometry['sites'] = [];
  const lines = block.slice(atomsAt).split(/\r?\n/).slice(2);
  for (const line of lines) {
    const m = /^\s*\d+\s+[TF]\s+(\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*$/.exec(line);
    if (m === null) break;
    const z = Number(m[1]) % 100;
    const element = elementSymbol(z) ?? normalizeSymbol(m[2] ?? '') ?? m[2] ?? '';
    sites.push({ element, fractional: [m[3], m[4], m[5]].map(fortranNumber) });
  }
  if (sites.length === 0) return undefined;
  return {
    cell: {
      a: a ?? NaN,
      b: b ?? NaN,
      c: c ?? NaN,
      alpha: alpha ?? NaN,
      beta: beta ?? NaN,
      gamma: gamma ?? NaN,
    },
    sites,
  };
}

interface Mode {
  [key: string]: JsonValue;
  first: number;
  last: number;
  frequency_cm1: number;
  irrep: string;
  ir_active: boolean;
  ir_intensity_km_mol: number;
}

/** The rows of the last Γ-point `MODES EIGV FREQUENCIES IRREP IR INTENS` table. */
function modeTable(text: string): Mode[] {
  const at = text.lastIndexOf('MODES         EIGV');
  if (at < 0) return [];
  const lines = text.slice(at).split(/\r?\n/).slice(2);
  const modes: Mode[] = [];
  for (const line of lines) {
    const m =
      /^\s*(\d+)-\s*(\d+)\s+\S+\s+(-?\d+\.\d+)\s+\S+\s+\(\s*(\S+)\s*\)\s+([AI])\s+\(\s*(\S+)\s*\)/.exec(
        line,
      );
    if (m === null) break;
    modes.push({
      first: Number(m[1]),
      last: Number(m[2]),
      frequency_cm1: Number(m[3]),
      irrep: m[4] ?? '',
      ir_active: m[5] === 'A',
      ir_intensity_km_mol: Number(m[6]),
    });
  }
  return modes;
}
