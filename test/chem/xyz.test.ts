import { describe, expect, it } from 'vitest';
import { formatXyz, parseXyz } from '../../src/chem/xyz.js';
import { spinChargeProblem } from '../../src/chem/molecule.js';

const water = `3
water
O 0.0 0.0 0.1173
H 0.0 0.7572 -0.4692
H 0.0 -0.7572 -0.4692
`;

describe('parseXyz', () => {
  it('reads atoms in Å and normalises element symbols', () => {
    const [frame] = parseXyz(water.replace('O 0.0', 'o 0.0'));
    expect(frame?.comment).toBe('water');
    expect(frame?.atoms).toHaveLength(3);
    expect(frame?.atoms[0]).toEqual({ element: 'O', x: 0, y: 0, z: 0.1173 });
  });

  it('reads every frame of an ensemble', () => {
    expect(parseXyz(water + water)).toHaveLength(2);
  });

  it('names the file and line of a bad atom line', () => {
    expect(() => parseXyz(water.replace('H 0.0 0.7572', 'H 0.0 abc'), 'w.xyz')).toThrow(
      /^w\.xyz:4: expected "element x y z" for atom 2 of 3/,
    );
    expect(() => parseXyz('three\n', 'w.xyz')).toThrow('w.xyz:1: expected an atom count');
  });

  it('round-trips through formatXyz', () => {
    const [frame] = parseXyz(water);
    if (frame === undefined) throw new Error('no frame');
    expect(parseXyz(formatXyz(frame.atoms, 'again'))[0]?.atoms).toEqual(frame.atoms);
  });
});

describe('spinChargeProblem', () => {
  const [frame] = parseXyz(water);
  const atoms = frame?.atoms ?? [];
  it('accepts a closed-shell singlet and refuses it as a doublet', () => {
    expect(spinChargeProblem(atoms, 0, 1)).toBeUndefined();
    expect(spinChargeProblem(atoms, 0, 2)).toMatch(/10 electrons/);
  });

  it('accepts the water cation as a doublet only', () => {
    expect(spinChargeProblem(atoms, 1, 2)).toBeUndefined();
    expect(spinChargeProblem(atoms, 1, 1)).toMatch(/9 electrons/);
  });
});
