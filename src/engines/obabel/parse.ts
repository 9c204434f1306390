import type { Atom } from '../../chem/molecule.js';
import { spinChargeProblem } from '../../chem/molecule.js';
import type { XyzFrame } from '../../chem/xyz.js';
import { parseXyz } from '../../chem/xyz.js';
import type { CalcSpec, JsonValue } from '../../core/calc-spec.js';
import { errorMessage } from '../../core/errors.js';
import type { Failure } from '../../core/failure.js';
import type { JobOutputs, Outcome } from '../../core/job-spec.js';
import { lastLine, machineryFailure } from '../common-failures.js';
import { atomsJson, sameElements } from '../spec-checks.js';
import { CONFORMERS_OUTPUT, GEN3D_OUTPUT } from './prepare.js';
import { preloadFailed } from './seed.js';

/**
 * A successful `gen3d` result: `geometry` (Å, `[{element, x, y, z}]`, hydrogens included),
 * `atom_count`, and the `charge` (e) and `multiplicity` (2S+1) it was checked against.
 */
export interface Gen3dResult {
  readonly geometry: JsonValue;
  readonly atom_count: number;
  readonly charge: number;
  readonly multiplicity: number;
}

/**
 * A successful `conformers` result: `conformers` (`[{geometry}]`, each geometry Å, same atoms
 * and order as the input), `count`, and `algorithm` (`genetic` or `confab`).
 */
export interface ConformersResult {
  readonly conformers: JsonValue;
  readonly count: number;
  readonly algorithm: string;
}

// Atoms closer than this (Å) mean Open Babel gave no real 3D coordinates.
const MIN_DISTANCE_ANGSTROM = 0.3;

/** The outcome of one obabel run. */
export function parseObabel(outputs: JobOutputs, spec: CalcSpec): Outcome {
  const machinery = machineryFailure(outputs, 'obabel', spec.resources.walltime_s);
  if (machinery !== undefined) return { ok: false, failure: machinery };
  if (preloadFailed(outputs.stderr)) {
    // Without libfaketime obabel seeds from the clock: its output is not the seed's.
    return fail(
      'program_missing',
      'libfaketime is not installed where obabel ran (apt-get install libfaketime), so Open Babel could not be seeded',
    );
  }
  return spec.task === 'gen3d' ? parseGen3d(outputs, spec) : parseConformers(outputs, spec);
}

function parseGen3d(outputs: JobOutputs, spec: CalcSpec): Outcome {
  const smiles = spec.molecule?.smiles ?? '';
  const text = outputs.files[GEN3D_OUTPUT];
  if (text === undefined || text.trim() === '' || /\b0 molecules converted/.test(outputs.stderr)) {
    const warning = obabelWarning(outputs.stderr);
    return fail(
      'input_error',
      `Open Babel could not read SMILES ${smiles}${warning === undefined ? '' : `: ${warning}`}`,
    );
  }
  if (outputs.exitCode !== 0) {
    return fail(
      'crash',
      `obabel exited with status ${String(outputs.exitCode)}: ${lastLine(outputs.stderr)}`,
    );
  }
  const frames = readFrames(text, GEN3D_OUTPUT);
  if (typeof frames === 'string') return fail('parse_error', frames);
  const atoms = frames[0]?.atoms ?? [];
  if (frames.length !== 1)
    return fail('parse_error', `obabel wrote ${frames.length} molecules for one SMILES ${smiles}`);
  if (collapsed(atoms)) {
    return fail(
      'geometry_error',
      `Open Babel returned no usable 3D coordinates for ${smiles} (atoms on top of each other); gen3d_speed fast/fastest do this in Open Babel 3.1, use med or better`,
    );
  }
  const charge = spec.molecule?.charge ?? 0;
  const multiplicity = spec.molecule?.multiplicity ?? 1;
  let problem: string | undefined;
  try {
    problem = spinChargeProblem(atoms, charge, multiplicity);
  } catch (error) {
    return fail('parse_error', `obabel geometry: ${errorMessage(error)}`);
  }
  if (problem !== undefined) {
    return fail(
      'spin_charge',
      `the 3D structure of ${smiles} (${atoms.length} atoms) does not fit charge ${charge} and multiplicity ${multiplicity}: ${problem}`,
    );
  }
  return {
    ok: true,
    result: { geometry: atomsJson(atoms), atom_count: atoms.length, charge, multiplicity },
  };
}

function parseConformers(outputs: JobOutputs, spec: CalcSpec): Outcome {
  if (outputs.exitCode !== 0) {
    return fail(
      'crash',
      `obabel exited with status ${String(outputs.exitCode)}: ${lastLine(outputs.stderr)}`,
    );
  }
  const text = outputs.files[CONFORMERS_OUTPUT];
  if (text === undefined || text.trim() === '') {
    const warning = obabelWarning(outputs.stderr) ?? lastLine(outputs.stderr);
    return fail('crash', `obabel wrote no conformers${warning === '' ? '' : `: ${warning}`}`);
  }
  const frames = readFrames(text, CONFORMERS_OUTPUT);
  if (typeof frames === 'string') return fail('parse_error', frames);
  const input = spec.molecule?.atoms ?? [];
  if (!frames.every((f) => sameElements(f.atoms, input))) {
    return fail(
      'parse_error',
      `obabel conformers do not have the ${input.length} input atoms in input order`,
    );
  }
  const algorithm =
    typeof spec.options?.algorithm === 'string' ? spec.options.algorithm : 'genetic';
  return {
    ok: true,
    result: {
      conformers: frames.map((f) => ({ geometry: atomsJson(f.atoms) })),
      count: frames.length,
      algorithm,
    },
  };
}

function fail(cls: Failure['class'], message: string): Outcome {
  return { ok: false, failure: { class: cls, message } };
}

function readFrames(text: string, source: string): XyzFrame[] | string {
  try {
    return parseXyz(text, source);
  } catch (error) {
    return `cannot read ${source}: ${errorMessage(error)}`;
  }
}

// The first line after an `*** Open Babel Warning/Error` banner says what went wrong.
function obabelWarning(stderr: string): string | undefined {
  const m = /\*\*\* Open Babel (?:Warning|Error)[^\n]*\n\s*([^\n]+)/.exec(stderr);
  return m?.[1]?.trim();
}

function collapsed(atoms: readonly Atom[]): boolean {
  for (let i = 0; i < atoms.length; i++) {
    for (let j = i + 1; j < atoms.length; j++) {
      const a = atoms[i];
      const b = atoms[j];
      if (a === undefined || b === undefined) continue;
      if (Math.hypot(a.x - b.x, a.y - b.y, a.z - b.z) < MIN_DISTANCE_ANGSTROM) return true;
    }
  }
  return false;
}
