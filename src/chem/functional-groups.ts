import type { Rdkit } from './descriptors.js';

/** A carboxylic acid group, neutral: C(=O)–OH (RDKit SMARTS). */
export const CARBOXYLIC_ACID_SMARTS = '[CX3](=O)[OX2H1]';

/**
 * Whether a SMILES holds a carboxylic acid group (SMARTS {@link CARBOXYLIC_ACID_SMARTS}): the
 * molecules whose COOH rotamer (syn or anti) decides their PM7 heat of formation by ~7 kcal/mol.
 * False for a SMILES RDKit cannot read.
 */
export function isCarboxylicAcid(rdkit: Rdkit, smiles: string): Promise<boolean> {
  return rdkit.use((m) => {
    const mol = m.get_mol(smiles);
    const query = m.get_qmol(CARBOXYLIC_ACID_SMARTS);
    try {
      return mol !== null && query !== null && mol.get_substruct_match(query) !== '{}';
    } finally {
      mol?.delete();
      query?.delete();
    }
  });
}
