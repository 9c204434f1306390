import { describe, expect, it } from 'vitest';
import { bondChanges } from '../../src/chem/bond-graph.js';
import type { Atom } from '../../src/chem/molecule.js';
import {
  MAX_INVERTIBLE_NITROGENS,
  invertibleNitrogens,
  nitrogenInvertomers,
} from '../../src/chem/nitrogen-inversions.js';
import { dihedral } from '../../src/chem/xh-rotors.js';
import { parseXyz } from '../../src/chem/xyz.js';
import { realFixture } from '../engines/real-fixtures.js';

function geometry(name: string): Atom[] {
  return [...(parseXyz(realFixture('nitrogen-inversions', `${name}.xyz`))[0]?.atoms ?? [])];
}

/** |C(methyl)–N–C–C| of N-methylpiperidine (0-based C0 N1 C2 C3): ≈ 180° equatorial, ≈ 70° axial. */
function methylTorsion(atoms: readonly Atom[]): number {
  const d = dihedral(atoms, 0, 1, 2, 3);
  return Math.abs(((d + 180) % 360) - 180);
}

describe('invertibleNitrogens', () => {
  it('finds the ring N of N-methylpiperidine with its methyl as the substituent to reflect', () => {
    const [n, ...rest] = invertibleNitrogens(geometry('n_methylpiperidine_gen3d'));
    expect(rest).toEqual([]);
    expect(n?.n).toBe(1);
    expect(n?.root).toBe(0);
    // The methyl carbon and its three hydrogens (7, 8, 9 in the file's order).
    expect(n?.branch).toEqual([0, 7, 8, 9]);
    expect([...(n?.plane ?? [])].sort()).toEqual([2, 6]);
  });

  it('finds all three nitrogens of 1,3,5-trimethyl-1,3,5-triazinane', () => {
    const found = invertibleNitrogens(geometry('trimethyltriazinane_gen3d'));
    expect(found.map((n) => n.n)).toEqual([1, 3, 6]);
    expect(found).toHaveLength(MAX_INVERTIBLE_NITROGENS);
  });

  it('leaves out a planar amide N and an open-chain N with two substituents alike', () => {
    expect(invertibleNitrogens(geometry('acetylpyrrolidine_gen3d'))).toEqual([]);
    expect(invertibleNitrogens(geometry('dimethylethylamine_gen3d'))).toEqual([]);
  });

  it('reflects the smallest substituent of an open-chain N with three different ones', () => {
    // CCN(C)[C@H](C)CC(=O)O: N3 (index 2) carries ethyl, methyl (C4, index 3) and the chiral chain.
    const [n] = invertibleNitrogens(geometry('mol00660_gen3d'));
    expect(n?.n).toBe(2);
    expect(n?.root).toBe(3);
    expect(n?.branch).toHaveLength(4);
  });
});

describe('nitrogenInvertomers', () => {
  it('turns the equatorial N-methyl of xtb-optimised N-methylpiperidine axial, moving only the methyl', () => {
    const equatorial = geometry('n_methylpiperidine_xtb');
    const [first, inverted, ...rest] = nitrogenInvertomers(equatorial);
    expect(rest).toEqual([]);
    expect(first).toEqual(equatorial);
    expect(methylTorsion(equatorial)).toBeGreaterThan(150);
    expect(methylTorsion(inverted ?? [])).toBeLessThan(90);
    const moved = equatorial.flatMap((a, i) => {
      const b = inverted?.[i];
      return b !== undefined && Math.hypot(a.x - b.x, a.y - b.y, a.z - b.z) > 1e-9 ? [i] : [];
    });
    expect(moved).toEqual([0, 7, 8, 9]);
    expect(bondChanges(equatorial, inverted ?? [])).toEqual([]);
  });

  it('gives every combination of the triazinane’s inversions that does not clash, fewer first', () => {
    const start = geometry('trimethyltriazinane_gen3d');
    const all = nitrogenInvertomers(start);
    expect(all[0]).toEqual(start);
    expect(all.length).toBeGreaterThanOrEqual(4);
    expect(all.length).toBeLessThanOrEqual(8);
    for (const g of all) expect(bondChanges(start, g)).toEqual([]);
  });

  it('gives the geometry alone when no nitrogen can be inverted', () => {
    const amide = geometry('acetylpyrrolidine_gen3d');
    expect(nitrogenInvertomers(amide)).toEqual([amide]);
  });
});
