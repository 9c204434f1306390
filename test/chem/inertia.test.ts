import { describe, expect, it } from 'vitest';
import { principalMoments } from '../../src/chem/inertia.js';
import type { Atom } from '../../src/chem/molecule.js';
import { parseXyz } from '../../src/chem/xyz.js';
import { realFixture } from '../engines/real-fixtures.js';

const methylpiperidine = [
  ...(parseXyz(realFixture('nitrogen-inversions', 'n_methylpiperidine_xtb.xyz'))[0]?.atoms ?? []),
];

function rotate(atoms: readonly Atom[], degrees: number): Atom[] {
  const t = (degrees * Math.PI) / 180;
  return atoms.map((a) => ({
    ...a,
    x: a.x * Math.cos(t) - a.y * Math.sin(t),
    y: a.x * Math.sin(t) + a.y * Math.cos(t),
    z: a.z + 3,
  }));
}

describe('principalMoments', () => {
  it('gives a linear molecule’s moments: 0 about its axis, Σ Z r² about the others', () => {
    // O=C=O along x, C at the centre: 2 × 8 × 1.16² about y and z.
    const co2: Atom[] = [
      { element: 'O', x: -1.16, y: 0, z: 0 },
      { element: 'C', x: 0, y: 0, z: 0 },
      { element: 'O', x: 1.16, y: 0, z: 0 },
    ];
    const [a, b, c] = principalMoments(co2);
    expect(a).toBeCloseTo(0, 10);
    expect(b).toBeCloseTo(2 * 8 * 1.16 ** 2, 10);
    expect(c).toBeCloseTo(2 * 8 * 1.16 ** 2, 10);
  });

  it('does not change when the geometry is moved, turned, mirrored or its atoms renumbered', () => {
    const moments = principalMoments(methylpiperidine);
    expect(moments[0]).toBeGreaterThan(0);
    expect(moments[0]).toBeLessThanOrEqual(moments[1]);
    expect(moments[1]).toBeLessThanOrEqual(moments[2]);
    const variants = [
      rotate(methylpiperidine, 37),
      methylpiperidine.map((a) => ({ ...a, x: -a.x })),
      [...methylpiperidine].reverse(),
    ];
    for (const v of variants) {
      principalMoments(v).forEach((m, i) => {
        expect(m).toBeCloseTo(moments[i] ?? NaN, 8);
      });
    }
  });
});
