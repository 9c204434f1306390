import { atomicNumber } from './elements.js';
import type { Atom } from './molecule.js';

/**
 * The principal moments of inertia of a geometry, ascending, each atom weighted by its atomic
 * number (a stand-in for its mass: enough to tell conformers of one molecule apart, since they
 * share their atoms), in e·Å². They do not depend on how the atoms are numbered, nor on
 * rotation or reflection: conformers that differ only by a symmetry of the molecule (the
 * mirror image, or the same shape with equivalent atoms swapped) have the same three moments.
 */
export function principalMoments(atoms: readonly Atom[]): [number, number, number] {
  let total = 0;
  let [cx, cy, cz] = [0, 0, 0];
  const weights = atoms.map((a) => atomicNumber(a.element) ?? 1);
  atoms.forEach((a, i) => {
    const w = weights[i] ?? 1;
    total += w;
    cx += w * a.x;
    cy += w * a.y;
    cz += w * a.z;
  });
  if (total === 0) return [0, 0, 0];
  [cx, cy, cz] = [cx / total, cy / total, cz / total];
  let [xx, yy, zz, xy, xz, yz] = [0, 0, 0, 0, 0, 0];
  atoms.forEach((a, i) => {
    const w = weights[i] ?? 1;
    const [x, y, z] = [a.x - cx, a.y - cy, a.z - cz];
    xx += w * (y * y + z * z);
    yy += w * (x * x + z * z);
    zz += w * (x * x + y * y);
    xy -= w * x * y;
    xz -= w * x * z;
    yz -= w * y * z;
  });
  return symmetricEigenvalues(xx, yy, zz, xy, xz, yz);
}

/** Eigenvalues of a symmetric 3×3 matrix, ascending (the trigonometric solution of its cubic). */
function symmetricEigenvalues(
  a: number,
  b: number,
  c: number,
  d: number,
  e: number,
  f: number,
): [number, number, number] {
  const offDiagonal = d * d + e * e + f * f;
  if (offDiagonal === 0) {
    const sorted = [a, b, c].sort((x, y) => x - y);
    return [sorted[0] ?? 0, sorted[1] ?? 0, sorted[2] ?? 0];
  }
  const q = (a + b + c) / 3;
  const p = Math.sqrt(((a - q) ** 2 + (b - q) ** 2 + (c - q) ** 2 + 2 * offDiagonal) / 6);
  // B = (M − qI) / p; r = det(B) / 2, clamped into [−1, 1] against rounding.
  const [ba, bb, bc, bd, be, bf] = [(a - q) / p, (b - q) / p, (c - q) / p, d / p, e / p, f / p];
  const det = ba * (bb * bc - bf * bf) - bd * (bd * bc - bf * be) + be * (bd * bf - bb * be);
  const r = Math.min(1, Math.max(-1, det / 2));
  const phi = Math.acos(r) / 3;
  const largest = q + 2 * p * Math.cos(phi);
  const smallest = q + 2 * p * Math.cos(phi + (2 * Math.PI) / 3);
  return [smallest, 3 * q - largest - smallest, largest];
}
