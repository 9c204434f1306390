import { InputError } from '../core/errors.js';
import { normalizeSymbol } from './elements.js';

/** A 3-vector. */
export type Vec3 = readonly [number, number, number];

/** Three lattice vectors a, b, c as rows, Å. */
export type Lattice = readonly [Vec3, Vec3, Vec3];

/** One atom of a periodic cell: element symbol and fractional coordinates along a, b, c. */
export interface Site {
  readonly element: string;
  readonly fractional: Vec3;
}

/**
 * A periodic structure (a crystal), as a calc carries it in `CalcSpec.structure`:
 * `lattice_angstrom` holds the lattice vectors a, b, c as rows in Å (any orientation, right- or
 * left-handed as given, non-degenerate), `sites` the atoms of one cell with fractional
 * coordinates along those vectors. A structure given with Cartesian positions is turned into
 * this one form by {@link structureFromCartesian}, so the same crystal always keys the same.
 */
export interface PeriodicStructure {
  readonly lattice_angstrom: Lattice;
  readonly sites: readonly Site[];
}

/** Cartesian position (Å) of a fractional coordinate in a lattice. */
export function toCartesian(lattice: Lattice, f: Vec3): Vec3 {
  const [a, b, c] = lattice;
  return [
    f[0] * a[0] + f[1] * b[0] + f[2] * c[0],
    f[0] * a[1] + f[1] * b[1] + f[2] * c[1],
    f[0] * a[2] + f[1] * b[2] + f[2] * c[2],
  ];
}

/** Fractional coordinates of a Cartesian position (Å) in a lattice. */
export function toFractional(lattice: Lattice, r: Vec3): Vec3 {
  // f = r · A⁻¹, A having the lattice vectors as rows; columns of A⁻¹ are the b_i / 2π.
  const [b1, b2, b3] = reciprocalLattice(lattice);
  const k = 1 / (2 * Math.PI);
  return [dot(r, b1) * k, dot(r, b2) * k, dot(r, b3) * k];
}

/** Cell volume, Å³ (the absolute value of the lattice determinant). */
export function cellVolume(lattice: Lattice): number {
  const [a, b, c] = lattice;
  return Math.abs(dot(a, cross(b, c)));
}

/** Reciprocal lattice vectors b_i (rows, Å⁻¹, with the 2π): a_i · b_j = 2π δ_ij. */
export function reciprocalLattice(lattice: Lattice): Lattice {
  const [a, b, c] = lattice;
  const det = dot(a, cross(b, c));
  const k = (2 * Math.PI) / det;
  return [scale(cross(b, c), k), scale(cross(c, a), k), scale(cross(a, b), k)];
}

/**
 * A lattice from cell lengths (Å) and angles (degrees) in the usual orientation: a along x,
 * b in the xy plane, c completing a right-handed cell.
 */
export function latticeFromParameters(
  a: number,
  b: number,
  c: number,
  alphaDeg: number,
  betaDeg: number,
  gammaDeg: number,
): Lattice {
  const rad = Math.PI / 180;
  const [ca, cb, cg] = [
    Math.cos(alphaDeg * rad),
    Math.cos(betaDeg * rad),
    Math.cos(gammaDeg * rad),
  ];
  const sg = Math.sin(gammaDeg * rad);
  const cx = c * cb;
  const cy = (c * (ca - cb * cg)) / sg;
  const cz2 = c * c - cx * cx - cy * cy;
  if (!(cz2 > 0) || !(sg > 0)) {
    throw new InputError(
      'cell',
      `lengths ${a}, ${b}, ${c} Å and angles ${alphaDeg}, ${betaDeg}, ${gammaDeg}° make no cell`,
    );
  }
  return [clean([a, 0, 0]), clean([b * cg, b * sg, 0]), clean([cx, cy, Math.sqrt(cz2)])];
}

/** A structure from a lattice and Cartesian atoms (Å). */
export function structureFromCartesian(
  lattice: Lattice,
  atoms: readonly { element: string; x: number; y: number; z: number }[],
): PeriodicStructure {
  return checkStructure({
    lattice_angstrom: lattice,
    sites: atoms.map((a) => ({
      element: a.element,
      fractional: toFractional(lattice, [a.x, a.y, a.z]),
    })),
  });
}

/**
 * A structure read from JSON (a spec file, a workflow result), checked: three finite non-zero
 * lattice vectors spanning a volume, at least one site, known elements (spelling normalised),
 * finite fractional coordinates. InputError naming `where` and the field otherwise.
 */
export function checkStructure(value: unknown, where = 'structure'): PeriodicStructure {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(
      where,
      'expected {lattice_angstrom: [[ax, ay, az], [bx, …], [cx, …]], sites: [{element, fractional: [fa, fb, fc]}, …]}',
    );
  }
  const record = value as Record<string, unknown>;
  const rows = record.lattice_angstrom;
  if (!Array.isArray(rows) || rows.length !== 3) {
    throw new InputError(`${where}.lattice_angstrom`, 'expected three lattice vectors (rows, Å)');
  }
  const lattice = rows.map((row, i) =>
    vec3(row, `${where}.lattice_angstrom[${i}]`),
  ) as unknown as Lattice;
  const volume = cellVolume(lattice);
  const scaleCubed = lattice.reduce((p, v) => p * Math.hypot(...v), 1);
  if (!(volume > 1e-6 * scaleCubed)) {
    throw new InputError(`${where}.lattice_angstrom`, 'the lattice vectors span no volume');
  }
  const sites = record.sites;
  if (!Array.isArray(sites) || sites.length === 0) {
    throw new InputError(`${where}.sites`, 'expected at least one site {element, fractional}');
  }
  return {
    lattice_angstrom: lattice,
    sites: sites.map((site: unknown, i) => {
      const at = `${where}.sites[${i}]`;
      if (typeof site !== 'object' || site === null) {
        throw new InputError(at, 'expected {element, fractional: [fa, fb, fc]}');
      }
      const s = site as Record<string, unknown>;
      const element = typeof s.element === 'string' ? normalizeSymbol(s.element) : undefined;
      if (element === undefined) {
        throw new InputError(`${at}.element`, `unknown element ${JSON.stringify(s.element)}`);
      }
      return { element, fractional: vec3(s.fractional, `${at}.fractional`) };
    }),
  };
}

/** The element symbols of a structure, each once, in order of first appearance. */
export function structureElements(structure: PeriodicStructure): string[] {
  return [...new Set(structure.sites.map((s) => s.element))];
}

function vec3(value: unknown, where: string): Vec3 {
  if (
    !Array.isArray(value) ||
    value.length !== 3 ||
    !value.every((v): v is number => typeof v === 'number' && Number.isFinite(v))
  ) {
    throw new InputError(where, `expected three finite numbers, got ${JSON.stringify(value)}`);
  }
  return [value[0], value[1], value[2]] as Vec3;
}

function dot(a: Vec3, b: Vec3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

function scale(v: Vec3, k: number): Vec3 {
  return [v[0] * k, v[1] * k, v[2] * k];
}

// cos(90°) is 6e-17, not 0: such noise would make the same cell key differently.
function clean(v: Vec3): Vec3 {
  return v.map((x) => (Math.abs(x) < 1e-12 ? 0 : x)) as unknown as Vec3;
}
