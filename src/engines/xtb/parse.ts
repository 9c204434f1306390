import { parseXyz } from '../../chem/xyz.js';
import type { CalcSpec, JsonValue } from '../../core/calc-spec.js';
import type { Failure } from '../../core/failure.js';
import type { JobOutputs, Outcome } from '../../core/job-spec.js';
import { lastLine, machineryFailure } from '../common-failures.js';
import { atomsJson, sameElements } from '../spec-checks.js';
import type { Atom } from '../../chem/molecule.js';
import { normalizeSymbol } from '../../chem/elements.js';
import { XTB_OPT_COORD, XTB_OPT_GEOMETRY, XTB_TRAJECTORY, xtbMethodFlags } from './prepare.js';

/**
 * A successful xtb result of task `md`: `snapshots`, `[{geometry, energy_hartree}]` in the
 * order written (geometry Å as below, energy the potential energy xtb printed for it, Eh), and
 * `method`, `charge`, `multiplicity` as run.
 */
export interface XtbMdResult {
  readonly snapshots: JsonValue;
  readonly method: string;
  readonly charge: number;
  readonly multiplicity: number;
}

/**
 * A successful xtb result of tasks `energy` and `optimize`:
 * - `total_energy_hartree`: the final `TOTAL ENERGY`, Eh;
 * - `gradient_norm_hartree_bohr`: the final `GRADIENT NORM`, Eh/bohr (when printed);
 * - `homo_lumo_gap_ev`: the final `HOMO-LUMO GAP`, eV (when printed);
 * - `geometry`: Å, `[{element, x, y, z}]`: xtbopt.xyz (xtbopt.coord for a rendered input) for
 *   `optimize`, the input otherwise;
 * - `method` (GFN2, GFN1, GFN0, GFN-FF as given; for a rendered input the Hamiltonian xtb
 *   printed), `charge` (e), `multiplicity` (2S+1): as run.
 */
export interface XtbResult {
  readonly total_energy_hartree: number;
  readonly gradient_norm_hartree_bohr?: number;
  readonly homo_lumo_gap_ev?: number;
  readonly geometry: JsonValue;
  readonly method: string;
  readonly charge: number;
  readonly multiplicity: number;
}

const NUM = '(-?\\d+\\.\\d+(?:[Ee][-+]?\\d+)?)';

/** The outcome of one xtb run, from its stdout (and xtbopt.xyz for optimisations). */
export function parseXtb(outputs: JobOutputs, spec: CalcSpec): Outcome {
  const { stdout, stderr } = outputs;
  const programVersion = /xtb version (\d+(?:\.\d+)+)/.exec(stdout)?.[1];
  const fail = (failure: Failure): Outcome =>
    programVersion === undefined ? { ok: false, failure } : { ok: false, failure, programVersion };
  const machinery = machineryFailure(outputs, 'xtb', spec.resources.walltime_s);
  if (machinery !== undefined) return fail(machinery);

  // xtb's own error stack: `-1- where: what`, innermost cause last.
  const errors = [...stdout.matchAll(/^-\d+- (.*)$/gm)].map((m) => (m[1] ?? '').trim());
  const cause = errors[errors.length - 1];
  if (/did not converge/i.test(cause ?? '') && /scf|self consistent/i.test(cause ?? '')) {
    return fail({
      class: 'scf_not_converged',
      message: `xtb: ${cause ?? ''} (try --etemp or check the geometry)`,
    });
  }
  const unknownOption = /Unknown option '([^']*)'/.exec(stdout);
  if (unknownOption !== null) {
    return fail({
      class: 'input_error',
      message: `xtb ignored an unknown option "${unknownOption[1] ?? ''}": fix keywords`,
    });
  }
  const abnormal = stderr.includes('abnormal termination') || stdout.includes('[ERROR]');
  if (outputs.exitCode !== 0 || abnormal) {
    const detail = errors.length > 0 ? errors.join('; ') : lastLine(stderr) || lastLine(stdout);
    const inputProblem = /input file|argument|no such file|coord|cannot open|not exist/i.test(
      detail,
    );
    return fail({
      class: inputProblem ? 'input_error' : 'crash',
      message: `xtb stopped (exit ${String(outputs.exitCode)}): ${detail}`,
    });
  }

  if (spec.task === 'optimize') {
    const failed = /FAILED TO CONVERGE GEOMETRY OPTIMIZATION[^*\n]*/.exec(stdout);
    if (failed !== null) {
      return fail({
        class: 'opt_not_converged',
        message: `xtb: ${failed[0].trim()} (increase --cycles or start from a better geometry)`,
      });
    }
    if (!stdout.includes('GEOMETRY OPTIMIZATION CONVERGED')) {
      return fail({
        class: 'parse_error',
        message: 'xtb ended without GEOMETRY OPTIMIZATION CONVERGED',
      });
    }
  }

  const { charge, multiplicity } = spec.molecule ?? { charge: 0, multiplicity: 1 };
  if (spec.task === 'md') {
    const snapshots = trajectory(outputs.files[XTB_TRAJECTORY], spec.molecule?.atoms ?? []);
    if (snapshots === undefined) {
      return fail({
        class: 'parse_error',
        message: `xtb wrote no readable ${XTB_TRAJECTORY} matching the input atoms`,
      });
    }
    const result = { snapshots, method: methodName(spec.method), charge, multiplicity };
    return programVersion === undefined
      ? { ok: true, result }
      : { ok: true, result, programVersion };
  }

  const energy = lastMatch(stdout, new RegExp(`\\| TOTAL ENERGY\\s+${NUM} Eh`, 'g'));
  if (energy === undefined) {
    return fail({ class: 'parse_error', message: 'xtb output has no final TOTAL ENERGY line' });
  }

  const input = spec.molecule?.atoms ?? [];
  let geometry = input;
  if (spec.task === 'optimize') {
    const file = spec.input === undefined ? XTB_OPT_GEOMETRY : XTB_OPT_COORD;
    const text = outputs.files[file];
    let atoms: readonly Atom[] | undefined;
    try {
      if (text !== undefined) {
        atoms = spec.input === undefined ? parseXyz(text, file)[0]?.atoms : coordAtoms(text);
      }
    } catch {
      atoms = undefined;
    }
    if (atoms === undefined || !sameElements(atoms, input)) {
      return fail({
        class: 'parse_error',
        message: `xtb wrote no ${file} matching the ${input.length} input atoms`,
      });
    }
    geometry = atoms;
  }

  const result: Record<string, JsonValue> = {
    total_energy_hartree: energy,
    geometry: atomsJson(geometry),
    method:
      spec.input === undefined
        ? methodName(spec.method)
        : (/:\s+Hamiltonian\s+(\S+?)(?:-xTB)?\s+:/.exec(stdout)?.[1] ?? ''),
    charge,
    multiplicity,
  };
  const gnorm = lastMatch(stdout, new RegExp(`\\| GRADIENT NORM\\s+${NUM} Eh`, 'g'));
  if (gnorm !== undefined) result.gradient_norm_hartree_bohr = gnorm;
  const gap = lastMatch(stdout, new RegExp(`\\| HOMO-LUMO GAP\\s+${NUM} eV`, 'g'));
  if (gap !== undefined) result.homo_lumo_gap_ev = gap;
  return programVersion === undefined ? { ok: true, result } : { ok: true, result, programVersion };
}

/** The frames of xtb.trj as `[{geometry, energy_hartree}]`; undefined when unreadable. */
function trajectory(text: string | undefined, input: readonly Atom[]): JsonValue | undefined {
  if (text === undefined) return undefined;
  let frames;
  try {
    frames = parseXyz(text, XTB_TRAJECTORY);
  } catch {
    return undefined;
  }
  const snapshots: JsonValue[] = [];
  for (const frame of frames) {
    const energy = Number(/energy:\s*(-?\d+\.\d+)/.exec(frame.comment)?.[1]);
    if (!sameElements(frame.atoms, input) || !Number.isFinite(energy)) return undefined;
    snapshots.push({ geometry: atomsJson(frame.atoms), energy_hartree: energy });
  }
  return snapshots.length === 0 ? undefined : snapshots;
}

/** Å per bohr (CODATA 2014, as xtb's own conversion). */
const BOHR_ANGSTROM = 0.52917721067;

/** The atoms of a Turbomole `$coord` group (bohr, `x y z element` per line), in Å. */
function coordAtoms(text: string): Atom[] | undefined {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((l) => /^\$coord\s*$/.test(l.trim()));
  if (start < 0) return undefined;
  const atoms: Atom[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim().startsWith('$')) break;
    const [x, y, z, element] = line.trim().split(/\s+/);
    const symbol = normalizeSymbol(element ?? '');
    if (symbol === undefined) return undefined;
    const xyz = [x, y, z].map((v) => Number(v) * BOHR_ANGSTROM);
    if (xyz.some((v) => !Number.isFinite(v))) return undefined;
    atoms.push({ element: symbol, x: xyz[0] ?? 0, y: xyz[1] ?? 0, z: xyz[2] ?? 0 });
  }
  return atoms;
}

function lastMatch(text: string, pattern: RegExp): number | undefined {
  const all = [...text.matchAll(pattern)];
  const value = all[all.length - 1]?.[1];
  return value === undefined ? undefined : Number(value);
}

function methodName(method: string | undefined): string {
  try {
    return xtbMethodFlags(method).name;
  } catch {
    return method ?? '';
  }
}
