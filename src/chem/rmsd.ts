import { InfrastructureError } from '../core/errors.js';
import type { Atom } from './molecule.js';

/** Which atoms the RMSD is taken over: heavy atoms (default) or every atom. */
export interface RmsdOptions {
  readonly atoms?: 'heavy' | 'all';
}

/**
 * Root-mean-square deviation (Å) between two geometries of the same molecule, same atom order,
 * after optimal superposition (Kabsch): both centred on their centroids, then the proper
 * rotation minimising the deviation. Mirror images are not superposed (a reflection is not a
 * rotation), so enantiomeric conformers stay apart. Hydrogens are left out unless
 * `atoms: 'all'`; a geometry without heavy atoms (H2) is compared over all its atoms.
 * Throws `InfrastructureError` when the two do not have the same elements in the same order.
 */
export function rmsd(a: readonly Atom[], b: readonly Atom[], options: RmsdOptions = {}): number {
  if (a.length !== b.length || a.some((atom, i) => atom.element !== b[i]?.element)) {
    // Both geometries come from programs run on one molecule: a mismatch is their fault.
    throw new InfrastructureError(
      `rmsd: the geometries differ in atoms (${a.length} and ${b.length} atoms, or another order)`,
      { retryable: false },
    );
  }
  const useAll = options.atoms === 'all' || a.every((atom) => atom.element === 'H');
  const keep = (atom: Atom): boolean => useAll || atom.element !== 'H';
  // Same elements in the same order, so both filtered lists pair up atom by atom.
  const p = centred(a.filter(keep));
  const q = centred(b.filter(keep));
  const n = p.length;
  if (n === 0) return 0;

  // Covariance H = Σ p qᵀ; the minimal squared deviation is G_p + G_q − 2(σ1 + σ2 + s·σ3),
  // σ the singular values of H (descending) and s the sign of det H: with det H < 0 the best
  // proper rotation cannot align the smallest singular direction (Kabsch's reflection fix).
  const h = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  let g = 0;
  for (const [k, pk] of p.entries()) {
    const qk = q[k] ?? pk;
    g += dot(pk, pk) + dot(qk, qk);
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) h[3 * r + c] = (h[3 * r + c] ?? 0) + (pk[r] ?? 0) * (qk[c] ?? 0);
    }
  }
  const hth = symmetricProduct(h);
  const sigma = jacobiEigenvalues(hth)
    .map((l) => Math.sqrt(Math.max(0, l)))
    .sort((x, y) => y - x);
  const sign = det3(h) < 0 ? -1 : 1;
  const best = (sigma[0] ?? 0) + (sigma[1] ?? 0) + sign * (sigma[2] ?? 0);
  return Math.sqrt(Math.max(0, g - 2 * best) / n);
}

type Vec = readonly [number, number, number];

function centred(atoms: readonly Atom[]): Vec[] {
  const n = atoms.length || 1;
  const cx = atoms.reduce((s, a) => s + a.x, 0) / n;
  const cy = atoms.reduce((s, a) => s + a.y, 0) / n;
  const cz = atoms.reduce((s, a) => s + a.z, 0) / n;
  return atoms.map((a) => [a.x - cx, a.y - cy, a.z - cz] as const);
}

function dot(u: Vec, v: Vec): number {
  return u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
}

function at(m: readonly number[], r: number, c: number): number {
  return m[3 * r + c] ?? 0;
}

// HᵀH (3×3, row-major), symmetric positive semi-definite: its eigenvalues are σ².
function symmetricProduct(h: readonly number[]): number[] {
  const out: number[] = [];
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      out.push(at(h, 0, r) * at(h, 0, c) + at(h, 1, r) * at(h, 1, c) + at(h, 2, r) * at(h, 2, c));
    }
  }
  return out;
}

function det3(m: readonly number[]): number {
  return (
    at(m, 0, 0) * (at(m, 1, 1) * at(m, 2, 2) - at(m, 1, 2) * at(m, 2, 1)) -
    at(m, 0, 1) * (at(m, 1, 0) * at(m, 2, 2) - at(m, 1, 2) * at(m, 2, 0)) +
    at(m, 0, 2) * (at(m, 1, 0) * at(m, 2, 1) - at(m, 1, 1) * at(m, 2, 0))
  );
}

// Cyclic Jacobi rotations: robust for a 3×3 symmetric matrix, converges in a few sweeps.
function jacobiEigenvalues(sym: readonly number[]): number[] {
  const a = [...sym];
  const get = (r: number, c: number): number => a[3 * r + c] ?? 0;
  const set = (r: number, c: number, v: number): void => {
    a[3 * r + c] = v;
  };
  for (let sweep = 0; sweep < 50; sweep++) {
    const off = get(0, 1) ** 2 + get(0, 2) ** 2 + get(1, 2) ** 2;
    const scale = get(0, 0) ** 2 + get(1, 1) ** 2 + get(2, 2) ** 2;
    if (off <= 1e-30 * Math.max(scale, 1e-300)) break;
    for (const [p, q] of [
      [0, 1],
      [0, 2],
      [1, 2],
    ] as const) {
      const apq = get(p, q);
      if (apq === 0) continue;
      const theta = (get(q, q) - get(p, p)) / (2 * apq);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1);
      const s = t * c;
      for (let k = 0; k < 3; k++) {
        const akp = get(k, p);
        const akq = get(k, q);
        set(k, p, c * akp - s * akq);
        set(k, q, s * akp + c * akq);
      }
      for (let k = 0; k < 3; k++) {
        const apk = get(p, k);
        const aqk = get(q, k);
        set(p, k, c * apk - s * aqk);
        set(q, k, s * apk + c * aqk);
      }
    }
  }
  return [get(0, 0), get(1, 1), get(2, 2)];
}
