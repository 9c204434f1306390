import { describe, expect, it } from 'vitest';
import {
  cellVolume,
  checkStructure,
  latticeFromParameters,
  reciprocalLattice,
  structureElements,
  structureFromCartesian,
  toCartesian,
  toFractional,
  type Lattice,
} from '../../src/chem/structure.js';
import { InputError } from '../../src/core/errors.js';

const FCC: Lattice = [
  [0, 2.715, 2.715],
  [2.715, 0, 2.715],
  [2.715, 2.715, 0],
];

describe('periodic structures', () => {
  it('turns fractional coordinates into Cartesian ones and back', () => {
    const r = toCartesian(FCC, [0.25, 0.25, 0.25]);
    expect(r[0]).toBeCloseTo(1.3575, 12);
    expect(r[1]).toBeCloseTo(1.3575, 12);
    const f = toFractional(FCC, [1.3575, 1.3575, 1.3575]);
    f.forEach((x) => {
      expect(x).toBeCloseTo(0.25, 12);
    });
    const g = toFractional(FCC, toCartesian(FCC, [0.1, -0.7, 0.33]));
    expect(g[0]).toBeCloseTo(0.1, 12);
    expect(g[1]).toBeCloseTo(-0.7, 12);
    expect(g[2]).toBeCloseTo(0.33, 12);
  });

  it('computes the volume (a³/4 for fcc) and reciprocal vectors with a_i · b_j = 2π δ_ij', () => {
    expect(cellVolume(FCC)).toBeCloseTo(5.43 ** 3 / 4, 10);
    const b = reciprocalLattice(FCC);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const a = FCC[i] ?? [0, 0, 0];
        const bj = b[j] ?? [0, 0, 0];
        const dot = a[0] * bj[0] + a[1] * bj[1] + a[2] * bj[2];
        expect(dot).toBeCloseTo(i === j ? 2 * Math.PI : 0, 12);
      }
    }
  });

  it('sets up a lattice from lengths and angles with a along x and b in the xy plane', () => {
    const cubic = latticeFromParameters(4, 4, 4, 90, 90, 90);
    expect(cubic).toEqual([
      [4, 0, 0],
      [0, 4, 0],
      [0, 0, 4],
    ]);
    const hex = latticeFromParameters(3, 3, 5, 90, 90, 120);
    expect(hex[1][0]).toBeCloseTo(-1.5, 12);
    expect(hex[1][1]).toBeCloseTo((3 * Math.sqrt(3)) / 2, 12);
    expect(hex[2]).toEqual([0, 0, 5]);
    expect(() => latticeFromParameters(1, 1, 1, 10, 10, 170)).toThrow(InputError);
  });

  it('keeps Cartesian atoms as fractional sites of one canonical form', () => {
    const s = structureFromCartesian(FCC, [
      { element: 'SI', x: 0, y: 0, z: 0 },
      { element: 'si', x: 1.3575, y: 1.3575, z: 1.3575 },
    ]);
    expect(s.sites.map((site) => site.element)).toEqual(['Si', 'Si']);
    s.sites[1]?.fractional.forEach((x) => {
      expect(x).toBeCloseTo(0.25, 12);
    });
    expect(structureElements(s)).toEqual(['Si']);
  });

  it('refuses flat cells, missing sites, unknown elements and bad coordinates, naming the field', () => {
    const site = { element: 'Si', fractional: [0, 0, 0] };
    expect(() =>
      checkStructure({
        lattice_angstrom: [
          [1, 0, 0],
          [2, 0, 0],
          [0, 0, 1],
        ],
        sites: [site],
      }),
    ).toThrow('structure.lattice_angstrom: the lattice vectors span no volume');
    expect(() => checkStructure({ lattice_angstrom: FCC, sites: [] })).toThrow('structure.sites');
    expect(() =>
      checkStructure({ lattice_angstrom: FCC, sites: [{ element: 'Xx', fractional: [0, 0, 0] }] }),
    ).toThrow('structure.sites[0].element: unknown element "Xx"');
    expect(() =>
      checkStructure({ lattice_angstrom: FCC, sites: [{ element: 'Si', fractional: [0, 0] }] }),
    ).toThrow('structure.sites[0].fractional');
    expect(() => checkStructure('Si')).toThrow(InputError);
  });
});
