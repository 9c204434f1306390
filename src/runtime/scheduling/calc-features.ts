import { atomicNumber } from '../../chem/elements.js';
import type { CalcSpec } from '../../core/calc-spec.js';

/**
 * The size of a calc, as the cost model sees it (null when the spec has no geometry: a SMILES
 * still to be made 3D, a command):
 * - `atoms`: every atom, ghost atoms included (they carry basis functions);
 * - `heavy_atoms`: atoms other than hydrogen, ghosts included;
 * - `electrons`: the electrons of the real atoms minus the charge; `basis_electrons` adds the
 *   nuclear charges of ghost atoms — a proxy for the number of basis functions (which grows
 *   with the elements' rows about as their atomic numbers do), and the size the learned model
 *   fits against.
 * A periodic structure counts its sites as atoms.
 */
export interface CalcFeatures {
  readonly atoms: number;
  readonly heavy_atoms: number;
  readonly electrons: number;
  readonly basis_electrons: number;
}

export function calcFeatures(spec: Pick<CalcSpec, 'molecule' | 'structure'>): CalcFeatures | null {
  const atoms =
    spec.molecule?.atoms ?? spec.structure?.sites.map((s) => ({ element: s.element })) ?? null;
  if (atoms === null || atoms.length === 0) return null;
  let heavy = 0;
  let electrons = 0;
  let ghostElectrons = 0;
  for (const atom of atoms) {
    const z = atomicNumber(atom.element) ?? 0;
    if (z > 1) heavy++;
    if ('ghost' in atom && atom.ghost === true) ghostElectrons += z;
    else electrons += z;
  }
  electrons -= spec.molecule?.charge ?? 0;
  return {
    atoms: atoms.length,
    heavy_atoms: heavy,
    electrons,
    basis_electrons: electrons + ghostElectrons,
  };
}
