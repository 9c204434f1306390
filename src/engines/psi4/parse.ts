import type { CalcSpec, JsonValue } from '../../core/calc-spec.js';
import type { Failure } from '../../core/failure.js';
import type { JobOutputs, Outcome } from '../../core/job-spec.js';
import { lastLine, machineryFailure } from '../common-failures.js';
import { PSI4_OUTPUT, PSI4_RESULT, psi4Method } from './prepare.js';

/**
 * A successful psi4 result:
 * - `total_energy_hartree`: the energy of the method at the input geometry, Eh;
 * - `gradient_hartree_bohr` (task `gradient`): dE/dx, Eh/bohr, flat `[x1, y1, z1, x2, …]`
 *   (natoms × 3) in the spec's atom order and frame, ghost atoms included;
 * - `hessian_hartree_bohr2` (task `hessian`): d²E/dx², Eh/bohr², flat row-major 3n × 3n in the
 *   same order;
 * - `method`, `basis` (lower case, as run), `charge` (e), `multiplicity` (2S+1).
 * Every number is the double psi4 computed (written as JSON by the input's own Python).
 */
export interface Psi4Result {
  readonly total_energy_hartree: number;
  readonly gradient_hartree_bohr?: readonly number[];
  readonly hessian_hartree_bohr2?: readonly number[];
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
  if (typeof read === 'string') return fail({ class: 'parse_error', message: `psi4: ${read}` });
  const { charge, multiplicity } = spec.molecule ?? { charge: 0, multiplicity: 1 };
  const result: Record<string, JsonValue> = {
    total_energy_hartree: read.energy,
    method: safeMethod(spec.method),
    basis: (spec.basis ?? '').trim().toLowerCase(),
    charge,
    multiplicity,
  };
  if (read.gradient !== undefined) result.gradient_hartree_bohr = read.gradient;
  if (read.hessian !== undefined) result.hessian_hartree_bohr2 = read.hessian;
  return programVersion === undefined ? { ok: true, result } : { ok: true, result, programVersion };
}

/** The failure psi4's output explains, classified; undefined when it explains none. */
function psi4Failure(output: string, stderr: string): Failure | undefined {
  const text = `${output}\n${stderr}`;
  const error = errorLine(text);
  const detail = error ?? 'no error line';
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

interface Psi4Json {
  readonly energy: number;
  readonly gradient?: number[];
  readonly hessian?: number[];
}

/** result.json checked against the task and the atom count; a string says what is wrong. */
function readResult(text: string | undefined, spec: CalcSpec): Psi4Json | string {
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
  const n = 3 * (spec.molecule?.atoms?.length ?? 0);
  const list = (name: string, length: number): number[] | string => {
    const value = record[name];
    if (
      !Array.isArray(value) ||
      value.length !== length ||
      !value.every((v): v is number => typeof v === 'number' && Number.isFinite(v))
    ) {
      return `${PSI4_RESULT} has no ${name} of ${length} numbers`;
    }
    return value;
  };
  if (spec.task === 'gradient') {
    const gradient = list('gradient', n);
    return typeof gradient === 'string' ? gradient : { energy, gradient };
  }
  if (spec.task === 'hessian') {
    const hessian = list('hessian', n * n);
    return typeof hessian === 'string' ? hessian : { energy, hessian };
  }
  return { energy };
}

function safeMethod(method: string | undefined): string {
  try {
    return psi4Method(method);
  } catch {
    return method ?? '';
  }
}
