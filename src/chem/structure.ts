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

/** Distance (Å) below which two positions of a cell are one site. */
export const SAME_SITE_ANGSTROM = 0.01;

/** True when two fractional positions are closer than 0.01 Å, through the periodic boundary too. */
export function samePosition(lattice: Lattice, a: Vec3, b: Vec3): boolean {
  const d = a.map((x, i) => {
    const diff = x - (b[i] ?? 0);
    return diff - Math.round(diff);
  });
  return (
    Math.hypot(...toCartesian(lattice, [d[0] ?? 0, d[1] ?? 0, d[2] ?? 0])) < SAME_SITE_ANGSTROM
  );
}

/** A fractional position wrapped into [0, 1) (values within 1e-9 of 1 become 0). */
export function wrapFractional(f: Vec3): Vec3 {
  const w = (x: number): number => {
    const r = x - Math.floor(x);
    // 0.99999999 from a 1/3 written as 0.3333 times three is 0, not a second atom at 1.
    return r > 1 - 1e-9 || r < 1e-12 ? 0 : r;
  };
  return [w(f[0]), w(f[1]), w(f[2])];
}

const F_CENTRING: readonly Vec3[] = [
  [0, 0.5, 0.5],
  [0.5, 0, 0.5],
  [0.5, 0.5, 0],
];

/**
 * The primitive cell of a face-centred (F) cell, such as the cubic cell a CIF of Si, Ge,
 * diamond, zinc blende or rock salt gives: lattice vectors (b+c)/2, (a+c)/2, (a+b)/2 and a
 * quarter of the sites, wrapped into [0, 1). Undefined when the structure is not F-centred
 * (some site has no copy of its element at each centring translation).
 */
export function primitiveOfFaceCentred(
  structure: PeriodicStructure,
): PeriodicStructure | undefined {
  const { lattice_angstrom: lattice, sites } = structure;
  const centred = F_CENTRING.every((t) =>
    sites.every((site) => {
      const moved: Vec3 = [
        site.fractional[0] + t[0],
        site.fractional[1] + t[1],
        site.fractional[2] + t[2],
      ];
      return sites.some(
        (other) => other.element === site.element && samePosition(lattice, other.fractional, moved),
      );
    }),
  );
  if (!centred || sites.length % 4 !== 0) return undefined;
  const [a, b, c] = lattice;
  const half = (u: Vec3, v: Vec3): Vec3 => [
    (u[0] + v[0]) / 2,
    (u[1] + v[1]) / 2,
    (u[2] + v[2]) / 2,
  ];
  const primitive: Lattice = [half(b, c), half(a, c), half(a, b)];
  const reduced: Site[] = [];
  for (const site of sites) {
    // f' = f · P⁻¹ with P the centring vectors as rows: P⁻¹ = [[-1,1,1],[1,-1,1],[1,1,-1]].
    const [x, y, z] = site.fractional;
    const f = wrapFractional([-x + y + z, x - y + z, x + y - z]);
    if (!reduced.some((r) => samePosition(primitive, r.fractional, f))) {
      reduced.push({ element: site.element, fractional: f });
    }
  }
  return reduced.length * 4 === sites.length
    ? { lattice_angstrom: primitive, sites: reduced }
    : undefined;
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
