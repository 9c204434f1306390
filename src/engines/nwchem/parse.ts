import type { CalcSpec, JsonValue } from '../../core/calc-spec.js';
import type { Failure } from '../../core/failure.js';
import type { JobOutputs, Outcome } from '../../core/job-spec.js';
import { normalizeSymbol } from '../../chem/elements.js';
import {
  THERMO_TEMPERATURE_K,
  type FrequencyFields,
  type Thermochemistry,
  frequencyFields,
  gibbsCorrectionHartree,
  vibrationCount,
} from '../../chem/thermochemistry.js';
import { lastLine, machineryFailure } from '../common-failures.js';
import { atomsJson } from '../spec-checks.js';
import type { NwchemTheory } from './prepare.js';
import { nwchemMethod } from './prepare.js';

/**
 * A successful NWChem result:
 * - `total_energy_hartree`: the last `Total SCF energy`, `Total DFT energy` or `Total MP2
 *   energy` of the method run (task `optimize`: at the final geometry), Eh (printed with 12
 *   decimals);
 * - `gradient_hartree_bohr` (task `gradient`): dE/dx, Eh/bohr, flat `[x1, y1, z1, x2, …]`
 *   (natoms × 3) in the spec's atom order, ghost atoms included. NWChem prints gradients with
 *   6 decimals only, so they are good to 1e-6 Eh/bohr;
 * - task `optimize`: `geometry` (the geometry after `Optimization converged`, Å, 8 decimals,
 *   `[{element, x, y, z}]` in the spec's atom order and frame) and `optimization_steps` (energy
 *   and gradient evaluations: the driver's steps 0 … n). A driver that stops at its `maxiter`
 *   (`<theory> optimize failed` after `@` step lines) is an `opt_not_converged` failure;
 * - task `frequencies`: the fields of {@link frequencyFields}, from the vib module: projected
 *   frequencies (cm⁻¹, 2 decimals, imaginary negative), ZPE and the thermal correction to H (Eh,
 *   6 decimals) and G − H = −TS from the total entropy (cal/mol·K, 3 decimals), at 298.15 K and
 *   1 atm. NWChem's entropy differs from psi4's by about 0.2 cal/mol·K (its rotational term), so
 *   its G correction is ~1e-4 Eh above psi4's for the same frequencies;
 * - task `nmr`: `shieldings_ppm`, every atom's GIAO shielding tensor from the property module,
 *   `[{index, element, isotropic_ppm, anisotropy_ppm}]` in the spec's atom order (`index` 1-based,
 *   as NWChem numbers them; 4 decimals), where the anisotropy is NWChem's: the first principal
 *   component it prints minus the mean of the other two (in the fixtures, the largest); `solvent` (the COSMO solvent name NWChem ran, or `vacuum`);
 *   `total_energy_hartree` is the DFT energy (in the solvent's reaction field with COSMO);
 * - `method`, `basis` (lower case, as run), `charge` (e), `multiplicity` (2S+1).
 */
export interface NwchemResult extends Partial<FrequencyFields> {
  readonly total_energy_hartree: number;
  readonly gradient_hartree_bohr?: readonly number[];
  readonly geometry?: JsonValue;
  readonly optimization_steps?: number;
  readonly shieldings_ppm?: readonly NwchemShielding[];
  readonly solvent?: string;
  readonly method: string;
  readonly basis: string;
  readonly charge: number;
  readonly multiplicity: number;
}

/** One atom's shielding in {@link NwchemResult.shieldings_ppm}. */
export interface NwchemShielding {
  readonly index: number;
  readonly element: string;
  readonly isotropic_ppm: number;
  readonly anisotropy_ppm: number;
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
    const steps = optimizationSteps(stdout);
    if (/^\w+ optimize failed$/.test(detail) && steps !== undefined) {
      return fail({
        class: 'opt_not_converged',
        message: `NWChem: the geometry optimisation did not converge within ${steps} energy and gradient evaluations (raise the driver's maxiter: keywords "driver; maxiter 50; end", or start from a better geometry)`,
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
  if (spec.input !== undefined) {
    // A rendered input names its module itself: the output's most refined energy says which.
    theory =
      (['mp2', 'dft', 'scf'] as const).find((t) =>
        new RegExp(ENERGY_LINES[t].source).test(stdout),
      ) ?? 'scf';
  } else {
    try {
      theory = nwchemMethod(spec).theory;
    } catch {
      return fail({
        class: 'parse_error',
        message: `NWChem: unknown method "${spec.method ?? ''}"`,
      });
    }
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
  const energy = fortranNumber(energyText);
  const result: Record<string, JsonValue> = {
    total_energy_hartree: energy,
    method: (spec.method ?? (spec.input === undefined ? '' : theory)).trim().toLowerCase(),
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
  if (spec.task === 'optimize') {
    const read = optimizeFields(stdout, spec);
    if (typeof read === 'string') return fail({ class: 'parse_error', message: `NWChem: ${read}` });
    Object.assign(result, read);
  }
  if (spec.task === 'frequencies') {
    const read = thermochemistry(stdout, spec);
    if (typeof read === 'string') return fail({ class: 'parse_error', message: `NWChem: ${read}` });
    Object.assign(result, frequencyFields(energy, read));
  }
  if (spec.task === 'nmr') {
    const read = shieldings(stdout, spec);
    if (typeof read === 'string') return fail({ class: 'parse_error', message: `NWChem: ${read}` });
    result.shieldings_ppm = read.map((s) => ({ ...s }));
    result.solvent = /^ solvname_short:\s*(\S+)/m.exec(stdout)?.[1] ?? 'vacuum';
  }
  return programVersion === undefined ? { ok: true, result } : { ok: true, result, programVersion };
}

/**
 * The isotropic shielding and anisotropy of each atom's `Total Shielding Tensor`, after the
 * property module's `Chemical Shielding Tensors (GIAO, in ppm)` header: one `Atom: n X` block
 * per atom, in input order.
 */
function shieldings(stdout: string, spec: CalcSpec): NwchemShielding[] | string {
  const atoms = spec.molecule?.atoms ?? [];
  const header = stdout.lastIndexOf('Chemical Shielding Tensors (GIAO, in ppm)');
  if (header < 0) return 'the output has no GIAO shielding tensors';
  const block = new RegExp(
    `^\\s+Atom:\\s+(\\d+)\\s+(\\S+)\\s*$[^]*?^\\s+isotropic =\\s*${NUM}\\s*\\n\\s+anisotropy =\\s*${NUM}`,
    'gm',
  );
  const read: NwchemShielding[] = [];
  for (const match of stdout.slice(header).matchAll(block)) {
    const atom = atoms[read.length];
    const index = Number(match[1]);
    if (
      atom === undefined ||
      index !== read.length + 1 ||
      normalizeSymbol(match[2] ?? '') !== normalizeSymbol(atom.element)
    ) {
      return 'the shielding tensors do not list the input atoms in their order';
    }
    read.push({
      index,
      element: atom.element,
      isotropic_ppm: fortranNumber(match[3] ?? ''),
      anisotropy_ppm: fortranNumber(match[4] ?? ''),
    });
  }
  if (read.length !== atoms.length) {
    return `the output has shielding tensors of ${read.length} of the ${atoms.length} input atoms`;
  }
  return read;
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

/**
 * Energy and gradient evaluations of an optimisation: the driver's last `@ Step` line counts from
 * step 0 (the input geometry).
 */
function optimizationSteps(stdout: string): number | undefined {
  const steps = [...stdout.matchAll(/^@\s+(\d+)\s+-?\d/gm)];
  const last = steps[steps.length - 1]?.[1];
  return last === undefined ? undefined : Number(last) + 1;
}

/** `geometry` and `optimization_steps` of a converged optimisation. */
function optimizeFields(stdout: string, spec: CalcSpec): Record<string, JsonValue> | string {
  const converged = stdout.lastIndexOf('Optimization converged');
  const steps = optimizationSteps(stdout);
  if (converged < 0 || steps === undefined)
    return 'the output does not say "Optimization converged"';
  const input = spec.molecule?.atoms ?? [];
  const header = stdout.indexOf('Output coordinates in angstroms', converged);
  const lines = header < 0 ? [] : stdout.slice(header).split('\n').slice(1);
  const row = new RegExp(`^\\s*(\\d+)\\s+(\\S+)\\s+${NUM}${`\\s+${NUM}`.repeat(3)}\\s*$`);
  const geometry: { element: string; x: number; y: number; z: number }[] = [];
  for (const line of lines) {
    const match = row.exec(line);
    if (match === null) {
      if (geometry.length > 0) break;
      continue;
    }
    const atom = input[geometry.length];
    if (atom === undefined || normalizeSymbol(match[2] ?? '') !== normalizeSymbol(atom.element)) {
      return 'the final geometry does not list the input atoms in their order';
    }
    // NWChem prints -0.00000000; the geometry is the one of the input, where 0 is 0.
    const coordinate = (text: string | undefined): number => fortranNumber(text ?? '') + 0;
    geometry.push({
      element: atom.element,
      x: coordinate(match[4]),
      y: coordinate(match[5]),
      z: coordinate(match[6]),
    });
  }
  if (geometry.length !== input.length) {
    return `the output has no final geometry of the ${input.length} input atoms`;
  }
  return { geometry: atomsJson(geometry), optimization_steps: steps };
}

/**
 * The vib module's projected frequencies (the translations and rotations, projected out to
 * about zero, dropped: the 3N − vibrations of smallest magnitude) and its thermochemistry: ZPE
 * and the thermal correction to H in Eh (printed with 6 decimals), the total entropy (cal/mol·K,
 * 3 decimals) giving G − H = −TS. It must be at 298.15 K.
 */
function thermochemistry(stdout: string, spec: CalcSpec): Thermochemistry | string {
  const atoms = spec.molecule?.atoms ?? [];
  const start = stdout.lastIndexOf('Projected Frequencies expressed in cm-1');
  if (start < 0) return 'the output has no projected frequencies';
  const all = [...stdout.slice(start).matchAll(/^ P\.Frequency((?:\s+-?\d+\.\d+)+)\s*$/gm)]
    .flatMap((m) => (m[1] ?? '').trim().split(/\s+/))
    .map(Number);
  if (all.length !== 3 * atoms.length) {
    return `the output has ${all.length} projected frequencies for ${atoms.length} atoms`;
  }
  const vibrations = vibrationCount(atoms);
  const frequenciesCm1 = all
    .map((value, index) => ({ value, index }))
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value))
    .slice(0, vibrations)
    .sort((a, b) => a.index - b.index)
    .map((f) => f.value);
  const temperature = /^ Temperature\s+=\s+(\d+\.\d+)K/m.exec(stdout)?.[1];
  if (temperature === undefined || Number(temperature) !== THERMO_TEMPERATURE_K) {
    return `the thermochemistry is not at ${THERMO_TEMPERATURE_K} K (temperature ${temperature ?? 'not printed'})`;
  }
  const au = (label: string): number | undefined => {
    const text = new RegExp(`^ ${label}\\s+=.*\\(\\s*${NUM} au\\)`, 'm').exec(stdout)?.[1];
    return text === undefined ? undefined : fortranNumber(text);
  };
  const zpe = au('Zero-Point correction to Energy');
  const enthalpy = au('Thermal correction to Enthalpy');
  const entropy = /^ Total Entropy\s+=\s+(-?\d+\.\d+) cal\/mol-K/m.exec(stdout)?.[1];
  if (zpe === undefined || enthalpy === undefined || entropy === undefined) {
    return 'the output has no zero-point, enthalpy or entropy line';
  }
  return {
    frequenciesCm1,
    zeroPointEnergyHartree: zpe,
    enthalpyCorrectionHartree: enthalpy,
    gibbsCorrectionHartree: gibbsCorrectionHartree(enthalpy, Number(entropy)),
  };
}

function fortranNumber(text: string): number {
  return Number(text.replace(/[Dd]/, 'e'));
}
