import { describe, expect, it } from 'vitest';
import { loadRdkit } from '../../src/chem/descriptors.js';
import { isCarboxylicAcid } from '../../src/chem/functional-groups.js';

describe('carboxylic acids by SMARTS', () => {
  it('finds the COOH of acetic, formic and benzoic acid and of glycine', async () => {
    const rdkit = await loadRdkit();
    for (const smiles of ['CC(=O)O', 'OC=O', 'OC(=O)c1ccccc1', 'NCC(=O)O']) {
      expect(await isCarboxylicAcid(rdkit, smiles), smiles).toBe(true);
    }
  });

  it('does not take an ester, a carboxylate, an aldehyde with an alcohol or a bad SMILES for one', async () => {
    const rdkit = await loadRdkit();
    for (const smiles of ['CC(=O)OC', 'CC(=O)[O-]', 'OCC=O', 'C(C']) {
      expect(await isCarboxylicAcid(rdkit, smiles), smiles).toBe(false);
    }
  });
});
