import { describe, expect, it } from 'vitest';
import { loadRdkit } from '../../../src/chem/descriptors.js';
import { smilesAtoms } from '../../../src/chem/smiles-atoms.js';
import {
  moleculeShape,
  OptimisationCounts,
  type CountSample,
  type MoleculeShape,
} from '../../../src/pipelines/pm7/optimisation-counts.js';

async function shape(smiles: string, nrotbonds: number): Promise<MoleculeShape> {
  const atoms = await smilesAtoms(await loadRdkit(), smiles);
  return moleculeShape(nrotbonds, atoms?.graph ?? null);
}

const rigid: MoleculeShape = { rotatable: 0, xh_rotors: false };
const rigidOh: MoleculeShape = { rotatable: 0, xh_rotors: true };
const medium: MoleculeShape = { rotatable: 3, xh_rotors: false };
const mediumOh: MoleculeShape = { rotatable: 3, xh_rotors: true };

describe('moleculeShape', () => {
  it('finds the X–H rotors the conformer search turns in the SMILES', async () => {
    const rotors = async (smiles: string): Promise<boolean> => (await shape(smiles, 0)).xh_rotors;
    // OH, SH, NH2 and COOH on one heavy atom.
    for (const smiles of ['CO', 'CS', 'CN', 'OO', 'CC(=O)O', 'Oc1ccccc1']) {
      expect(await rotors(smiles), smiles).toBe(true);
    }
    // No H on the O or S, an NH between two heavy atoms, water and ammonia (no heavy neighbour).
    for (const smiles of ['C=O', 'COC', 'CC(=O)[O-]', 'CNC', 'CN(C)C', 'O', 'N', 'c1cc[nH]c1']) {
      expect(await rotors(smiles), smiles).toBe(false);
    }
  });

  it('counts rotatable bonds up to 5, and none for an unread SMILES', () => {
    expect(moleculeShape(9, null)).toEqual({ rotatable: 5, xh_rotors: false });
    expect(moleculeShape(null, null)).toEqual({ rotatable: 0, xh_rotors: false });
  });
});

describe('OptimisationCounts', () => {
  const samples: CountSample[] = [
    { shape: rigid, xtb: 1, mopac: 1, xh_rotamers: 0 },
    { shape: rigid, xtb: 1, mopac: 1, xh_rotamers: 0 },
    { shape: rigidOh, xtb: 3, mopac: 1, xh_rotamers: 1 },
    { shape: rigidOh, xtb: 3, mopac: 1, xh_rotamers: 8 },
    { shape: medium, xtb: 7, mopac: 3, xh_rotamers: 0 },
    { shape: medium, xtb: 17, mopac: 3, xh_rotamers: 0 },
  ];
  const counts = OptimisationCounts.learn(samples);

  it('predicts the mean of the earlier molecules of the same shape', () => {
    const predict = (s: MoleculeShape) => counts.predict(s, 5);
    expect(predict(rigid)).toEqual({ xtb: 1, mopac: 1, xh_rotamers: 0, source: 'shape' });
    expect(predict(rigidOh)).toEqual({ xtb: 3, mopac: 1, xh_rotamers: 5, source: 'shape' });
    expect(predict(medium)).toEqual({ xtb: 12, mopac: 3, xh_rotamers: 0, source: 'shape' });
  });

  it('falls back to the same rotatable bonds, then to the pipeline arithmetic', () => {
    // The same rotatable bonds without X–H rotors say nothing of the rotamers: their prior.
    expect(counts.predict(mediumOh, 5)).toEqual({
      xtb: 12,
      mopac: 3,
      xh_rotamers: 2,
      source: 'rotatable',
    });
    const none = OptimisationCounts.learn([]);
    const prior = (s: MoleculeShape) => none.predict(s, 5);
    expect(prior(rigid)).toEqual({ xtb: 1, mopac: 1, xh_rotamers: 0, source: 'prior' });
    expect(prior(rigidOh)).toEqual({ xtb: 3, mopac: 3, xh_rotamers: 2, source: 'prior' });
    expect(prior(medium)).toEqual({ xtb: 35, mopac: 3, xh_rotamers: 0, source: 'prior' });
    expect(prior(mediumOh)).toEqual({ xtb: 55, mopac: 3, xh_rotamers: 2, source: 'prior' });
    expect(none.predict({ rotatable: 5, xh_rotors: false }, 5).mopac).toBe(5);
  });

  it('caps the MOPAC count by the rotatable-bond rule, max_conformers and the xtb count', () => {
    const many = OptimisationCounts.learn([{ shape: medium, xtb: 2, mopac: 9, xh_rotamers: 0 }]);
    expect(many.predict(medium, 5)).toMatchObject({ xtb: 2, mopac: 2, source: 'shape' });
    expect(
      OptimisationCounts.learn([{ shape: medium, xtb: 20, mopac: 9, xh_rotamers: 0 }]).predict(
        medium,
        5,
      ).mopac,
    ).toBe(3);
    expect(counts.predict(medium, 2).mopac).toBe(2);
  });
});
