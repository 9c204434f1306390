import { atomicNumber } from './elements.js';

// Atomic numbers of the noble gases: the electrons up to the one below an element are its core.
const NOBLE_GAS_Z = [0, 2, 10, 18, 36, 54, 86, 118];
// Valence orbitals per period (index = period − 1): s; s+p; s+p; s+p+d; s+p+d; s+p+d+f; s+p+d+f.
// Periods 2 and 3 count no d: their d orbitals hold no unpaired electrons in any ground state.
const VALENCE_ORBITALS = [1, 4, 4, 9, 9, 16, 16];

/**
 * The most unpaired electrons the valence shells of these atoms can hold with this total charge
 * (e): with N valence electrons (outside each atom's noble-gas core, minus the charge) in M
 * valence orbitals, min(N, 2M − N), every singly occupied orbital taken parallel. Ghost atoms
 * count nothing. Undefined when an element is unknown, or N is below zero or above 2M (then the
 * valence shells do not describe the molecule and only the electron count limits the spin).
 *
 * A bound of the structure, not of a method: a high-spin state beyond it needs core or Rydberg
 * excitations, which no ground-state calc of a molecule is asked for.
 */
export function maxUnpairedElectrons(
  atoms: readonly { readonly element: string; readonly ghost?: boolean }[],
  charge: number,
): number | undefined {
  let electrons = -charge;
  let orbitals = 0;
  for (const atom of atoms) {
    if (atom.ghost === true) continue;
    const z = atomicNumber(atom.element);
    if (z === undefined) return undefined;
    const period = NOBLE_GAS_Z.findIndex((noble) => noble >= z);
    electrons += z - (NOBLE_GAS_Z[period - 1] ?? 0);
    orbitals += VALENCE_ORBITALS[period - 1] ?? 16;
  }
  if (electrons < 0 || electrons > 2 * orbitals) return undefined;
  return Math.min(electrons, 2 * orbitals - electrons);
}
