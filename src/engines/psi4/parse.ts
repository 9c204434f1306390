import type { CalcSpec, JsonValue } from '../../core/calc-spec.js';
import type { Failure } from '../../core/failure.js';
import type { JobOutputs, Outcome } from '../../core/job-spec.js';
import { lastLine, machineryFailure } from '../common-failures.js';
import { frequencyFields, type FrequencyFields } from '../../chem/thermochemistry.js';
import { atomsJson } from '../spec-checks.js';
import { PSI4_KEYWORDS_OPTION, PSI4_OUTPUT, PSI4_RESULT, psi4Method } from './prepare.js';

/**
 * A successful psi4 result:
 * - `total_energy_hartree`: the energy of the method at the input geometry (task `optimize`: at
 *   the final geometry), Eh;
 * - `gradient_hartree_bohr` (tasks `gradient` and `hessian`): dE/dx, Eh/bohr, flat
 *   `[x1, y1, z1, x2, …]` (natoms × 3) in the spec's atom order and frame, ghost atoms included;
 * - `hessian_hartree_bohr2` (task `hessian`): d²E/dx², Eh/bohr², flat row-major 3n × 3n in the
 *   same order;
 * - task `optimize`: `geometry` (the final geometry, Å, `[{element, x, y, z}]` in the spec's atom
 *   order and frame) and `optimization_steps` (energy and gradient evaluations psi4's optking
 *   took); an optimisation that does not converge within `geom_maxiter` is an
 *   `opt_not_converged` failure;
 * - task `frequencies`: the fields of {@link frequencyFields} (harmonic frequencies, cm⁻¹,
 *   imaginary ones negative, `imaginary_count`, ZPE and thermal corrections to H and G at
 *   298.15 K and 1 atm from psi4's own thermo analysis, Eh; translations and rotations are
 *   always projected out, as NWChem does, also at a geometry that is not a stationary point);
 * - `method`, `basis` (lower case, as run), `charge` (e), `multiplicity` (2S+1).
 * Every number is the double psi4 computed (written as JSON by the input's own Python).
 */
export interface Psi4Result extends Partial<FrequencyFields> {
  readonly total_energy_hartree: number;
  readonly gradient_hartree_bohr?: readonly number[];
  readonly hessian_hartree_bohr2?: readonly number[];
  readonly geometry?: JsonValue;
  readonly optimization_steps?: number;
  readonly method: string;
  readonly basis: string;
  readonly charge: number;
  readonly multiplicity: number;
}

const SUCCESS = 'Psi4 exiting successfully';

/** The outcome of one psi4 run, from output.dat and result.json. */
export function parsePsi4(outputs: JobOutputs, spec: CalcSpec): Outcome {
  const output = outputs.files[PSI4_OUTPUT] ?? '';
  const programVersion = /Psi4 (\d+\.\d+(?:\.\d+)?\S*) release/.exec(output)?.[1];
  const fail = (failure: Failure): Outcome =>
    programVersion === undefined ? { ok: false, failure } : { ok: false, failure, programVersion };
  const machinery = machineryFailure(outputs, 'psi4', spec.resources.walltime_s);
  if (machinery !== undefined) return fail(machinery);

  if (outputs.exitCode !== 0 || !output.includes(SUCCESS)) {
    const problem = psi4Failure(output, outputs.stderr);
    if (problem !== undefined) return fail(problem);
    const detail = errorLine(output) ?? (lastLine(outputs.stderr) || lastLine(output));
    return fail({
      class: 'crash',
      message: `psi4 stopped (exit ${String(outputs.exitCode)}): ${detail || 'no output.dat'}`,
    });
  }

  const read = readResult(outputs.files[PSI4_RESULT], spec);
  if (typeof read === 'string') {
    const hint =
      spec.input !== undefined && outputs.files[PSI4_RESULT] === undefined
        ? ` (the rendered input must call ${spec.task === 'frequencies' ? 'frequencies' : spec.task}())`
        : '';
    return fail({ class: 'parse_error', message: `psi4: ${read}${hint}` });
  }
  const { charge, multiplicity } = spec.molecule ?? { charge: 0, multiplicity: 1 };
  const result: Record<string, JsonValue> =
    spec.input === undefined
      ? {
          ...read.fields,
          method: safeMethod(spec.method),
          basis: (spec.basis ?? '').trim().toLowerCase(),
          charge,
          multiplicity,
        }
      : { ...read.fields, ...read.asRun };
  return programVersion === undefined ? { ok: true, result } : { ok: true, result, programVersion };
}

/** The failure psi4's output explains, classified; undefined when it explains none. */
function psi4Failure(output: string, stderr: string): Failure | undefined {
  const text = `${output}\n${stderr}`;
  const error = errorLine(text);
  const detail = error ?? 'no error line';
  const optimization = /Could not converge geometry optimization in (\d+) iterations/.exec(text);
  if (optimization !== null) {
    return {
      class: 'opt_not_converged',
      message: `psi4: the geometry optimisation did not converge within ${optimization[1] ?? '?'} energy and gradient evaluations (raise geom_maxiter in options.${PSI4_KEYWORDS_OPTION} or start from a better geometry)`,
    };
  }
  if (/SCFConvergenceError|Could not converge/.test(text)) {
    const what = /Could not converge[^\n]*/.exec(text)?.[0].trim() ?? detail;
    return {
      class: 'scf_not_converged',
      message: `psi4: ${what} (raise maxiter, try another guess or level shift, or check the geometry)`,
    };
  }
  if (
    /only for singlets|Inconsistent or unspecified chg\/mult|multiplicity .* not possible/i.test(
      text,
    )
  ) {
    return {
      class: 'spin_charge',
      message: `psi4: ${detail} (check molecule.charge and molecule.multiplicity)`,
    };
  }
  if (/BasisSetNotFound|Unable to find a basis set/.test(text)) {
    const what = [...text.matchAll(/Unable to find a basis set for atom[^\n%]*$/gm)].pop()?.[0];
    return { class: 'input_error', message: `psi4: ${(what ?? detail).trim()} (check basis)` };
  }
  if (/is not a valid option|ValidationError|UpgradeHelper/.test(text)) {
    return { class: 'input_error', message: `psi4 rejected its input: ${detail}` };
  }
  return undefined;
}

/**
 * The most telling error line of a psi4 output: the final Python exception (`…Error: what`),
 * else `Fatal Error: what`, else `PsiException: what`.
 */
function errorLine(text: string): string | undefined {
  const last = (pattern: RegExp): string | undefined => {
    const all = [...text.matchAll(pattern)];
    return all[all.length - 1]?.[0].trim();
  };
  const fatal = last(/^Fatal Error: .+$/gm);
  const exception = last(/^(?:[\w.]+\.)?\w*(?:Error|Exception|NotFound): .+$/gm);
  if (exception !== undefined && !/^RuntimeError: *$/.test(exception)) {
    return exception.replace(/^(?:[a-z_]\w*\.)+/, '');
  }
  return fatal ?? last(/^PsiException: .+$/gm);
}

/**
 * result.json's fields and, for a rendered input, the method, basis, charge and multiplicity
 * it says the run used; a string says what is wrong.
 */
function readResult(
  text: string | undefined,
  spec: CalcSpec,
): { fields: Record<string, JsonValue>; asRun: Record<string, JsonValue> } | string {
  const fields = readFields(text, spec);
  if (typeof fields === 'string') return fields;
  if (text === undefined) return `no ${PSI4_RESULT}`;
  if (spec.input === undefined) return { fields, asRun: {} };
  const record = JSON.parse(text) as Record<string, unknown>;
  const { method, basis, charge, multiplicity } = record;
  if (typeof method !== 'string' || typeof basis !== 'string') {
    return `${PSI4_RESULT} has no method and basis`;
  }
  if (!Number.isInteger(charge) || !Number.isInteger(multiplicity)) {
    return `${PSI4_RESULT} has no charge and multiplicity`;
  }
  return {
    fields,
    asRun: {
      method: method.toLowerCase(),
      basis: basis.toLowerCase(),
      charge: charge as number,
      multiplicity: multiplicity as number,
    },
  };
}

/**
 * result.json checked against the task and the atom count, as result fields; a string says what
 * is wrong.
 */
function readFields(text: string | undefined, spec: CalcSpec): Record<string, JsonValue> | string {
  if (text === undefined) return `psi4 ended successfully but wrote no ${PSI4_RESULT}`;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return `${PSI4_RESULT} is not JSON`;
  }
  if (typeof data !== 'object' || data === null) return `${PSI4_RESULT} is not an object`;
  const record = data as Record<string, unknown>;
  const energy = record.energy;
  if (typeof energy !== 'number' || !Number.isFinite(energy)) {
    return `${PSI4_RESULT} has no energy`;
  }
  const atoms = spec.molecule?.atoms ?? [];
  const n = 3 * atoms.length;
  const list = (name: string, length?: number): number[] | string => {
    const value = record[name];
    if (
      !Array.isArray(value) ||
      (length === undefined ? value.length === 0 : value.length !== length) ||
      !value.every((v): v is number => typeof v === 'number' && Number.isFinite(v))
    ) {
      return `${PSI4_RESULT} has no ${name} of ${length ?? 'some'} numbers`;
    }
    return value;
  };
  const number = (name: string): number | string => {
    const value = record[name];
    return typeof value === 'number' && Number.isFinite(value)
      ? value
      : `${PSI4_RESULT} has no ${name}`;
  };
  const total_energy_hartree = energy;
  if (spec.task === 'gradient') {
    const gradient = list('gradient', n);
    return typeof gradient === 'string'
      ? gradient
      : { total_energy_hartree, gradient_hartree_bohr: gradient };
  }
  if (spec.task === 'hessian') {
    const gradient = list('gradient', n);
    if (typeof gradient === 'string') return gradient;
    const hessian = list('hessian', n * n);
    return typeof hessian === 'string'
      ? hessian
      : { total_energy_hartree, gradient_hartree_bohr: gradient, hessian_hartree_bohr2: hessian };
  }
  if (spec.task === 'optimize') {
    const flat = list('geometry_angstrom', n);
    if (typeof flat === 'string') return flat;
    const steps = record.optimization_steps;
    if (typeof steps !== 'number' || !Number.isInteger(steps) || steps < 1) {
      return `${PSI4_RESULT} has no optimization_steps`;
    }
    const geometry = atoms.map((atom, i) => ({
      element: atom.element,
      x: flat[3 * i] ?? Number.NaN,
      y: flat[3 * i + 1] ?? Number.NaN,
      z: flat[3 * i + 2] ?? Number.NaN,
    }));
    return { total_energy_hartree, geometry: atomsJson(geometry), optimization_steps: steps };
  }
  if (spec.task === 'frequencies') {
    const frequencies = list('frequencies_cm1');
    if (typeof frequencies === 'string') return frequencies;
    const zpe = number('zpve');
    const enthalpy = number('enthalpy_correction');
    const gibbs = number('gibbs_correction');
    if (typeof zpe === 'string') return zpe;
    if (typeof enthalpy === 'string') return enthalpy;
    if (typeof gibbs === 'string') return gibbs;
    return {
      total_energy_hartree,
      ...frequencyFields(energy, {
        frequenciesCm1: frequencies,
        zeroPointEnergyHartree: zpe,
        enthalpyCorrectionHartree: enthalpy,
        gibbsCorrectionHartree: gibbs,
      }),
    };
  }
  return { total_energy_hartree };
}

function safeMethod(method: string | undefined): string {
  try {
    return psi4Method(method);
  } catch {
    return method ?? '';
  }
}
