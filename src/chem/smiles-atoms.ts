import type { SmilesGraph } from './bond-graph.js';
import { readCommonchem } from './commonchem.js';
import { elementSymbol } from './elements.js';
import { InfrastructureError } from '../core/errors.js';
import type { Rdkit } from './descriptors.js';

/**
 * What a SMILES stands for, as RDKit reads it, before any geometry exists:
 * - `elements`: the element of every atom, hydrogens included (implicit and bracket hydrogens
 *   as `H`): enough to count electrons;
 * - `radicalElectrons`: the unpaired electrons RDKit perceives (`[CH3]` 1, `[O][O]` 2, `[CH2]`
 *   2), all taken parallel: the high-spin multiplicity is `radicalElectrons + 1`;
 * - `graph`: heavy atoms in SMILES order with their hydrogens, and the bonds between them (what
 *   a 3D geometry made from the SMILES is checked against; see chem/bond-graph.ts).
 */
export interface SmilesAtoms {
  readonly elements: readonly string[];
  readonly radicalElectrons: number;
  readonly graph: SmilesGraph;
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
 * From RDKit's JSON: every atom's element (hydrogens included), the radical electrons, and the
 * heavy-atom graph; the atoms of several molecules (dot-separated components) numbered on from
 * one another.
 */
function atomsOf(json: string): SmilesAtoms | undefined {
  const elements: string[] = [];
  const heavy: { element: string; hydrogens: number }[] = [];
  const bonds: [number, number][] = [];
  let radicalElectrons = 0;
  for (const molecule of readCommonchem(json)) {
    // Index in `heavy` of each atom of this molecule; undefined for an explicit hydrogen atom.
    const heavyOf: (number | undefined)[] = [];
    for (const atom of molecule.atoms) {
      const symbol = elementSymbol(atom.z);
      if (symbol === undefined) return undefined;
      elements.push(symbol);
      for (let h = 0; h < atom.impHs; h++) elements.push('H');
      radicalElectrons += atom.nRad;
      if (symbol === 'H') {
        heavyOf.push(undefined);
      } else {
        heavyOf.push(heavy.length);
        heavy.push({ element: symbol, hydrogens: atom.impHs });
      }
    }
    for (const [i, j] of molecule.bonds) {
      const [a, b] = [heavyOf[i], heavyOf[j]];
      if (a !== undefined && b !== undefined) {
        bonds.push([Math.min(a, b), Math.max(a, b)]);
      } else {
        // A bond to an explicit hydrogen atom is a hydrogen of the heavy partner.
        const carrier = heavy[a ?? b ?? -1];
        if (carrier !== undefined) carrier.hydrogens++;
      }
    }
  }
  return { elements, radicalElectrons, graph: { heavy, bonds } };
}
