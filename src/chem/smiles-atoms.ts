import { elementSymbol } from './elements.js';
import type { Rdkit } from './descriptors.js';

/**
 * The elements of every atom a SMILES stands for, hydrogens included (implicit and bracket
 * hydrogens as `H`), as RDKit reads it; undefined when RDKit cannot read the SMILES or it holds
 * an element beyond the table. Enough to count electrons before any geometry exists.
 */
export function smilesElements(rdkit: Rdkit, smiles: string): string[] | undefined {
  if (smiles.trim() === '') return undefined;
  let mol: ReturnType<Rdkit['get_mol']>;
  try {
    mol = rdkit.get_mol(smiles);
  } catch {
    return undefined;
  }
  if (mol === null) return undefined;
  try {
    if (!mol.is_valid()) return undefined;
    return elementsOf(mol.get_json());
  } finally {
    mol.delete();
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
