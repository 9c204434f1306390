/**
 * Predicted cost of an item, for the `longest_first` strategy (and later ETA and timeouts).
 *
 * For now a documented heuristic, not a measurement (a later issue learns it from the store's
 * timings per program and molecule size). Each program the item's pipeline will run adds
 *
 *   weight(program) × (heavy atoms)^exponent(program) × (1 + rotatable bonds)^flex(program)
 *
 * in arbitrary units, only ever compared with each other:
 * - semi-empirical and tight-binding optimisations (mopac, xtb) grow about cubically with size
 *   and run once per conformer, and the number of conformers grows with the rotatable bonds;
 * - conformer searches (crest, and the built-in obabel + xtb search) grow with size and, more
 *   steeply, with flexibility;
 * - ab initio and DFT programs (psi4, nwchem) grow about with the fourth power of size.
 * A program not listed counts as weight 1, exponent 1, no flexibility term. An item whose size
 * is unknown (null) has cost 0: it cannot be predicted, so longest_first takes it last.
 */
export interface CostInputs {
  /** Heavy atoms of the item's molecule(s); null when unknown. */
  readonly heavy_atoms: number | null;
  /** Rotatable bonds; null counts as 0. */
  readonly rotatable_bonds: number | null;
  /** The programs the item's pipeline runs on it. */
  readonly programs: readonly string[];
}

interface ProgramCost {
  readonly weight: number;
  readonly exponent: number;
  readonly flex: number;
}

const PROGRAM_COSTS: Readonly<Record<string, ProgramCost>> = {
  obabel: { weight: 1, exponent: 1, flex: 1 },
  xtb: { weight: 0.05, exponent: 3, flex: 1 },
  crest: { weight: 0.5, exponent: 3, flex: 2 },
  mopac: { weight: 0.02, exponent: 3, flex: 1 },
  psi4: { weight: 0.01, exponent: 4, flex: 0 },
  nwchem: { weight: 0.01, exponent: 4, flex: 0 },
};

const DEFAULT_COST: ProgramCost = { weight: 1, exponent: 1, flex: 0 };

export function predictedCost(item: CostInputs): number {
  if (item.heavy_atoms === null) return 0;
  const n = Math.max(1, item.heavy_atoms);
  const flexibility = 1 + Math.max(0, item.rotatable_bonds ?? 0);
  let cost = 0;
  for (const program of item.programs) {
    const c = PROGRAM_COSTS[program] ?? DEFAULT_COST;
    cost += c.weight * n ** c.exponent * flexibility ** c.flex;
  }
  return cost;
}
