import { elementSymbol } from './elements.js';
import { InfrastructureError } from '../core/errors.js';
import type { Rdkit } from './descriptors.js';

/**
 * The elements of every atom a SMILES stands for, hydrogens included (implicit and bracket
 * hydrogens as `H`), as RDKit reads it; undefined when RDKit cannot read the SMILES or it holds
 * an element beyond the table, and when RDKit itself breaks on it (the check is then left to
 * the program). Enough to count electrons before any geometry exists.
 */
export async function smilesElements(rdkit: Rdkit, smiles: string): Promise<string[] | undefined> {
  if (smiles.trim() === '') return undefined;
  try {
    return await rdkit.use((module) => {
      const mol = module.get_mol(smiles);
      if (mol === null) return undefined;
      try {
        return mol.is_valid() ? elementsOf(mol.get_json()) : undefined;
      } finally {
        mol.delete();
      }
    });
  } catch (error) {
    if (error instanceof InfrastructureError) return undefined;
    throw error;
  }
}

/** From RDKit's JSON (commonchem): `z` and `impHs` of each atom, `defaults.atom` for omitted ones. */
function elementsOf(json: string): string[] | undefined {
  const parsed = JSON.parse(json) as {
    defaults?: { atom?: { z?: number; impHs?: number } };
    molecules?: { atoms?: { z?: number; impHs?: number }[] }[];
  };
  const z0 = parsed.defaults?.atom?.z ?? 6;
  const h0 = parsed.defaults?.atom?.impHs ?? 0;
  const out: string[] = [];
  for (const molecule of parsed.molecules ?? []) {
    for (const atom of molecule.atoms ?? []) {
      const symbol = elementSymbol(atom.z ?? z0);
      if (symbol === undefined) return undefined;
      out.push(symbol);
      for (let h = 0; h < (atom.impHs ?? h0); h++) out.push('H');
    }
  }
  return out;
}
