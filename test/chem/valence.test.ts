import { describe, expect, it } from 'vitest';
import type { Atom } from '../../src/chem/molecule.js';
import { spinChargeProblem } from '../../src/chem/molecule.js';
import { maxUnpairedElectrons } from '../../src/chem/valence.js';

const atoms = (...elements: string[]): Atom[] =>
  elements.map((element, i) => ({ element, x: i, y: 0, z: 0 }));

describe('maxUnpairedElectrons', () => {
  it('lets O2 hold at most 4 unpaired electrons (12 valence electrons in 8 orbitals)', () => {
    expect(maxUnpairedElectrons(atoms('O', 'O'), 0)).toBe(4);
  });

  it('counts hydrogen as one orbital: H2 at most a triplet, H- none', () => {
    expect(maxUnpairedElectrons(atoms('H', 'H'), 0)).toBe(2);
    expect(maxUnpairedElectrons(atoms('H'), -1)).toBe(0);
  });

  it('counts the d shell from period 4 and the f shell from period 6 (Fe, Gd)', () => {
    expect(maxUnpairedElectrons(atoms('Fe'), 0)).toBe(8);
    expect(maxUnpairedElectrons(atoms('Gd'), 0)).toBe(10);
    expect(maxUnpairedElectrons(atoms('Br'), 0)).toBe(1);
  });

  it('gives no bound for an unknown element', () => {
    expect(maxUnpairedElectrons(atoms('Xx'), 0)).toBeUndefined();
  });
});

describe('spinChargeProblem with the valence bound', () => {
  it('accepts triplet and quintet O2 and refuses septet O2', () => {
    const o2 = atoms('O', 'O');
    expect(spinChargeProblem(o2, 0, 3)).toBeUndefined();
    expect(spinChargeProblem(o2, 0, 5)).toBeUndefined();
    expect(spinChargeProblem(o2, 0, 7)).toMatch(
      /multiplicity 7 needs 6 unpaired electrons, but the valence shells of these atoms hold at most 4/,
    );
  });

  it('accepts the quartet of the methyl radical and refuses multiplicity 10', () => {
    const ch3 = atoms('C', 'H', 'H', 'H');
    expect(spinChargeProblem(ch3, 0, 4)).toBeUndefined();
    expect(spinChargeProblem(ch3, 0, 10)).toMatch(/at most 7 \(multiplicity 8\)/);
  });
});
