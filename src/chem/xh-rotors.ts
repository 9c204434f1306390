import type { Atom } from './molecule.js';
import { bondChanges, bondGraph } from './bond-graph.js';

/**
 * A rotatable X–H group of a geometry: the hydrogens on X (O, S or N) turn about the axis from
 * Y (X's one heavy neighbour) to X. Indices are 0-based positions in the geometry.
 * - `kind`: `carboxylic` an O–H on a carbon that also carries a terminal O or S (COOH, C(=S)OH):
 *   targets syn (0°) then anti (180°); `planar` one H on X with Y planar (phenol, enol, oxime):
 *   in the plane, 0° and 180°; `staggered` Y not planar (alcohol, hydroperoxide, amine NH2):
 *   60°, 180°, 300°.
 * - `dihedral`: the dihedral reference–Y–X–H of `hydrogens[0]` in the geometry, degrees in
 *   [0, 360); `reference` a neighbour of Y other than X (the terminal O of a carboxylic group).
 * - `targets`: the dihedrals the rotamers give that H, degrees, preferred first.
 */
export interface XhRotor {
  readonly kind: 'carboxylic' | 'planar' | 'staggered';
  readonly x: number;
  readonly y: number;
  readonly reference: number;
  readonly hydrogens: readonly number[];
  readonly dihedral: number;
  readonly targets: readonly number[];
}

/**
 * At most this many rotamers per geometry (3² : two staggered rotors in full, or a COOH and
 * an OH). With more rotors the combinations are ranked (see {@link xhRotamers}) and cut here.
 */
export const MAX_XH_ROTAMERS = 9;

/**
 * At most this many rotamers (3³: three staggered rotors in full) when the X–H rotors of one
 * optimised geometry are turned to find a lower orientation than the conformer search sent on
 * (the PM7 pipeline's last step, and the ThermoCBS bench's check of it).
 */
export const XH_REFINEMENT_ROTAMERS = 27;

// Y is planar when it lies within this distance (Å) of the plane of its three neighbours:
// sp2 carbon and amide/aniline N lie within 0.05 Å, sp3 centres 0.3–0.5 Å away.
const PLANAR_TOLERANCE_ANGSTROM = 0.15;

const ROTOR_ELEMENTS = new Set(['O', 'S', 'N']);

/**
 * The rotatable X–H groups of a geometry, bonds by covalent radii (chem/bond-graph.ts): X is O
 * or S bonded to one heavy atom Y and one H, or N bonded to one heavy atom Y and two H (an
 * NH2; an NH between two heavy atoms, or =NH, does not turn without changing the molecule).
 * Y must have another neighbour to define the dihedral; an NH2 on a planar Y (aniline, amide)
 * is left out, its 180° turn gives the same structure.
 */
export function xhRotors(atoms: readonly Atom[]): XhRotor[] {
  const graph = bondGraph(atoms);
  const element = (i: number): string => graph.elements[i] ?? '';
  const rotors: XhRotor[] = [];
  graph.elements.forEach((el, x) => {
    if (!ROTOR_ELEMENTS.has(el)) return;
    const partners = graph.neighbours[x] ?? [];
    const hydrogens = partners.filter((n) => element(n) === 'H');
    const heavy = partners.filter((n) => element(n) !== 'H');
    const y = heavy[0];
    if (heavy.length !== 1 || y === undefined) return;
    if (hydrogens.length !== (el === 'N' ? 2 : 1)) return;
    const others = (graph.neighbours[y] ?? []).filter((n) => n !== x);
    if (others.length === 0) return;
    const planar = others.length === 2 && isPlanar(atoms, y, [x, ...others]);
    if (el === 'N' && planar) return;
    const terminalChalcogen = others.find(
      (n) => (element(n) === 'O' || element(n) === 'S') && graph.neighbours[n]?.length === 1,
    );
    const carboxylic =
      el === 'O' && element(y) === 'C' && planar && terminalChalcogen !== undefined;
    const reference = carboxylic
      ? terminalChalcogen
      : (others.find((n) => element(n) !== 'H') ?? others[0]);
    const h = hydrogens[0];
    if (reference === undefined || h === undefined) return;
    const kind = carboxylic ? 'carboxylic' : planar ? 'planar' : 'staggered';
    rotors.push({
      kind,
      x,
      y,
      reference,
      hydrogens,
      dihedral: dihedral(atoms, reference, y, x, h),
      targets: kind === 'staggered' ? [60, 180, 300] : [0, 180],
    });
  });
  return rotors;
}

/**
 * The X–H rotamers of a geometry, most preferred first, at most `max` (default
 * {@link MAX_XH_ROTAMERS}): every combination of the rotors' targets, ranked by the number of
 * carboxylic groups not syn (syn COOH is ~7 kcal/mol lower, so it comes first), then by the
 * number of rotors turned away from the target nearest their present orientation, then in
 * order. A rotor whose chosen target is its nearest one is left as it is, so the first rotamer
 * of a geometry without an anti COOH is the geometry itself, unchanged. Only the hydrogens of
 * turned rotors move. A rotamer whose bonds differ from the geometry's (an H turned onto
 * another atom) is left out. A geometry without rotors gives itself alone.
 */
export function xhRotamers(atoms: readonly Atom[], max = MAX_XH_ROTAMERS): Atom[][] {
  const rotors = xhRotors(atoms);
  const nearest = rotors.map((r) => nearestTarget(r));
  const combinations: number[][] = [[]];
  for (const rotor of rotors) {
    const next: number[][] = [];
    for (const combination of combinations) {
      rotor.targets.forEach((_, t) => next.push([...combination, t]));
    }
    combinations.splice(0, combinations.length, ...next);
  }
  const rank = (combination: readonly number[]): [number, number] => {
    let anti = 0;
    let turned = 0;
    combination.forEach((t, r) => {
      if (rotors[r]?.kind === 'carboxylic' && t !== 0) anti++;
      if (t !== nearest[r]) turned++;
    });
    return [anti, turned];
  };
  const ranked = combinations
    .map((combination, order) => ({ combination, order, rank: rank(combination) }))
    .sort((a, b) => a.rank[0] - b.rank[0] || a.rank[1] - b.rank[1] || a.order - b.order);
  const rotamers: Atom[][] = [];
  for (const { combination } of ranked) {
    if (rotamers.length >= max) break;
    let geometry: Atom[] = [...atoms];
    combination.forEach((t, r) => {
      const rotor = rotors[r];
      const target = rotor?.targets[t];
      if (rotor === undefined || target === undefined || t === nearest[r]) return;
      geometry = turn(geometry, rotor, target - rotor.dihedral);
    });
    if (bondChanges(atoms, geometry).length === 0) rotamers.push(geometry);
  }
  return rotamers;
}

/** The dihedral a–b–c–d of a geometry, degrees in [0, 360). */
export function dihedral(
  atoms: readonly Atom[],
  a: number,
  b: number,
  c: number,
  d: number,
): number {
  const [pa, pb, pc, pd] = [point(atoms, a), point(atoms, b), point(atoms, c), point(atoms, d)];
  const b1 = sub(pb, pa);
  const b2 = sub(pc, pb);
  const b3 = sub(pd, pc);
  const n1 = cross(b1, b2);
  const n2 = cross(b2, b3);
  const m = cross(n1, scale(b2, 1 / norm(b2)));
  const angle = (Math.atan2(dot(m, n2), dot(n1, n2)) * 180) / Math.PI;
  return ((angle % 360) + 360) % 360;
}

type Vec = readonly [number, number, number];

function nearestTarget(rotor: XhRotor): number {
  let best = 0;
  let bestGap = Infinity;
  rotor.targets.forEach((target, t) => {
    const gap = Math.abs(((rotor.dihedral - target + 540) % 360) - 180);
    if (gap < bestGap) [best, bestGap] = [t, gap];
  });
  return best;
}

/** The rotor's hydrogens turned by `degrees` about the Y→X axis (Rodrigues' formula). */
function turn(atoms: readonly Atom[], rotor: XhRotor, degrees: number): Atom[] {
  const origin = point(atoms, rotor.x);
  const axis = sub(origin, point(atoms, rotor.y));
  const k = scale(axis, 1 / norm(axis));
  // Turning the H right-handed about Y→X lowers the dihedral reference–Y–X–H (dihedral()).
  const theta = (-degrees * Math.PI) / 180;
  const [cos, sin] = [Math.cos(theta), Math.sin(theta)];
  return atoms.map((atom, i) => {
    if (!rotor.hydrogens.includes(i)) return atom;
    const v = sub(point(atoms, i), origin);
    const kv = cross(k, v);
    const kdv = dot(k, v) * (1 - cos);
    return {
      ...atom,
      x: origin[0] + v[0] * cos + kv[0] * sin + k[0] * kdv,
      y: origin[1] + v[1] * cos + kv[1] * sin + k[1] * kdv,
      z: origin[2] + v[2] * cos + kv[2] * sin + k[2] * kdv,
    };
  });
}

/**
 * True when atom `centre` lies within {@link PLANAR_TOLERANCE_ANGSTROM} of the plane through the
 * first three atoms of `others` (sp2 carbon, amide and aniline N: planar; sp3 centres: not).
 */
export function isPlanar(
  atoms: readonly Atom[],
  centre: number,
  others: readonly number[],
): boolean {
  const [a = -1, b = -1, c = -1] = others;
  const pa = point(atoms, a);
  const normal = cross(sub(point(atoms, b), pa), sub(point(atoms, c), pa));
  return (
    Math.abs(dot(sub(point(atoms, centre), pa), normal)) / norm(normal) <= PLANAR_TOLERANCE_ANGSTROM
  );
}

function point(atoms: readonly Atom[], i: number): Vec {
  const atom = atoms[i];
  return atom === undefined ? [NaN, NaN, NaN] : [atom.x, atom.y, atom.z];
}

function sub(a: Vec, b: Vec): Vec {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
}

function scale(a: Vec, f: number): Vec {
  return [a[0] * f, a[1] * f, a[2] * f];
}

function dot(a: Vec, b: Vec): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

function cross(a: Vec, b: Vec): Vec {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

function norm(a: Vec): number {
  return Math.hypot(a[0], a[1], a[2]);
}
