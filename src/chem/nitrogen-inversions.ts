import type { Atom } from './molecule.js';
import { bondChanges, bondGraph, type BondGraph } from './bond-graph.js';
import { isPlanar } from './xh-rotors.js';

/**
 * A pyramidal nitrogen whose pyramid can be turned inside out: the atoms of `branch` (the
 * substituent on `root`, a neighbour of N, with everything beyond it) are reflected through the
 * plane of N (`n`) and its two other neighbours (`plane`). In a ring that turns an axial
 * N-substituent (or N–H) equatorial and back; on an open chain it gives the other configuration
 * of an N with three different substituents. Indices are 0-based positions in the geometry.
 */
export interface InvertibleNitrogen {
  readonly n: number;
  readonly root: number;
  readonly plane: readonly [number, number];
  readonly branch: readonly number[];
}

/**
 * At most this many nitrogens of a geometry are inverted, in every combination (2³ geometries):
 * 1,3,5-trimethyl-1,3,5-triazinane needs all three.
 */
export const MAX_INVERTIBLE_NITROGENS = 3;

/**
 * The invertible nitrogens of a geometry (bonds by covalent radii, chem/bond-graph.ts): N with
 * three neighbours, not planar (amides, anilines, aromatic N are left out), not a bridgehead
 * (every neighbour in a ring with N: inverting it would break a ring). The substituent reflected
 * is the exocyclic one of a ring N, the smallest one of an open-chain N. Left out: a substituent
 * holding an atom with four neighbours of which three or more are heavy (a possible stereocentre
 * the reflection would invert), and an open-chain N with two substituents alike (same size and
 * elements), whose inversion is only a rotation. First {@link MAX_INVERTIBLE_NITROGENS}, in atom
 * order.
 */
export function invertibleNitrogens(atoms: readonly Atom[]): InvertibleNitrogen[] {
  const graph = bondGraph(atoms);
  const found: InvertibleNitrogen[] = [];
  graph.elements.forEach((element, n) => {
    if (element !== 'N' || found.length >= MAX_INVERTIBLE_NITROGENS) return;
    const partners = graph.neighbours[n] ?? [];
    if (partners.length !== 3 || isPlanar(atoms, n, partners)) return;
    const branches = partners.map((p) => branchOf(graph, n, p));
    // Neighbours reached from one another without passing N share a ring with it.
    const inRing = partners.map((_, i) =>
      partners.some((q, j) => j !== i && (branches[i]?.has(q) ?? false)),
    );
    const ringCount = inRing.filter(Boolean).length;
    let pick: number;
    if (ringCount === 3) return;
    if (ringCount === 2) {
      pick = inRing.indexOf(false);
    } else {
      const signatures = branches.map((b) => signature(graph, b));
      if (new Set(signatures).size < 3) return;
      pick = 0;
      branches.forEach((b, i) => {
        if (b.size < (branches[pick]?.size ?? Infinity)) pick = i;
      });
    }
    const root = partners[pick];
    const branch = branches[pick];
    const [a, b] = partners.filter((_, i) => i !== pick);
    if (root === undefined || branch === undefined || a === undefined || b === undefined) return;
    if ([...branch].some((i) => possibleStereocentre(graph, i))) return;
    found.push({ n, root, plane: [a, b], branch: [...branch].sort((x, y) => x - y) });
  });
  return found;
}

/**
 * The nitrogen invertomers of a geometry: the geometry itself first, then every combination of
 * its {@link invertibleNitrogens} inverted, fewer inversions first. A combination whose
 * reflected atoms land bonded otherwise (a clash) is left out.
 */
export function nitrogenInvertomers(atoms: readonly Atom[]): Atom[][] {
  const nitrogens = invertibleNitrogens(atoms);
  const combinations: number[][] = [];
  for (let mask = 0; mask < 1 << nitrogens.length; mask++) {
    combinations.push(nitrogens.flatMap((_, i) => (((mask >> i) & 1) === 1 ? [i] : [])));
  }
  combinations.sort((x, y) => x.length - y.length);
  const out: Atom[][] = [];
  for (const combination of combinations) {
    let geometry: Atom[] = [...atoms];
    for (const i of combination) {
      const nitrogen = nitrogens[i];
      if (nitrogen !== undefined) geometry = invert(geometry, nitrogen);
    }
    if (bondChanges(atoms, geometry).length === 0) out.push(geometry);
  }
  return out;
}

/** The geometry with the nitrogen's substituent reflected through the plane of N and the others. */
function invert(atoms: readonly Atom[], nitrogen: InvertibleNitrogen): Atom[] {
  const origin = atoms[nitrogen.n];
  const [pa, pb] = [atoms[nitrogen.plane[0]], atoms[nitrogen.plane[1]]];
  if (origin === undefined || pa === undefined || pb === undefined) return [...atoms];
  const u = [pa.x - origin.x, pa.y - origin.y, pa.z - origin.z] as const;
  const v = [pb.x - origin.x, pb.y - origin.y, pb.z - origin.z] as const;
  const normal = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
  const length = Math.hypot(normal[0] ?? 0, normal[1] ?? 0, normal[2] ?? 0);
  if (length === 0) return [...atoms];
  const [nx, ny, nz] = normal.map((c) => c / length) as [number, number, number];
  const moved = new Set(nitrogen.branch);
  return atoms.map((atom, i) => {
    if (!moved.has(i)) return atom;
    const d = 2 * ((atom.x - origin.x) * nx + (atom.y - origin.y) * ny + (atom.z - origin.z) * nz);
    return { ...atom, x: atom.x - d * nx, y: atom.y - d * ny, z: atom.z - d * nz };
  });
}

/** The atoms reached from `start` without passing `from` (start included). */
function branchOf(graph: BondGraph, from: number, start: number): Set<number> {
  const seen = new Set([start]);
  const stack = [start];
  for (let i = stack.pop(); i !== undefined; i = stack.pop()) {
    for (const next of graph.neighbours[i] ?? []) {
      if (next === from || seen.has(next)) continue;
      seen.add(next);
      stack.push(next);
    }
  }
  return seen;
}

function signature(graph: BondGraph, branch: ReadonlySet<number>): string {
  return [...branch]
    .map((i) => graph.elements[i] ?? '')
    .sort()
    .join('');
}

function possibleStereocentre(graph: BondGraph, i: number): boolean {
  const partners = graph.neighbours[i] ?? [];
  return partners.length === 4 && partners.filter((p) => graph.elements[p] !== 'H').length >= 3;
}
