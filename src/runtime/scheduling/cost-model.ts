/**
 * Predicted cost of an item, for the `longest_first` strategy of batches.
 *
 * A documented heuristic, not a measurement (the wall time of single calcs is learned from the
 * store: learned-cost.ts, which falls back to {@link heuristicCalcSeconds} below). Each program the item's pipeline will run adds
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

/**
 * The heuristic wall time of one calc, seconds, when the store has no timings of its program
 * (learned-cost.ts falls back to it): `seconds(program) × (basis_electrons / 10)^exponent`,
 * rough figures for one core on a 2020s machine —
 * - psi4, nwchem (ab initio, DFT): 1 s × (n/10)^3 (water ≈ 1 s, benzene ≈ 74 s);
 * - mopac, xtb (semi-empirical, tight binding): 0.1 s × (n/10)^2;
 * - crest (conformer search): 30 s × (n/10)^2;
 * - qe (plane waves): 10 s × (n/10)^2;
 * - obabel and everything else: 0.5 s, whatever the size.
 * A calc without a geometry counts as 10 electrons.
 */
const CALC_SECONDS: Readonly<Record<string, { seconds: number; exponent: number }>> = {
  psi4: { seconds: 1, exponent: 3 },
  nwchem: { seconds: 1, exponent: 3 },
  mopac: { seconds: 0.1, exponent: 2 },
  xtb: { seconds: 0.1, exponent: 2 },
  crest: { seconds: 30, exponent: 2 },
  qe: { seconds: 10, exponent: 2 },
};

const OTHER_CALC = { seconds: 0.5, exponent: 0 };

export function heuristicCalcSeconds(program: string, basisElectrons: number | null): number {
  const c = CALC_SECONDS[program] ?? OTHER_CALC;
  return c.seconds * Math.max(0.1, (basisElectrons ?? 10) / 10) ** c.exponent;
}

/** The exponent of size the heuristic assumes for a program (learned-cost.ts uses it with one size). */
export function heuristicExponent(program: string): number {
  return (CALC_SECONDS[program] ?? OTHER_CALC).exponent;
}
