import { elementSymbol } from './elements.js';
import { InfrastructureError } from '../core/errors.js';
import type { Rdkit } from './descriptors.js';

/**
 * What a SMILES stands for, as RDKit reads it, before any geometry exists:
 * - `elements`: the element of every atom, hydrogens included (implicit and bracket hydrogens
 *   as `H`): enough to count electrons;
 * - `radicalElectrons`: the unpaired electrons RDKit perceives (`[CH3]` 1, `[O][O]` 2, `[CH2]`
 *   2), all taken parallel: the high-spin multiplicity is `radicalElectrons + 1`.
 */
export interface SmilesAtoms {
  readonly elements: readonly string[];
  readonly radicalElectrons: number;
}

/**
 * The atoms of a SMILES; undefined when RDKit cannot read it or it holds an element beyond the
 * table, and when RDKit itself breaks on it (the check is then left to the program).
 */
export async function smilesAtoms(rdkit: Rdkit, smiles: string): Promise<SmilesAtoms | undefined> {
  if (smiles.trim() === '') return undefined;
  try {
    return await rdkit.use((module) => {
      const mol = module.get_mol(smiles);
      if (mol === null) return undefined;
      try {
        return mol.is_valid() ? atomsOf(mol.get_json()) : undefined;
      } finally {
        mol.delete();
      }
    });
  } catch (error) {
    if (error instanceof InfrastructureError) return undefined;
    throw error;
  }
}

/**
 * From RDKit's JSON (commonchem): `z`, `impHs` and `nRad` of each atom, `defaults.atom` for
 * omitted ones.
 */
function atomsOf(json: string): SmilesAtoms | undefined {
  const parsed = JSON.parse(json) as {
    defaults?: { atom?: { z?: number; impHs?: number; nRad?: number } };
    molecules?: { atoms?: { z?: number; impHs?: number; nRad?: number }[] }[];
  };
  const z0 = parsed.defaults?.atom?.z ?? 6;
  const h0 = parsed.defaults?.atom?.impHs ?? 0;
  const rad0 = parsed.defaults?.atom?.nRad ?? 0;
  const elements: string[] = [];
  let radicalElectrons = 0;
  for (const molecule of parsed.molecules ?? []) {
    for (const atom of molecule.atoms ?? []) {
      const symbol = elementSymbol(atom.z ?? z0);
      if (symbol === undefined) return undefined;
      elements.push(symbol);
      for (let h = 0; h < (atom.impHs ?? h0); h++) elements.push('H');
      radicalElectrons += atom.nRad ?? rad0;
    }
  }
  return { elements, radicalElectrons };
}
