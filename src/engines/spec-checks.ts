import { normalizeSymbol } from '../chem/elements.js';
import type { Atom } from '../chem/molecule.js';
import { spinChargeProblem } from '../chem/molecule.js';
import type { CalcSpec, JsonValue } from '../core/calc-spec.js';
import { InputError, errorMessage } from '../core/errors.js';

/** A molecule with a geometry whose charge and multiplicity fit its electron count. */
export interface CheckedGeometry {
  readonly atoms: readonly Atom[];
  /** Total charge, e. */
  readonly charge: number;
  /** 2S+1. */
  readonly multiplicity: number;
}

/** Throws InputError('task') unless the spec's task is one of `tasks`. */
export function requireTask(spec: CalcSpec, program: string, tasks: readonly string[]): void {
  if (!tasks.includes(spec.task)) {
    throw new InputError(
      'task',
      `${program} cannot run task "${spec.task}"; it runs: ${tasks.join(', ')}`,
    );
  }
}

/** Charge and multiplicity of the spec's molecule, checked to be integers (multiplicity ≥ 1). */
export function requireChargeAndMultiplicity(spec: CalcSpec): {
  charge: number;
  multiplicity: number;
} {
  const molecule = spec.molecule;
  if (molecule === undefined) throw new InputError('molecule', 'a molecule is required');
  if (!Number.isInteger(molecule.charge)) {
    throw new InputError(
      'molecule.charge',
      `expected an integer charge, got ${String(molecule.charge)}`,
    );
  }
  if (!Number.isInteger(molecule.multiplicity) || molecule.multiplicity < 1) {
    throw new InputError(
      'molecule.multiplicity',
      `expected an integer multiplicity ≥ 1 (1 singlet, 2 doublet …), got ${String(molecule.multiplicity)}`,
    );
  }
  return { charge: molecule.charge, multiplicity: molecule.multiplicity };
}

/**
 * The spec's geometry, refused (InputError naming the field) when absent or empty, when an
 * element is unknown, or when charge and multiplicity do not fit the electron count.
 */
export function requireGeometry(spec: CalcSpec): CheckedGeometry {
  const { charge, multiplicity } = requireChargeAndMultiplicity(spec);
  const atoms = spec.molecule?.atoms;
  if (atoms === undefined || atoms.length === 0) {
    throw new InputError(
      'molecule',
      `${spec.program} ${spec.task} needs a geometry (molecule.atoms); there are no atoms`,
    );
  }
  let problem: string | undefined;
  try {
    problem = spinChargeProblem(atoms, charge, multiplicity);
  } catch (error) {
    throw new InputError('molecule.atoms', errorMessage(error), { cause: error });
  }
  if (problem !== undefined) throw new InputError('molecule.multiplicity', problem);
  return { atoms, charge, multiplicity };
}

/** An integer option ≥ `min`, or `fallback` when absent. */
export function intOption(spec: CalcSpec, name: string, fallback: number, min: number): number {
  const value: JsonValue | undefined = spec.options?.[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new InputError(
      `options.${name}`,
      `expected an integer ≥ ${min}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** A number option ≥ `min`, or `fallback` when absent. */
export function numberOption(spec: CalcSpec, name: string, fallback: number, min: number): number {
  const value: JsonValue | undefined = spec.options?.[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new InputError(
      `options.${name}`,
      `expected a number ≥ ${min}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** A string option that must be one of `allowed`, or undefined when absent. */
export function choiceOption<T extends string>(
  spec: CalcSpec,
  name: string,
  allowed: readonly T[],
): T | undefined {
  const value: JsonValue | undefined = spec.options?.[name];
  if (value === undefined) return undefined;
  const found = allowed.find((a) => a === value);
  if (found === undefined) {
    throw new InputError(
      `options.${name}`,
      `expected one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`,
    );
  }
  return found;
}

/** Refuses options this engine does not know, so a misspelt option is not silently ignored. */
export function refuseUnknownOptions(spec: CalcSpec, known: readonly string[]): void {
  for (const name of Object.keys(spec.options ?? {})) {
    if (!known.includes(name)) {
      const list = known.length === 0 ? 'none' : known.join(', ');
      throw new InputError(
        `options.${name}`,
        `unknown option for ${spec.program} ${spec.task}; known: ${list}`,
      );
    }
  }
}

/** True when both lists have the same elements (any spelling: `CL` = `Cl`) in the same order. */
export function sameElements(a: readonly Atom[], b: readonly Atom[]): boolean {
  const symbol = (atom: Atom | undefined): string | undefined =>
    atom === undefined ? undefined : (normalizeSymbol(atom.element) ?? atom.element);
  return a.length === b.length && a.every((atom, i) => symbol(atom) === symbol(b[i]));
}

/** Atoms as JSON (element, x, y, z in Å). */
export function atomsJson(atoms: readonly Atom[]): JsonValue {
  return atoms.map((a) => ({ element: a.element, x: a.x, y: a.y, z: a.z }));
}

/**
 * The basis set name, lower case: required, and a plain name (letters, digits, `()+-_*,.`) so
 * that it cannot break out of the input file it is written into.
 */
export function basisName(basis: string | undefined, program: string): string {
  if (basis === undefined || basis.trim() === '') {
    throw new InputError('basis', `${program} needs a basis set (sto-3g, 6-31g*, cc-pvdz …)`);
  }
  const name = basis.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9()+\-_*,.]*$/.test(name)) {
    throw new InputError(
      'basis',
      `expected a basis set name such as 6-31g* or aug-cc-pvtz, got ${JSON.stringify(basis)}`,
    );
  }
  return name;
}

/**
 * Refuses ghost atoms and external charges for the tasks that move atoms or differentiate twice
 * (`optimize`, `frequencies`): retort's engines support them for single points, gradients and
 * Hessians only. The InputError names the field that asked for them.
 */
export function refuseEmbeddingFor(
  spec: CalcSpec,
  tasks: readonly string[],
  atoms: readonly Atom[],
  chargeCount: number,
  chargesOption: string,
): void {
  if (!tasks.includes(spec.task)) return;
  const ghost = atoms.findIndex((a) => a.ghost === true);
  if (ghost >= 0) {
    throw new InputError(
      `molecule.atoms[${ghost}].ghost`,
      `${spec.program} ${spec.task} does not support ghost atoms; run energy, gradient or hessian instead`,
    );
  }
  if (chargeCount > 0) {
    throw new InputError(
      `options.${chargesOption}`,
      `${spec.program} ${spec.task} does not support external charges; run energy, gradient or hessian instead`,
    );
  }
}
