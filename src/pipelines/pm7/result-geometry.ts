import { normalizeSymbol } from '../../chem/elements.js';
import type { Atom } from '../../chem/molecule.js';
import type { JsonValue } from '../../core/calc-spec.js';

export function isRecord(value: JsonValue | undefined): value is Record<string, JsonValue> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A result's `[{element, x, y, z}]` as atoms, when it has the reference's elements in order. */
export function atomsFromJson(
  value: JsonValue | undefined,
  like: readonly Atom[],
): Atom[] | undefined {
  if (!Array.isArray(value) || value.length !== like.length) return undefined;
  const atoms: Atom[] = [];
  for (const [i, entry] of value.entries()) {
    if (!isRecord(entry)) return undefined;
    const { element, x, y, z } = entry;
    if (typeof element !== 'string' || typeof x !== 'number') return undefined;
    if (typeof y !== 'number' || typeof z !== 'number') return undefined;
    const reference = like[i]?.element ?? '';
    if ((normalizeSymbol(element) ?? element) !== (normalizeSymbol(reference) ?? reference)) {
      return undefined;
    }
    atoms.push({ element: reference, x, y, z });
  }
  return atoms;
}

/** A result's `[{geometry}]` as geometries, each as atomsFromJson reads it; undefined if any is not. */
export function geometriesFromJson(
  value: JsonValue | undefined,
  like: readonly Atom[],
): (readonly Atom[])[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: (readonly Atom[])[] = [];
  for (const entry of value) {
    const atoms = isRecord(entry) ? atomsFromJson(entry.geometry, like) : undefined;
    if (atoms === undefined) return undefined;
    out.push(atoms);
  }
  return out;
}
