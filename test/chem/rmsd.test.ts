import { describe, expect, it } from 'vitest';
import type { Atom } from '../../src/chem/molecule.js';
import { rmsd } from '../../src/chem/rmsd.js';
import { InfrastructureError } from '../../src/core/errors.js';

// Butane in a gauche conformation (Å): a chiral arrangement of its heavy atoms.
const butane: Atom[] = [
  { element: 'C', x: 1.5, y: 0.0, z: 0.0 },
  { element: 'C', x: 0.0, y: 0.0, z: 0.0 },
  { element: 'C', x: -0.51, y: 1.45, z: 0.0 },
  { element: 'C', x: -0.2, y: 2.2, z: 1.3 },
  { element: 'H', x: 1.9, y: -1.0, z: 0.1 },
  { element: 'H', x: 1.9, y: 0.6, z: 0.8 },
  { element: 'H', x: 1.9, y: 0.4, z: -0.9 },
  { element: 'H', x: -0.4, y: -0.5, z: 0.9 },
  { element: 'H', x: -0.4, y: -0.5, z: -0.9 },
  { element: 'H', x: -1.6, y: 1.4, z: -0.1 },
  { element: 'H', x: -0.1, y: 2.0, z: -0.9 },
  { element: 'H', x: -0.6, y: 3.2, z: 1.2 },
  { element: 'H', x: 0.9, y: 2.3, z: 1.4 },
  { element: 'H', x: -0.6, y: 1.7, z: 2.2 },
];

function rotated(atoms: readonly Atom[], shift: [number, number, number]): Atom[] {
  // Rotation about the axis (1, 2, 3)/√14 by 1.1 rad (Rodrigues), then a translation.
  const n = Math.hypot(1, 2, 3);
  const [kx, ky, kz] = [1 / n, 2 / n, 3 / n];
  const t = 1.1;
  const c = Math.cos(t);
  const s = Math.sin(t);
  return atoms.map((a) => {
    const d = kx * a.x + ky * a.y + kz * a.z;
    const cx = ky * a.z - kz * a.y;
    const cy = kz * a.x - kx * a.z;
    const cz = kx * a.y - ky * a.x;
    return {
      element: a.element,
      x: a.x * c + cx * s + kx * d * (1 - c) + shift[0],
      y: a.y * c + cy * s + ky * d * (1 - c) + shift[1],
      z: a.z * c + cz * s + kz * d * (1 - c) + shift[2],
    };
  });
}

describe('rmsd', () => {
  it('is zero for a rotated and translated copy', () => {
    const copy = rotated(butane, [5, -3, 12]);
    expect(rmsd(butane, copy)).toBeLessThan(1e-6);
    expect(rmsd(butane, copy, { atoms: 'all' })).toBeLessThan(1e-6);
  });

  it('measures a perturbation whatever the orientation', () => {
    // Move one heavy atom of four by 0.4 Å along z: no superposition can undo it entirely.
    const perturbed = butane.map((a, i) => (i === 3 ? { ...a, z: a.z + 0.4 } : a));
    const direct = rmsd(butane, perturbed);
    expect(direct).toBeGreaterThan(0.05);
    expect(direct).toBeLessThanOrEqual(0.4 / Math.sqrt(4) + 1e-12);
    expect(rmsd(butane, rotated(perturbed, [1, 2, 3]))).toBeCloseTo(direct, 9);
  });

  it('leaves hydrogens out by default and counts them on request', () => {
    const movedH = butane.map((a, i) => (i === 13 ? { ...a, x: a.x + 1 } : a));
    expect(rmsd(butane, movedH)).toBeLessThan(1e-6);
    expect(rmsd(butane, movedH, { atoms: 'all' })).toBeGreaterThan(0.1);
  });

  it('does not superpose a mirror image (reflection is not a rotation)', () => {
    const mirror = butane.map((a) => ({ ...a, x: -a.x }));
    const value = rmsd(butane, mirror);
    expect(value).toBeGreaterThan(0.1);
    // Superposing the mirror image of the mirror image is exact again.
    expect(rmsd(mirror, rotated(mirror, [0, 0, 1]))).toBeLessThan(1e-6);
  });

  it('is zero for a planar molecule and its mirror image (a rotation maps one onto the other)', () => {
    const planar: Atom[] = [
      { element: 'C', x: 0, y: 0, z: 0 },
      { element: 'C', x: 1.4, y: 0, z: 0 },
      { element: 'O', x: 2.1, y: 1.2, z: 0 },
    ];
    const flipped = planar.map((a) => ({ ...a, y: -a.y }));
    expect(rmsd(planar, flipped)).toBeLessThan(1e-6);
  });

  it('uses every atom of a molecule without heavy atoms', () => {
    const h2: Atom[] = [
      { element: 'H', x: 0, y: 0, z: 0 },
      { element: 'H', x: 0, y: 0, z: 0.74 },
    ];
    const stretched: Atom[] = [
      { element: 'H', x: 0, y: 0, z: 0 },
      { element: 'H', x: 0, y: 0, z: 0.94 },
    ];
    expect(rmsd(h2, stretched)).toBeCloseTo(0.1, 9);
  });

  it('refuses geometries with different atoms, as a failure no retry can mend', () => {
    expect(() => rmsd(butane, butane.slice(1))).toThrow(/differ in atoms/);
    expect(() => rmsd(butane, butane.slice(1))).toThrow(InfrastructureError);
    const failure = (() => {
      try {
        rmsd(butane, [...butane].reverse());
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(failure).toBeInstanceOf(InfrastructureError);
    expect((failure as InfrastructureError).retryable).toBe(false);
  });
});
