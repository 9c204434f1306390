import type { CalcSpec, JsonValue } from '../../core/calc-spec.js';
import type { Failure } from '../../core/failure.js';
import type { JobOutputs, Outcome } from '../../core/job-spec.js';
import { lastLine, machineryFailure } from '../common-failures.js';
import type { NwchemTheory } from './prepare.js';
import { nwchemMethod } from './prepare.js';

/**
 * A successful NWChem result:
 * - `total_energy_hartree`: the last `Total SCF energy`, `Total DFT energy` or `Total MP2
 *   energy` of the method run, Eh (printed with 12 decimals);
 * - `gradient_hartree_bohr` (task `gradient`): dE/dx, Eh/bohr, flat `[x1, y1, z1, x2, …]`
 *   (natoms × 3) in the spec's atom order, ghost atoms included. NWChem prints gradients with
 *   6 decimals only, so they are good to 1e-6 Eh/bohr;
 * - `method`, `basis` (lower case, as run), `charge` (e), `multiplicity` (2S+1).
 */
export interface NwchemResult {
  readonly total_energy_hartree: number;
  readonly gradient_hartree_bohr?: readonly number[];
  readonly method: string;
  readonly basis: string;
  readonly charge: number;
  readonly multiplicity: number;
}

const NUM = '(-?\\d+\\.\\d+(?:[EeDd][-+]?\\d+)?)';
const ENERGY_LINES: Readonly<Record<NwchemTheory, RegExp>> = {
  scf: new RegExp(`Total SCF energy =\\s*${NUM}`, 'g'),
  dft: new RegExp(`Total DFT energy =\\s*${NUM}`, 'g'),
  mp2: new RegExp(`Total MP2 energy\\s+${NUM}`, 'g'),
};

/** The outcome of one NWChem run, from its stdout. */
export function parseNwchem(outputs: JobOutputs, spec: CalcSpec): Outcome {
  const { stdout, stderr } = outputs;
  const programVersion =
    /Northwest Computational Chemistry Package \(NWChem\) (\d+(?:\.\d+)+)/.exec(stdout)?.[1];
  const fail = (failure: Failure): Outcome =>
    programVersion === undefined ? { ok: false, failure } : { ok: false, failure, programVersion };
  const machinery = machineryFailure(outputs, 'nwchem', spec.resources.walltime_s);
  if (machinery !== undefined) return fail(machinery);

  const error = errorLine(stdout);
  if (outputs.exitCode !== 0 || error !== undefined) {
    const detail = error ?? (lastLine(stderr) || lastLine(stdout));
    if (stdout.includes('Calculation failed to converge')) {
      return fail({
        class: 'scf_not_converged',
        message: `NWChem: Calculation failed to converge (${detail}); raise iterations or check the geometry`,
      });
    }
    if (/bas_tag_lib|error in the specified basis set|failed opening basis file/.test(stdout)) {
      const file = /non-existing file:\s*\n\s*(\S+)/.exec(stdout)?.[1];
      return fail({
        class: 'input_error',
        message: `NWChem could not load the basis set${file === undefined ? '' : ` (no library file ${file})`}: ${detail}`,
      });
    }
    if (/input_parse|unknown directive|input error/i.test(`${detail}\n${stdout}`)) {
      return fail({ class: 'input_error', message: `NWChem rejected its input: ${detail}` });
    }
    return fail({
      class: 'crash',
      message: `NWChem stopped (exit ${String(outputs.exitCode)}): ${detail}`,
    });
  }

  let theory: NwchemTheory;
  try {
    theory = nwchemMethod(spec).theory;
  } catch {
    return fail({ class: 'parse_error', message: `NWChem: unknown method "${spec.method ?? ''}"` });
  }
  const energies = [...stdout.matchAll(ENERGY_LINES[theory])];
  const energyText = energies[energies.length - 1]?.[1];
  if (energyText === undefined) {
    return fail({
      class: 'parse_error',
      message: `NWChem output has no total ${theory.toUpperCase()} energy line`,
    });
  }
  const { charge, multiplicity } = spec.molecule ?? { charge: 0, multiplicity: 1 };
  const result: Record<string, JsonValue> = {
    total_energy_hartree: fortranNumber(energyText),
    method: (spec.method ?? '').trim().toLowerCase(),
    basis: (spec.basis ?? '').trim().toLowerCase(),
    charge,
    multiplicity,
  };
  if (spec.task === 'gradient') {
    const natoms = spec.molecule?.atoms?.length ?? 0;
    const gradient = lastGradient(stdout);
    if (gradient?.length !== 3 * natoms) {
      return fail({
        class: 'parse_error',
        message: `NWChem output has no ENERGY GRADIENTS block for the ${natoms} input atoms`,
      });
    }
    result.gradient_hartree_bohr = gradient;
  }
  return programVersion === undefined ? { ok: true, result } : { ok: true, result, programVersion };
}

/**
 * NWChem's own error message: the line framed by dashes before `current input line`
 * (`dft energy failed   0`, `bas_tag_lib: failed opening basis file   0`), the trailing error
 * code dropped. The first such message is the cause; later ones repeat it.
 */
function errorLine(stdout: string): string | undefined {
  const framed = /^ -{20,}\n (.*\S)\s*\n -{20,}\n -{20,}\n {2}current input line/m.exec(stdout);
  const text = framed?.[1]?.replace(/\s+-?\d+$/, '').trim();
  return text === undefined || text === '' ? undefined : text;
}

/** The gradient column of the last `… ENERGY GRADIENTS` block, flat, Eh/bohr. */
function lastGradient(stdout: string): number[] | undefined {
  const starts = [...stdout.matchAll(/^\s*\S+ ENERGY GRADIENTS\s*$/gm)];
  const start = starts[starts.length - 1];
  if (start === undefined) return undefined;
  const lines = stdout.slice(start.index + start[0].length).split('\n');
  const row = new RegExp(`^\\s*\\d+\\s+\\S+${`\\s+${NUM}`.repeat(6)}\\s*$`);
  const gradient: number[] = [];
  let seen = false;
  for (const line of lines) {
    const match = row.exec(line);
    if (match === null) {
      if (seen) break;
      continue;
    }
    seen = true;
    for (const i of [4, 5, 6]) gradient.push(fortranNumber(match[i] ?? ''));
  }
  return gradient;
}

function fortranNumber(text: string): number {
  return Number(text.replace(/[Dd]/, 'e'));
}
