import { beforeAll, describe, expect, it } from 'vitest';
import { describeSmiles, loadRdkit, type Rdkit } from '../../src/chem/descriptors.js';

let rdkit: Rdkit;

beforeAll(async () => {
  rdkit = await loadRdkit();
});

describe('loadRdkit', () => {
  it('starts RDKit once and hands every caller the same module', async () => {
    expect(await loadRdkit()).toBe(rdkit);
    expect(rdkit.version()).toMatch(/^\d{4}\.\d{2}\.\d+/);
  });
});

describe('describeSmiles', () => {
  it('describes ethanol: 3 heavy atoms, no rotatable bond, TPSA 20.23 Å², a heteroatom', () => {
    expect(describeSmiles(rdkit, 'CCO')).toEqual({
      valid: true,
      nheavy: 3,
      nrotbonds: 0,
      tpsa: 20.23,
      aromatic_rings: 0,
      has_heteroatoms: true,
      formal_charge: 0,
      radical_electrons: 0,
    });
  });

  it('counts the vinyl rotor and the aromatic furan ring of C=Cc1ccc(C)o1', () => {
    const d = describeSmiles(rdkit, 'C=Cc1ccc(C)o1');
    expect(d).toMatchObject({ valid: true, nheavy: 8, nrotbonds: 1, aromatic_rings: 1 });
    expect(d.valid && d.tpsa).toBeCloseTo(13.14, 2);
  });

  it('says a SMILES RDKit cannot parse is invalid, also an empty one', () => {
    expect(describeSmiles(rdkit, 'xyz(')).toEqual({ valid: false });
    expect(describeSmiles(rdkit, 'C1CC')).toEqual({ valid: false });
    expect(describeSmiles(rdkit, '')).toEqual({ valid: false });
    expect(describeSmiles(rdkit, '   ')).toEqual({ valid: false });
  });

  it('sees the unpaired electron of the methyl radical [CH3]', () => {
    expect(describeSmiles(rdkit, '[CH3]')).toMatchObject({
      valid: true,
      nheavy: 1,
      has_heteroatoms: false,
      radical_electrons: 1,
      formal_charge: 0,
    });
    expect(describeSmiles(rdkit, '[O]N=O')).toMatchObject({ radical_electrons: 1, nheavy: 3 });
  });

  it('sums formal charges: ammonium +1, acetate −1, zwitterionic glycine 0', () => {
    expect(describeSmiles(rdkit, '[NH4+]')).toMatchObject({ formal_charge: 1 });
    expect(describeSmiles(rdkit, 'CC(=O)[O-]')).toMatchObject({ formal_charge: -1 });
    expect(describeSmiles(rdkit, '[NH3+]CC(=O)[O-]')).toMatchObject({ formal_charge: 0 });
  });

  it('has heteroatoms for any atom other than C and H', () => {
    expect(describeSmiles(rdkit, 'c1ccccc1')).toMatchObject({
      has_heteroatoms: false,
      aromatic_rings: 1,
    });
    expect(describeSmiles(rdkit, 'CS')).toMatchObject({ has_heteroatoms: true });
    expect(describeSmiles(rdkit, 'C#N')).toMatchObject({ has_heteroatoms: true, tpsa: 23.79 });
  });

  it('deletes every RDKit molecule it makes, valid or not', () => {
    const made: { isDeleted(): boolean }[] = [];
    const spy = {
      get_mol: (smiles: string) => {
        const mol = rdkit.get_mol(smiles);
        if (mol !== null) made.push(mol);
        return mol;
      },
    } as unknown as Rdkit;
    for (const smiles of ['CCO', '[CH3]', 'C1CC', 'c1ccccc1', 'xyz(']) describeSmiles(spy, smiles);
    expect(made.length).toBeGreaterThanOrEqual(3);
    expect(made.every((m) => m.isDeleted())).toBe(true);
  });
});
