import { describe, expect, it } from 'vitest';
import { loadRdkit } from '../../src/chem/descriptors.js';
import { smilesElements } from '../../src/chem/smiles-atoms.js';

const sorted = (elements: string[] | undefined): string[] | undefined =>
  elements === undefined ? undefined : [...elements].sort();

describe('smilesElements', () => {
  it('lists every atom of a SMILES with its implicit and bracket hydrogens', async () => {
    const rdkit = await loadRdkit();
    expect(sorted(await smilesElements(rdkit, 'CCO'))).toEqual(
      ['C', 'C', 'O', 'H', 'H', 'H', 'H', 'H', 'H'].sort(),
    );
    expect(sorted(await smilesElements(rdkit, '[CH3]'))).toEqual(['C', 'H', 'H', 'H'].sort());
    expect(sorted(await smilesElements(rdkit, '[NH4+]'))).toEqual(['H', 'H', 'H', 'H', 'N'].sort());
    expect(sorted(await smilesElements(rdkit, 'c1ccccc1Cl'))).toHaveLength(12);
  });

  it('gives undefined for a SMILES RDKit cannot read, and for an empty one', async () => {
    const rdkit = await loadRdkit();
    expect(await smilesElements(rdkit, 'C1CC')).toBeUndefined();
    expect(await smilesElements(rdkit, '  ')).toBeUndefined();
  });
});
