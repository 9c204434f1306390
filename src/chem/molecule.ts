import { InputError } from '../core/errors.js';
import { atomicNumber } from './elements.js';
import { maxUnpairedElectrons } from './valence.js';

/**
 * One atom: element symbol (conventional spelling, `C`, `Cl`) and Cartesian coordinates in
 * ångström. A `ghost` atom carries basis functions but no nucleus and no electrons (the
 * counterpoise correction of many-body expansions); absent means a real atom.
 */
export interface Atom {
  readonly element: string;
  readonly x: number;
  readonly y: number;
  readonly z: number;
  readonly ghost?: boolean;
}

/**
 * A molecule as a calc sees it. Either `atoms` (a geometry, Å) or `smiles` (to be given a 3D
 * geometry by a preceding calc) or both. `charge` is the total charge in e; `multiplicity` is
 * 2S+1 (1 singlet, 2 doublet, …). Both are always explicit: a radical is never silently a singlet.
 */
export interface Molecule {
  readonly atoms?: readonly Atom[];
  readonly smiles?: string;
  readonly charge: number;
  readonly multiplicity: number;
}

/** Number of electrons of a geometry with the given total charge. */
export function electronCount(atoms: readonly Atom[], charge: number): number {
  let n = 0;
  for (const atom of atoms) {
    if (atom.ghost === true) continue;
    const z = atomicNumber(atom.element);
    if (z === undefined) throw new InputError(undefined, `unknown element "${atom.element}"`);
    n += z;
  }
  return n - charge;
}

/**
 * Why charge and multiplicity cannot describe these atoms, or undefined when they can:
 * an even electron count needs an odd multiplicity and vice versa, and the unpaired electrons
 * must fit in the valence shells (see chem/valence.ts: triplet O2 yes, septet O2 no).
 */
export function spinChargeProblem(
  atoms: readonly Atom[],
  charge: number,
  multiplicity: number,
): string | undefined {
  const electrons = electronCount(atoms, charge);
  if (electrons < 0) return `charge ${charge} leaves ${electrons} electrons`;
  const unpaired = multiplicity - 1;
  if (unpaired > electrons)
    return `multiplicity ${multiplicity} needs ${unpaired} unpaired electrons, but there are only ${electrons}`;
  if ((electrons - unpaired) % 2 !== 0) {
    return `${electrons} electrons (charge ${charge}) cannot have multiplicity ${multiplicity}: ${electrons % 2 === 0 ? 'an even' : 'an odd'} electron count needs ${electrons % 2 === 0 ? 'an odd' : 'an even'} multiplicity`;
  }
  const most = maxUnpairedElectrons(atoms, charge);
  if (most !== undefined && unpaired > most)
    return `multiplicity ${multiplicity} needs ${unpaired} unpaired electrons, but the valence shells of these atoms hold at most ${most} (multiplicity ${most + 1})`;
  return undefined;
}

/** Number of atoms other than hydrogen. */
export function heavyAtomCount(atoms: readonly Atom[]): number {
  return atoms.filter((a) => a.element !== 'H' && a.ghost !== true).length;
}
