import { describe, expect, it } from 'vitest';
import { loadRdkit } from '../../src/chem/descriptors.js';
import { smilesAtoms } from '../../src/chem/smiles-atoms.js';

const sorted = async (smiles: string): Promise<string[] | undefined> => {
  const atoms = await smilesAtoms(await loadRdkit(), smiles);
  return atoms === undefined ? undefined : [...atoms.elements].sort();
};

describe('smilesAtoms', () => {
  it('lists every atom of a SMILES with its implicit and bracket hydrogens', async () => {
    expect(await sorted('CCO')).toEqual(['C', 'C', 'O', 'H', 'H', 'H', 'H', 'H', 'H'].sort());
    expect(await sorted('[CH3]')).toEqual(['C', 'H', 'H', 'H'].sort());
    expect(await sorted('[NH4+]')).toEqual(['H', 'H', 'H', 'H', 'N'].sort());
    expect(await sorted('c1ccccc1Cl')).toHaveLength(12);
  });

  it('counts the unpaired electrons RDKit perceives: 0 for ethanol, 1 for [CH3], 2 for [O][O]', async () => {
    const rdkit = await loadRdkit();
    const radicals = async (smiles: string) => (await smilesAtoms(rdkit, smiles))?.radicalElectrons;
    expect(await radicals('CCO')).toBe(0);
    expect(await radicals('[CH3]')).toBe(1);
    expect(await radicals('[O][O]')).toBe(2);
    expect(await radicals('[CH2]')).toBe(2);
    expect(await radicals('[O]Cc1ccccc1O')).toBe(1);
  });

  it('gives undefined for a SMILES RDKit cannot read, and for an empty one', async () => {
    const rdkit = await loadRdkit();
    expect(await smilesAtoms(rdkit, 'C1CC')).toBeUndefined();
    expect(await smilesAtoms(rdkit, '  ')).toBeUndefined();
  });
});
