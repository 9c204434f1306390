import { KCAL_MOL_PER_HARTREE, THERMO_TEMPERATURE_K } from '../../chem/thermochemistry.js';

/** Conformers more than this above the lowest are dropped before weighting, kcal/mol. */
export const ENSEMBLE_WINDOW_KCAL_MOL = 3;
/** Molar gas constant, kcal/(mol·K) (CODATA 2018: 8.314462618 J/(mol·K) / 4184). */
export const GAS_CONSTANT_KCAL_MOL_K = 8.314462618 / 4184;

/** A conformer's place in the ensemble. */
export interface EnsembleWeight {
  /** Energy above the lowest, kcal/mol. */
  readonly relative_kcal_mol: number;
  /** Within {@link ENSEMBLE_WINDOW_KCAL_MOL} of the lowest. */
  readonly kept: boolean;
  /** Boltzmann weight at 298.15 K among the kept ones (0 for those dropped); they sum to 1. */
  readonly weight: number;
}

/** Post-filter and Boltzmann weights of conformer energies (hartree), in their order. */
export function boltzmannWeights(energiesHartree: readonly number[]): EnsembleWeight[] {
  if (energiesHartree.length === 0) return [];
  const lowest = Math.min(...energiesHartree);
  const rel = energiesHartree.map((e) => (e - lowest) * KCAL_MOL_PER_HARTREE);
  const rt = GAS_CONSTANT_KCAL_MOL_K * THERMO_TEMPERATURE_K;
  const factors = rel.map((r) => (r <= ENSEMBLE_WINDOW_KCAL_MOL ? Math.exp(-r / rt) : 0));
  const sum = factors.reduce((a, b) => a + b, 0);
  return rel.map((r, i) => ({
    relative_kcal_mol: r,
    kept: r <= ENSEMBLE_WINDOW_KCAL_MOL,
    weight: (factors[i] ?? 0) / sum,
  }));
}
