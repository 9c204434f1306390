import type { Atom } from '../../chem/molecule.js';
import { bondChanges, describeChanges } from '../../chem/bond-graph.js';
import { normalizeSymbol } from '../../chem/elements.js';
import type { CalcSpec, JsonValue } from '../../core/calc-spec.js';
import type { Failure, FailureClass } from '../../core/failure.js';
import type { JobOutputs, Outcome } from '../../core/job-spec.js';
import { lastLine, machineryFailure } from '../common-failures.js';
import { atomsJson, sameElements } from '../spec-checks.js';
import { MOPAC_ARCHIVE, MOPAC_OUTPUT } from './prepare.js';

/**
 * A successful MOPAC result:
 * - `heat_of_formation_kcal_mol`: the FINAL HEAT OF FORMATION, kcal/mol;
 * - `geometry`: final Cartesian coordinates, Å, `[{element, x, y, z}]`, same atoms and order as
 *   the input (the input geometry for `energy`);
 * - `gradient_norm_kcal_mol_angstrom`: GRADIENT NORM, kcal/mol/Å (only when MOPAC prints it:
 *   optimisations);
 * - `ionization_potential_ev`: IONIZATION POTENTIAL, eV (when printed);
 * - `method`, `charge` (e), `multiplicity` (2S+1): as run.
 */
export interface MopacResult {
  readonly heat_of_formation_kcal_mol: number;
  readonly geometry: JsonValue;
  readonly gradient_norm_kcal_mol_angstrom?: number;
  readonly ionization_potential_ev?: number;
  readonly method: string;
  readonly charge: number;
  readonly multiplicity: number;
}

const NUM = '(-?\\d+(?:\\.\\d*)?(?:[EeDd][-+]?\\d+)?)';

// MOPAC exits 0 and prints JOB ENDED NORMALLY even when it failed: its messages decide.
const KNOWN_ERRORS: readonly { pattern: RegExp; class: FailureClass; advice: string }[] = [
  {
    pattern: /UNRECOGNIZED KEY-?WORDS.*|Errors detected in keywords.*/,
    class: 'input_error',
    advice: 'fix keywords or method',
  },
  {
    pattern:
      /\w+ SPECIFIED WITH (?:ODD|EVEN) NUMBER OF ELECTRONS.*|IMPOSSIBLE NUMBER OF .*ELECTRONS.*/,
    class: 'spin_charge',
    advice: 'check molecule.charge and molecule.multiplicity',
  },
  {
    // RHF with an active space too small for the spin state (a triplet without UHF or OPEN).
    pattern: /SPECIFIED SPIN COMPONENT NOT SPANNED BY ACTIVE SPACE/,
    class: 'spin_charge',
    advice: 'run the open shell with UHF, or give an active space with OPEN(n,m)',
  },
  {
    pattern: /GEOMETRY IN ERROR.*|NO REAL ATOMS.*|ATOMS +\d+ AND +\d+ ARE SEPARATED BY.*/,
    class: 'geometry_error',
    advice: 'fix the geometry',
  },
  {
    pattern: /UNABLE TO ACHIEVE SELF-CONSISTENCE|FAILED TO ACHIEVE SCF|THE SCF CALCULATION FAILED/,
    class: 'scf_not_converged',
    advice: 'check the geometry or try keywords SHIFT=… or PULAY',
  },
  {
    pattern: /EXCESS NUMBER OF OPTIMIZATION CYCLES|NOT ENOUGH TIME FOR ANOTHER CYCLE/,
    class: 'opt_not_converged',
    advice: 'start from a better geometry or allow more cycles (keyword CYCLES=)',
  },
];

/**
 * The outcome of one MOPAC run, from `input.out` (and `input.arc` for the geometry). An
 * optimisation whose final geometry is bonded otherwise than its input fails with
 * `topology_changed`, naming what changed.
 */
export function parseMopac(outputs: JobOutputs, spec: CalcSpec): Outcome {
  const machinery = machineryFailure(outputs, 'mopac', spec.resources.walltime_s);
  const out = outputs.files[MOPAC_OUTPUT];
  const programVersion = out === undefined ? undefined : /MOPAC v(\d+(?:\.\d+)+)/.exec(out)?.[1];
  const fail = (failure: Failure): Outcome =>
    programVersion === undefined ? { ok: false, failure } : { ok: false, failure, programVersion };
  if (machinery !== undefined) return fail(machinery);
  if (out === undefined || out.trim() === '') {
    const why = lastLine(outputs.stderr) || lastLine(outputs.stdout);
    return fail({
      class: 'crash',
      message: `MOPAC wrote no ${MOPAC_OUTPUT}${why === '' ? '' : `: ${why}`}`,
    });
  }

  for (const known of KNOWN_ERRORS) {
    const match = known.pattern.exec(out);
    if (match !== null) {
      const line = match[0]
        .replace(/\s+/g, ' ')
        .replace(/[ *]+$/, '')
        .trim();
      return fail({ class: known.class, message: `MOPAC: ${line} (${known.advice})` });
    }
  }

  const hof = new RegExp(`FINAL HEAT OF FORMATION\\s*=\\s*${NUM}\\s*KCAL/MOL`).exec(out)?.[1];
  if (hof === undefined) {
    const reported = reportedMessages(out);
    const why = reported[0] ?? (lastLine(outputs.stderr) || 'output ends without a result');
    const ended = out.includes('JOB ENDED NORMALLY') ? '' : ' (no JOB ENDED NORMALLY)';
    return fail({
      class: 'crash',
      message: `MOPAC gave no FINAL HEAT OF FORMATION${ended}: ${why}`,
    });
  }

  const input = spec.molecule?.atoms ?? [];
  const geometry = finalGeometry(out, outputs.files[MOPAC_ARCHIVE]);
  if (geometry === undefined || !sameElements(geometry, input)) {
    return fail({
      class: 'parse_error',
      message: `MOPAC output has no final geometry matching the ${input.length} input atoms`,
    });
  }

  if (spec.task === 'optimize') {
    const changes = bondChanges(input, geometry);
    if (changes.length > 0) {
      return fail({
        class: 'topology_changed',
        message: `MOPAC's optimised geometry is another species: ${describeChanges(changes)} (heat of formation ${hof} kcal/mol not kept)`,
      });
    }
  }

  const { charge, multiplicity } = spec.molecule ?? { charge: 0, multiplicity: 1 };
  const result: Record<string, JsonValue> = {
    heat_of_formation_kcal_mol: toNumber(hof),
    geometry: atomsJson(geometry),
    method: (spec.method ?? 'PM7').toUpperCase(),
    charge,
    multiplicity,
  };
  const gnorm = new RegExp(`GRADIENT NORM\\s*=\\s*${NUM}`).exec(out)?.[1];
  if (gnorm !== undefined) result.gradient_norm_kcal_mol_angstrom = toNumber(gnorm);
  const ip = new RegExp(`IONIZATION POTENTIAL\\s*=\\s*${NUM}\\s*EV`).exec(out)?.[1];
  if (ip !== undefined) result.ionization_potential_ev = toNumber(ip);
  return programVersion === undefined ? { ok: true, result } : { ok: true, result, programVersion };
}

function toNumber(text: string): number {
  return Number(text.replace(/[Dd]/, 'E'));
}

/** Lines of the "Error and normal termination messages" box other than JOB ENDED NORMALLY. */
function reportedMessages(out: string): string[] {
  const start = out.indexOf('Error and normal termination messages');
  if (start < 0) return [];
  const messages: string[] = [];
  for (const raw of out.slice(start).split(/\r?\n/).slice(1)) {
    const line = raw
      .replace(/^\s*\*/, '')
      .replace(/\*\s*$/, '')
      .trim();
    if (/^\*+$/.test(raw.trim())) break;
    if (line !== '' && line !== 'JOB ENDED NORMALLY') messages.push(line);
  }
  return messages;
}

/**
 * The last `CARTESIAN COORDINATES` block of the .out (9 decimals), or the .arc's FINAL GEOMETRY
 * OBTAINED block when the .out has none.
 */
function finalGeometry(out: string, arc: string | undefined): Atom[] | undefined {
  const blocks = out.split(/CARTESIAN COORDINATES/).slice(1);
  const last = blocks[blocks.length - 1];
  const fromOut = last === undefined ? undefined : readAtoms(last, cartesianLine);
  if (fromOut !== undefined && fromOut.length > 0) return fromOut;
  const start = arc?.indexOf('FINAL GEOMETRY OBTAINED') ?? -1;
  if (arc === undefined || start < 0) return undefined;
  const fromArc = readAtoms(arc.slice(start), arcLine);
  return fromArc !== undefined && fromArc.length > 0 ? fromArc : undefined;
}

const cartesianLine = new RegExp(`^\\s*\\d+\\s+([A-Za-z]{1,2})\\s+${NUM}\\s+${NUM}\\s+${NUM}\\s*$`);
const arcLine = new RegExp(
  `^\\s*([A-Za-z]{1,2})\\s+${NUM}\\s+[-+]?\\d\\s+${NUM}\\s+[-+]?\\d\\s+${NUM}\\s+[-+]?\\d\\s*$`,
);

// Atom lines of the first run of matching lines in `text`; header lines before it are skipped.
function readAtoms(text: string, pattern: RegExp): Atom[] | undefined {
  const atoms: Atom[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = pattern.exec(line);
    if (m === null) {
      if (atoms.length > 0) break;
      continue;
    }
    const element = normalizeSymbol(m[1] ?? '');
    if (element === undefined) return undefined;
    atoms.push({
      element,
      x: toNumber(m[2] ?? ''),
      y: toNumber(m[3] ?? ''),
      z: toNumber(m[4] ?? ''),
    });
  }
  return atoms;
}
