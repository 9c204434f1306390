import type { XyzFrame } from '../../chem/xyz.js';
import { parseXyz } from '../../chem/xyz.js';
import type { CalcSpec, JsonValue } from '../../core/calc-spec.js';
import { errorMessage } from '../../core/errors.js';
import type { Failure } from '../../core/failure.js';
import type { JobOutputs, Outcome } from '../../core/job-spec.js';
import { lastLine, machineryFailure } from '../common-failures.js';
import { atomsJson, sameElements } from '../spec-checks.js';
import { CREST_ENSEMBLE } from './prepare.js';

/**
 * A successful CREST result:
 * - `conformers`: `[{geometry, energy_hartree}]` in the ensemble's order (CREST writes the
 *   lowest energy first); `geometry` Å, `[{element, x, y, z}]`, same atoms and order as the
 *   input; `energy_hartree` the GFN2-xTB energy CREST wrote on the frame's comment line, Eh;
 * - `count`: the number of conformers;
 * - `method`: `crest`.
 */
export interface CrestResult {
  readonly conformers: JsonValue;
  readonly count: number;
  readonly method: 'crest';
}

/** `Version 2.12,` or `Version 3.0.2,` in CREST's banner and in `crest --version`. */
export function crestVersion(text: string): string | undefined {
  return /Version (\d+(?:\.\d+)+)/.exec(text)?.[1];
}

/** The outcome of one CREST run, from its crest_conformers.xyz. */
export function parseCrest(outputs: JobOutputs, spec: CalcSpec): Outcome {
  const programVersion = crestVersion(outputs.stdout);
  const fail = (cls: Failure['class'], message: string): Outcome =>
    programVersion === undefined
      ? { ok: false, failure: { class: cls, message } }
      : { ok: false, failure: { class: cls, message }, programVersion };
  const machinery = machineryFailure(outputs, 'crest', spec.resources.walltime_s);
  if (machinery !== undefined) return fail(machinery.class, machinery.message);

  const why = (): string => lastLine(outputs.stderr) || lastLine(outputs.stdout);
  // A non-zero exit is a crash unless CREST says it ended normally (some builds exit non-zero
  // after a complete run, from Fortran STOP codes).
  if (outputs.exitCode !== 0 && !/CREST terminated normally/i.test(outputs.stdout)) {
    return fail('crash', `crest stopped (exit ${String(outputs.exitCode)}): ${why()}`);
  }
  const text = outputs.files[CREST_ENSEMBLE];
  if (text === undefined || text.trim() === '') {
    const detail = why();
    return fail('crash', `crest wrote no ${CREST_ENSEMBLE}${detail === '' ? '' : `: ${detail}`}`);
  }
  let frames: XyzFrame[];
  try {
    frames = parseXyz(text, CREST_ENSEMBLE);
  } catch (error) {
    return fail('parse_error', `cannot read ${CREST_ENSEMBLE}: ${errorMessage(error)}`);
  }
  const input = spec.molecule?.atoms ?? [];
  const conformers: JsonValue[] = [];
  for (const [i, frame] of frames.entries()) {
    if (!sameElements(frame.atoms, input)) {
      return fail(
        'parse_error',
        `${CREST_ENSEMBLE} conformer ${i + 1} does not have the ${input.length} input atoms in input order (it has ${frame.atoms.length})`,
      );
    }
    const energy = commentEnergy(frame.comment);
    if (energy === undefined) {
      return fail(
        'parse_error',
        `${CREST_ENSEMBLE} conformer ${i + 1} has no energy on its comment line ("${frame.comment.trim()}")`,
      );
    }
    conformers.push({ geometry: atomsJson(frame.atoms), energy_hartree: energy });
  }
  const result: Record<string, JsonValue> = {
    conformers,
    count: conformers.length,
    method: 'crest',
  };
  return programVersion === undefined ? { ok: true, result } : { ok: true, result, programVersion };
}

// CREST writes the energy alone (`  -17.61980176`); accept it first among other words too.
function commentEnergy(comment: string): number | undefined {
  const m = /^\s*(?:energy:\s*)?(-?\d+\.\d+(?:[Ee][-+]?\d+)?)(?:\s|$)/.exec(comment);
  if (m?.[1] === undefined) return undefined;
  const value = Number(m[1]);
  return Number.isFinite(value) ? value : undefined;
}
