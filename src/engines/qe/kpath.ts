import { reciprocalLattice, type Lattice, type Vec3 } from '../../chem/structure.js';
import { InputError } from '../../core/errors.js';

/** A named point of a k-path, in fractional coordinates of the reciprocal lattice vectors. */
export interface KPathPoint {
  readonly label: string;
  readonly fractional: Vec3;
}

/**
 * The fcc path Γ–X–W–K–Γ–L–U–W–L–K (Si, Ge, diamond, zinc blende, rock salt) for a primitive
 * fcc cell: three vectors of equal length at 60° to each other, in any orientation. In the
 * reciprocal basis of such vectors the points have the same fractional coordinates whatever the
 * orientation: X (½, 0, ½), W (½, ¼, ¾), K (⅜, ⅜, ¾), L (½, ½, ½), U (⅝, ¼, ⅝).
 */
export const FCC_PATH: readonly KPathPoint[] = [
  { label: 'G', fractional: [0, 0, 0] },
  { label: 'X', fractional: [0.5, 0, 0.5] },
  { label: 'W', fractional: [0.5, 0.25, 0.75] },
  { label: 'K', fractional: [0.375, 0.375, 0.75] },
  { label: 'G', fractional: [0, 0, 0] },
  { label: 'L', fractional: [0.5, 0.5, 0.5] },
  { label: 'U', fractional: [0.625, 0.25, 0.625] },
  { label: 'W', fractional: [0.5, 0.25, 0.75] },
  { label: 'L', fractional: [0.5, 0.5, 0.5] },
  { label: 'K', fractional: [0.375, 0.375, 0.75] },
];

/** The automatic k-path of a lattice: the fcc path for a primitive fcc cell, else an InputError. */
export function automaticKPath(lattice: Lattice): readonly KPathPoint[] {
  const lengths = lattice.map((v) => Math.hypot(...v));
  const cos = (i: number, j: number): number => {
    const a = lattice[i] ?? [0, 0, 0];
    const b = lattice[j] ?? [0, 0, 0];
    return (a[0] * b[0] + a[1] * b[1] + a[2] * b[2]) / ((lengths[i] ?? 1) * (lengths[j] ?? 1));
  };
  const [l0 = 0] = lengths;
  const fcc =
    lengths.every((l) => Math.abs(l - l0) < 1e-4 * l0) &&
    [cos(0, 1), cos(0, 2), cos(1, 2)].every((c) => Math.abs(c - 0.5) < 1e-4);
  if (!fcc) {
    throw new InputError(
      'options.kpath',
      'the automatic band path is for primitive fcc cells (three equal vectors at 60°); give the path as options.kpath: [{label, fractional: [k1, k2, k3]}, …]',
    );
  }
  return FCC_PATH;
}

/**
 * Points per segment for `K_POINTS crystal_b`: each segment gets round(length × density)
 * points (at least 1), its length |Δk| in Å⁻¹ (2π included) from the reciprocal lattice.
 */
export function segmentPoints(
  lattice: Lattice,
  path: readonly KPathPoint[],
  densityPerInverseAngstrom: number,
): number[] {
  const b = reciprocalLattice(lattice);
  return path.map((point, i) => {
    const next = path[i + 1];
    if (next === undefined) return 1;
    const d = next.fractional.map((f, j) => f - (point.fractional[j] ?? 0));
    const k = [0, 1, 2].map((c) => d.reduce((sum, dj, j) => sum + dj * (b[j]?.[c] ?? 0), 0));
    return Math.max(1, Math.round(Math.hypot(...k) * densityPerInverseAngstrom));
  });
}

/**
 * The path and points per segment of a pw.x input's `K_POINTS crystal_b` block (an input rendered
 * from a template): one `k1 k2 k3 n` line per point, its label the text after `!` (else empty).
 * InputError('input') when the input has no such block.
 */
export function inputKPath(input: string): {
  readonly path: readonly KPathPoint[];
  readonly counts: readonly number[];
} {
  const lines = input.split(/\r?\n/);
  const at = lines.findIndex((l) => /^\s*K_POINTS\s*[({]?\s*crystal_b\b/i.test(l));
  const n = Number(lines[at + 1]?.trim());
  if (at < 0 || !Number.isInteger(n) || n < 1) {
    throw new InputError('input', 'the bands input has no K_POINTS crystal_b path');
  }
  const path: KPathPoint[] = [];
  const counts: number[] = [];
  for (const line of lines.slice(at + 2, at + 2 + n)) {
    const [numbers = '', label = ''] = line.split('!');
    const [k1, k2, k3, count] = numbers.trim().split(/\s+/).map(Number);
    if ([k1, k2, k3, count].some((v) => v === undefined || !Number.isFinite(v))) {
      throw new InputError(
        'input',
        `a K_POINTS crystal_b line is not "k1 k2 k3 n": ${line.trim()}`,
      );
    }
    path.push({ label: label.trim(), fractional: [k1 ?? 0, k2 ?? 0, k3 ?? 0] });
    counts.push(count ?? 1);
  }
  return { path, counts };
}
