import { RetortError } from '../../core/errors.js';
import type { Atom, Molecule } from '../../chem/molecule.js';
import { BOHR_TO_ANGSTROM, type MbeInput, type MbeMolecule } from './input.js';

/**
 * The molecule of one task, as QCManyBody's `iterate_molecules` builds it with qcelemental's
 * `get_fragment(real, ghost, orient=False, group_fragments=False)`: the atoms of every basis
 * fragment in the parent's order (ascending fragments, ghost atoms interleaved in place, never
 * moved or reoriented), so that a program's gradient/Hessian rows come back in exactly the order
 * analyze expects. Charge and multiplicity are those of the real fragments only: charge = Σ
 * fragment charges, multiplicity = Σ (mᵢ − 1) + 1 (qcelemental's high-spin fill when the
 * fragment values are known). Coordinates in Å: bohr × {@link BOHR_TO_ANGSTROM}.
 */
export interface Subsystem {
  /** Real atoms and ghosts (`ghost: true`), in basis order, Å. */
  readonly atoms: readonly Atom[];
  /** For each atom of `atoms`, its 0-based index in the full molecule. */
  readonly atom_indices: readonly number[];
  readonly charge: number;
  readonly multiplicity: number;
  /**
   * EE-MBE point charges of every fragment outside the basis, as QCManyBody puts them in
   * `molecule.extras["embedding_charges"]`: [charge (e), [x, y, z] (bohr)] per atom. Empty
   * without embedding (and always for cp tasks, whose basis is the whole cluster).
   */
  readonly embedding_charges: readonly (readonly [number, readonly [number, number, number]])[];
}

/** The task's subsystem (`real` ⊆ `basis`: 1-based ascending fragment numbers). */
export function buildSubsystem(
  molecule: MbeMolecule,
  task: { readonly real: readonly number[]; readonly basis: readonly number[] },
  embeddingCharges?: MbeInput['embedding_charges'],
): Subsystem {
  const atoms: Atom[] = [];
  const indices: number[] = [];
  const real = new Set(task.real);
  const g = molecule.geometry_bohr;
  for (const f of task.basis) {
    const frag = molecule.fragments[f - 1];
    if (frag === undefined) throw new RetortError(`fragment ${f} does not exist`);
    const ghost = !real.has(f);
    for (const i of frag) {
      const element = molecule.symbols[i] ?? 'X';
      const x = (g[3 * i] ?? 0) * BOHR_TO_ANGSTROM;
      const y = (g[3 * i + 1] ?? 0) * BOHR_TO_ANGSTROM;
      const z = (g[3 * i + 2] ?? 0) * BOHR_TO_ANGSTROM;
      atoms.push(ghost ? { element, x, y, z, ghost: true } : { element, x, y, z });
      indices.push(i);
    }
  }
  let charge = 0;
  let unpaired = 0;
  for (const f of task.real) {
    charge += molecule.fragment_charges[f - 1] ?? 0;
    unpaired += (molecule.fragment_multiplicities[f - 1] ?? 1) - 1;
  }
  const embedding: [number, [number, number, number]][] = [];
  if (embeddingCharges !== undefined) {
    const basis = new Set(task.basis);
    for (let f = 1; f <= molecule.fragments.length; f++) {
      if (basis.has(f)) continue;
      const qs = embeddingCharges[String(f)] ?? [];
      (molecule.fragments[f - 1] ?? []).forEach((i, k) => {
        embedding.push([qs[k] ?? 0, [g[3 * i] ?? 0, g[3 * i + 1] ?? 0, g[3 * i + 2] ?? 0]]);
      });
    }
  }
  return {
    atoms,
    atom_indices: indices,
    charge,
    multiplicity: unpaired + 1,
    embedding_charges: embedding,
  };
}

/** The subsystem as the Molecule of a CalcSpec (atoms in Å, charge, multiplicity). */
export function subsystemMolecule(subsystem: Subsystem): Molecule {
  return {
    atoms: subsystem.atoms,
    charge: subsystem.charge,
    multiplicity: subsystem.multiplicity,
  };
}
