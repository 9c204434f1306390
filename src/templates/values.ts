import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readCif } from '../chem/cif.js';
import { atomicNumber } from '../chem/elements.js';
import type { Molecule } from '../chem/molecule.js';
import { cellVolume, type PeriodicStructure } from '../chem/structure.js';
import { parseXyz } from '../chem/xyz.js';
import type { JsonValue } from '../core/calc-spec.js';
import { InputError } from '../core/errors.js';
import { valueProblem, type ParameterSpec } from './header.js';

/**
 * A value for a parameter as the user gave it: text from `--set k=v` or the form (read by the
 * parameter's type), JSON from a calc-list line, a path for `file`, `structure` (CIF) and
 * `molecule` (XYZ), or the molecule or crystal itself.
 */
export type RawValue = JsonValue | Molecule | PeriodicStructure;

/** What a template's values come from besides the parameters set by name. */
export interface RenderContext {
  /** The molecule of a calc (`--xyz`/`--smiles`, `--molecule`): the value of every molecule parameter not set. */
  readonly molecule?: Molecule;
  /** The crystal of a calc (`--structure`): the value of every structure parameter not set. */
  readonly structure?: PeriodicStructure;
  /** Where relative paths of `file`, `structure` and `molecule` values are resolved. */
  readonly baseDir?: string;
}

/**
 * Every declared parameter's value, checked by type: set values, else the context's molecule
 * or crystal, else the default. An unknown name, a value of the wrong type or a required
 * parameter without value is an InputError naming the template and the parameter.
 */
export function resolveValues(
  template: string,
  parameters: readonly ParameterSpec[],
  set: Readonly<Record<string, RawValue>>,
  context: RenderContext,
): Record<string, unknown> {
  for (const name of Object.keys(set)) {
    if (!parameters.some((p) => p.name === name)) {
      const known = parameters.map((p) => p.name).join(', ') || 'none';
      throw new InputError(
        `template ${template}: parameter ${name}`,
        `not declared by the template (it has: ${known})`,
      );
    }
  }
  const values: Record<string, unknown> = {};
  for (const p of parameters) {
    const where = `template ${template}: parameter ${p.name}`;
    const raw: RawValue | undefined =
      set[p.name] ??
      (p.type === 'molecule' ? context.molecule : undefined) ??
      (p.type === 'structure' ? context.structure : undefined);
    if (raw === undefined) {
      if (p.default !== undefined) values[p.name] = p.default;
      else if (p.required) throw new InputError(where, `required: expected ${expectation(p)}`);
      continue;
    }
    values[p.name] = typedValue(p, raw, where, context.baseDir ?? process.cwd());
  }
  return values;
}

/** What a parameter expects, in words (for messages and the form). */
export function expectation(p: ParameterSpec): string {
  switch (p.type) {
    case 'structure':
      return 'a crystal (a CIF file)';
    case 'molecule':
      return 'a molecule (an XYZ file)';
    case 'file':
      return 'a file';
    default:
      return valueProblem(p, Symbol('none')) ?? p.type;
  }
}

function typedValue(p: ParameterSpec, raw: RawValue, where: string, baseDir: string): unknown {
  if (p.type === 'structure') return structureValue(asStructure(raw, where, baseDir));
  if (p.type === 'molecule') return moleculeValue(asMolecule(raw, where, baseDir));
  if (p.type === 'file') {
    if (typeof raw !== 'string') throw new InputError(where, 'expected a file path');
    return readText(resolve(baseDir, raw), where);
  }
  const value = typeof raw === 'string' ? fromText(p, raw) : raw;
  const problem = valueProblem(p, value);
  if (problem !== undefined) {
    throw new InputError(where, `expected ${problem}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/**
 * A typed text of the form or `--set` as its parameter reads it (`40` for a float, `yes` for a
 * bool), or what the parameter expects; for int, float, bool, choice and string parameters.
 */
export function readParameterText(
  p: ParameterSpec,
  text: string,
):
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly expected: string } {
  const value = fromText(p, text);
  const problem = valueProblem(p, value);
  return problem === undefined ? { ok: true, value } : { ok: false, expected: problem };
}

/** A text as the parameter's type reads it (`--set`, the form); left as is when it is not. */
function fromText(p: ParameterSpec, text: string): unknown {
  const t = text.trim();
  switch (p.type) {
    case 'int':
    case 'float':
      return t === '' || Number.isNaN(Number(t)) ? text : Number(t);
    case 'bool':
      if (/^(true|yes|on|1)$/i.test(t)) return true;
      if (/^(false|no|off|0)$/i.test(t)) return false;
      return text;
    case 'choice':
      return (p.choices ?? []).find((c) => String(c) === t) ?? text;
    default:
      return text;
  }
}

function readText(path: string, where: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw new InputError(where, `cannot read ${path}`, { cause });
  }
}

function asStructure(raw: RawValue, where: string, baseDir: string): PeriodicStructure {
  if (typeof raw === 'string') {
    const path = resolve(baseDir, raw);
    try {
      return readCif(readText(path, where), path);
    } catch (cause) {
      if (cause instanceof InputError) throw new InputError(where, cause.message, { cause });
      throw cause;
    }
  }
  if (typeof raw === 'object' && raw !== null && 'lattice_angstrom' in raw) {
    return raw as PeriodicStructure;
  }
  throw new InputError(where, 'expected a crystal: the path of a CIF file');
}

function asMolecule(raw: RawValue, where: string, baseDir: string): Molecule {
  if (typeof raw === 'string') {
    const path = resolve(baseDir, raw);
    const frame = parseXyz(readText(path, where), path)[0];
    if (frame === undefined) throw new InputError(where, `${path} holds no geometry`);
    return { atoms: frame.atoms, charge: 0, multiplicity: 1 };
  }
  if (typeof raw === 'object' && raw !== null && 'charge' in raw && 'atoms' in raw) {
    return raw as Molecule;
  }
  throw new InputError(where, 'expected a molecule: the path of an XYZ file');
}

const DECIMALS = 8;
const fixed = (v: number): string => (Object.is(v, -0) ? 0 : v).toFixed(DECIMALS);

/**
 * A molecule as templates see it: `atoms` (each `element`, `number` (Z), `x`, `y`, `z` in Å and
 * `xyz`, the three as text with 8 decimals), `natoms`, `charge`, `multiplicity` and `xyz` (one
 * `El x y z` line per atom).
 */
export function moleculeValue(molecule: Molecule): Record<string, JsonValue> {
  const atoms = (molecule.atoms ?? []).map((a) => ({
    element: a.element,
    number: atomicNumber(a.element) ?? 0,
    x: a.x,
    y: a.y,
    z: a.z,
    xyz: `${fixed(a.x)} ${fixed(a.y)} ${fixed(a.z)}`,
  }));
  return {
    atoms,
    natoms: atoms.length,
    charge: molecule.charge,
    multiplicity: molecule.multiplicity,
    xyz: atoms.map((a) => `${a.element} ${a.xyz}`).join('\n'),
  };
}

/**
 * A crystal as templates see it: `lattice` (three vectors, Å) and `lattice_lines` (them as
 * text), the cell parameters `a`, `b`, `c` (Å) and `alpha`, `beta`, `gamma` (degrees) as
 * numbers and, with 8 decimals, as `cell` text (`a b c alpha beta gamma`), `volume` (Å³),
 * `sites` (each `element`, `number` (Z), `fractional` and `xyz`, the three fractions as text),
 * `nsites` and `species` (the elements in order of first appearance).
 */
export function structureValue(structure: PeriodicStructure): Record<string, JsonValue> {
  const [va, vb, vc] = structure.lattice_angstrom;
  const length = (v: readonly number[]): number => Math.hypot(...v);
  const angle = (u: readonly number[], v: readonly number[]): number => {
    const dot = u.reduce((s, x, i) => s + x * (v[i] ?? 0), 0);
    return (Math.acos(Math.max(-1, Math.min(1, dot / (length(u) * length(v))))) * 180) / Math.PI;
  };
  const cell = {
    a: length(va),
    b: length(vb),
    c: length(vc),
    alpha: angle(vb, vc),
    beta: angle(va, vc),
    gamma: angle(va, vb),
  };
  const sites = structure.sites.map((s) => ({
    element: s.element,
    number: atomicNumber(s.element) ?? 0,
    fractional: [...s.fractional],
    xyz: s.fractional.map(fixed).join(' '),
  }));
  return {
    lattice: structure.lattice_angstrom.map((v) => [...v]),
    lattice_lines: structure.lattice_angstrom.map((v) => v.map(fixed).join(' ')).join('\n'),
    ...cell,
    cell: [cell.a, cell.b, cell.c, cell.alpha, cell.beta, cell.gamma].map(fixed).join(' '),
    volume: cellVolume(structure.lattice_angstrom),
    sites,
    nsites: sites.length,
    species: [...new Set(sites.map((s) => s.element))],
  };
}
