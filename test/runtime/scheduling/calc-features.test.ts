import { describe, expect, it } from 'vitest';
import { calcFeatures } from '../../../src/runtime/scheduling/calc-features.js';

describe('calcFeatures', () => {
  it('counts atoms, heavy atoms and electrons of a molecule, charge included', () => {
    const hydronium = {
      molecule: {
        atoms: [
          { element: 'O', x: 0, y: 0, z: 0 },
          { element: 'H', x: 1, y: 0, z: 0 },
          { element: 'H', x: 0, y: 1, z: 0 },
          { element: 'H', x: 0, y: 0, z: 1 },
        ],
        charge: 1,
        multiplicity: 1,
      },
    };
    expect(calcFeatures(hydronium)).toEqual({
      atoms: 4,
      heavy_atoms: 1,
      electrons: 10,
      basis_electrons: 10,
    });
  });

  it('counts ghost atoms as basis but not as electrons', () => {
    const waterInDimerBasis = {
      molecule: {
        atoms: [
          { element: 'O', x: 0, y: 0, z: 0 },
          { element: 'H', x: 1, y: 0, z: 0 },
          { element: 'H', x: 0, y: 1, z: 0 },
          { element: 'O', x: 3, y: 0, z: 0, ghost: true },
          { element: 'H', x: 4, y: 0, z: 0, ghost: true },
          { element: 'H', x: 3, y: 1, z: 0, ghost: true },
        ],
        charge: 0,
        multiplicity: 1,
      },
    };
    expect(calcFeatures(waterInDimerBasis)).toEqual({
      atoms: 6,
      heavy_atoms: 2,
      electrons: 10,
      basis_electrons: 20,
    });
  });

  it('has no size for a calc without a geometry', () => {
    expect(calcFeatures({})).toBeNull();
    expect(calcFeatures({ molecule: { smiles: 'CCO', charge: 0, multiplicity: 1 } })).toBeNull();
  });
});
