import type { Atom } from './molecule.js';
import { normalizeSymbol } from './elements.js';

/**
 * Single-bond covalent radii, Å (Cordero et al., Dalton Trans. 2008, 2832; sp3 carbon). Elements
 * not listed get {@link DEFAULT_RADIUS}.
 */
export const COVALENT_RADII: Readonly<Record<string, number>> = {
  H: 0.31,
  He: 0.28,
  Li: 1.28,
  Be: 0.96,
  B: 0.84,
  C: 0.76,
  N: 0.71,
  O: 0.66,
  F: 0.57,
  Ne: 0.58,
  Na: 1.66,
  Mg: 1.41,
  Al: 1.21,
  Si: 1.11,
  P: 1.07,
  S: 1.05,
  Cl: 1.02,
  Ar: 1.06,
  K: 2.03,
  Ca: 1.76,
  Ga: 1.22,
  Ge: 1.2,
  As: 1.19,
  Se: 1.2,
  Br: 1.2,
  Kr: 1.16,
  Sn: 1.39,
  Sb: 1.39,
  Te: 1.38,
  I: 1.39,
  Xe: 1.4,
};

/** Radius of an element missing from {@link COVALENT_RADII}, Å (a typical transition metal). */
export const DEFAULT_RADIUS = 1.4;

/**
 * Two atoms are bonded when their distance is at most this factor times the sum of their
 * covalent radii. Measured on real geometries (Open Babel --gen3d and GFN2-xTB optimised, 20
 * molecules: acids, phenols with intramolecular H-bonds, nitro, P, S, Si, B, Cl, Br, I; see
 * test/fixtures/real/bond-graph/README.md): every bond lies at ≤ 1.04 × the radii sum (the
 * longest: C–CF3 after xtb), every non-bonded pair at ≥ 1.34 × (geminal Br…Br in CH2Br2; 1,3
 * C…C in rings ≥ 1.57; an O–H…O hydrogen bond's H…O ≈ 1.75). 1.2 sits in that gap with room on
 * both sides, so a stretched bond of a radical still counts and a hydrogen bond never does.
 */
export const BOND_TOLERANCE = 1.2;

/**
 * The bond graph of a geometry: `neighbours[i]` the indices (0-based, ascending) of the atoms
 * bonded to atom i. Ghost atoms are bonded to nothing.
 */
export interface BondGraph {
  readonly elements: readonly string[];
  readonly neighbours: readonly (readonly number[])[];
}

/** The bonds of a geometry by covalent radii: see {@link BOND_TOLERANCE}. */
export function bondGraph(atoms: readonly Atom[]): BondGraph {
  const elements = atoms.map((a) => normalizeSymbol(a.element) ?? a.element);
  const neighbours: number[][] = atoms.map(() => []);
  for (let i = 0; i < atoms.length; i++) {
    const a = atoms[i];
    if (a === undefined || a.ghost === true) continue;
    for (let j = i + 1; j < atoms.length; j++) {
      const b = atoms[j];
      if (b === undefined || b.ghost === true) continue;
      const limit = BOND_TOLERANCE * (radius(elements[i]) + radius(elements[j]));
      if (Math.hypot(a.x - b.x, a.y - b.y, a.z - b.z) <= limit) {
        neighbours[i]?.push(j);
        neighbours[j]?.push(i);
      }
    }
  }
  return { elements, neighbours };
}

/**
 * What differs between the bond graphs of two geometries of the same atoms in the same order
 * (an optimisation's input and output), in words naming atoms by element and 1-based position:
 * `H9 moved from O3 to O7`, `C2–O5 bond broken`, `C1–C6 bond formed`. Empty when the bonds are
 * the same. Geometries of different atoms cannot be compared: one line says so.
 */
export function bondChanges(before: readonly Atom[], after: readonly Atom[]): string[] {
  const a = bondGraph(before);
  const b = bondGraph(after);
  if (a.elements.join(' ') !== b.elements.join(' ')) {
    return [`the atoms differ (${a.elements.length} before, ${b.elements.length} after)`];
  }
  const label = (i: number): string => `${a.elements[i] ?? '?'}${i + 1}`;
  const changes: string[] = [];
  const explained = new Set<string>();
  // A hydrogen with one partner before and after that changed partner: one migration.
  a.elements.forEach((element, i) => {
    if (element !== 'H') return;
    const from = a.neighbours[i] ?? [];
    const to = b.neighbours[i] ?? [];
    if (from.length === 1 && to.length === 1 && from[0] !== to[0]) {
      const [f = -1, t = -1] = [from[0], to[0]];
      changes.push(`${label(i)} moved from ${label(f)} to ${label(t)}`);
      explained.add(pairKey(i, f)).add(pairKey(i, t));
    }
  });
  for (let i = 0; i < a.elements.length; i++) {
    const was = new Set(a.neighbours[i]);
    const is = new Set(b.neighbours[i]);
    for (const j of was) {
      if (j > i && !is.has(j) && !explained.has(pairKey(i, j)))
        changes.push(`${label(i)}–${label(j)} bond broken`);
    }
    for (const j of is) {
      if (j > i && !was.has(j) && !explained.has(pairKey(i, j)))
        changes.push(`${label(i)}–${label(j)} bond formed`);
    }
  }
  return changes;
}

/**
 * The constitution a SMILES states, as RDKit reads it: its heavy atoms (non-hydrogen) in SMILES
 * order, each with its element and the number of hydrogens on it (implicit, bracket and
 * explicit `[H]` atoms alike), and the bonds between heavy atoms (indices into `heavy`).
 */
export interface SmilesGraph {
  readonly heavy: readonly { readonly element: string; readonly hydrogens: number }[];
  readonly bonds: readonly (readonly [number, number])[];
}

/**
 * What differs between a geometry and the SMILES it was made from, or `[]` when they agree:
 * the geometry's heavy atoms must be the SMILES' heavy atoms in the same order (Open Babel's
 * --gen3d keeps the SMILES order and appends the hydrogens), bonded as the SMILES says, each
 * carrying as many hydrogens (a hydrogen belongs to the heavy atom it is bonded to). So an H on
 * the other O of a COOH, or moved onto an amine (a zwitterion), is a difference even though the
 * molecule's formula, and its standard InChI, stay the same. Atoms are named by element and
 * 1-based position in the geometry.
 */
export function smilesGraphChanges(smiles: SmilesGraph, atoms: readonly Atom[]): string[] {
  const graph = bondGraph(atoms);
  const heavyIndex: number[] = [];
  graph.elements.forEach((element, i) => {
    if (element !== 'H') heavyIndex.push(i);
  });
  const label = (i: number): string => `${graph.elements[i] ?? '?'}${i + 1}`;
  const order = smiles.heavy.map((h) => h.element).join(' ');
  if (heavyIndex.map((i) => graph.elements[i]).join(' ') !== order) {
    return [`the heavy atoms are not those of the SMILES in SMILES order (${order})`];
  }
  const changes: string[] = [];
  const stated = new Set(smiles.bonds.map(([i, j]) => pairKey(i, j)));
  const position = new Map(heavyIndex.map((atom, k) => [atom, k]));
  const found = new Set<string>();
  heavyIndex.forEach((atom, k) => {
    for (const other of graph.neighbours[atom] ?? []) {
      const m = position.get(other);
      if (m !== undefined && m > k) found.add(pairKey(k, m));
    }
  });
  for (const [i, j] of smiles.bonds) {
    if (!found.has(pairKey(i, j)))
      changes.push(`${label(heavyIndex[i] ?? -1)}–${label(heavyIndex[j] ?? -1)} bond missing`);
  }
  for (const key of found) {
    if (stated.has(key)) continue;
    const [i = -1, j = -1] = key.split('-').map(Number);
    changes.push(
      `${label(heavyIndex[i] ?? -1)}–${label(heavyIndex[j] ?? -1)} bond not in the SMILES`,
    );
  }
  heavyIndex.forEach((atom, k) => {
    const want = smiles.heavy[k]?.hydrogens ?? 0;
    const have = (graph.neighbours[atom] ?? []).filter((n) => graph.elements[n] === 'H').length;
    if (have !== want) changes.push(`${label(atom)} carries ${have} H, the SMILES ${want}`);
  });
  graph.elements.forEach((element, i) => {
    if (element !== 'H') return;
    const partners = graph.neighbours[i] ?? [];
    if (partners.length !== 1) {
      changes.push(
        partners.length === 0
          ? `${label(i)} bonded to no atom`
          : `${label(i)} bonded to ${partners.map(label).join(' and ')}`,
      );
    }
  });
  return changes;
}

/**
 * The changes as one line: the first `max` joined by `; `, then how many more (a collapsed or
 * wildly wrong geometry changes hundreds of bonds, and a message names what to look at).
 */
export function describeChanges(changes: readonly string[], max = 6): string {
  const shown = changes.slice(0, max).join('; ');
  return changes.length > max ? `${shown}; … ${changes.length - max} more` : shown;
}

function radius(element: string | undefined): number {
  return COVALENT_RADII[element ?? ''] ?? DEFAULT_RADIUS;
}

function pairKey(i: number, j: number): string {
  return i < j ? `${i}-${j}` : `${j}-${i}`;
}
