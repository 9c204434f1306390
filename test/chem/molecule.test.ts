import { describe, expect, it } from 'vitest';
import {
  electronCount,
  heavyAtomCount,
  spinChargeProblem,
  type Atom,
} from '../../src/chem/molecule.js';
import { InputError } from '../../src/core/errors.js';

const water: Atom[] = [
  { element: 'O', x: 0, y: 0, z: 0 },
  { element: 'H', x: 0.96, y: 0, z: 0 },
  { element: 'H', x: -0.24, y: 0.93, z: 0 },
];

describe('electronCount', () => {
  it('counts 10 electrons in water, 9 in its cation, and none for a ghost atom', () => {
    expect(electronCount(water, 0)).toBe(10);
    expect(electronCount(water, 1)).toBe(9);
    expect(electronCount([...water, { element: 'Ne', x: 5, y: 0, z: 0, ghost: true }], 0)).toBe(10);
  });

  it("says an unknown element is the input's mistake, naming the element", () => {
    const atoms: Atom[] = [...water, { element: 'Xx', x: 1, y: 1, z: 1 }];
    expect(() => electronCount(atoms, 0)).toThrow(InputError);
    expect(() => electronCount(atoms, 0)).toThrow('unknown element "Xx"');
  });
});

describe('spinChargeProblem', () => {
  it('accepts singlet water and refuses it as a doublet, or with more charge than electrons', () => {
    expect(spinChargeProblem(water, 0, 1)).toBeUndefined();
    expect(spinChargeProblem(water, 0, 2)).toMatch(/an even electron count needs an odd/);
    expect(spinChargeProblem(water, 11, 1)).toMatch(/leaves -1 electrons/);
  });
});

describe('heavyAtomCount', () => {
  it('counts the oxygen of water only', () => {
    expect(heavyAtomCount(water)).toBe(1);
  });
});
