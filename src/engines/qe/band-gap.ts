/** The band gap of an insulator from band energies per k-point (eV). */
export interface BandGap {
  readonly gap_ev: number;
  /** True when the valence band maximum and conduction band minimum are at one k-point. */
  readonly direct: boolean;
  readonly vbm_ev: number;
  readonly cbm_ev: number;
  /** The smallest gap between the two bands at one k-point. */
  readonly direct_gap_ev: number;
  /** Indices (in the list of k-points) of the valence band maximum and conduction band minimum. */
  readonly vbm_k: number;
  readonly cbm_k: number;
}

/**
 * The gap between band n/2 (the highest fully occupied band of a spin-unpolarised insulator
 * with n electrons) and band n/2 + 1, over the given k-points. Undefined when it cannot be
 * told: an odd or fractional electron count, no empty band computed, or bands that overlap
 * (a metal). Ties pick the first k-point, so `direct` is false only when the extrema are at
 * different k-points.
 */
export function bandGap(
  energies: readonly (readonly number[])[],
  electrons: number,
): BandGap | undefined {
  const occupied = electrons / 2;
  if (!Number.isInteger(occupied) || occupied < 1 || energies.length === 0) return undefined;
  if (energies.some((e) => e.length <= occupied)) return undefined;
  let vbm = -Infinity;
  let cbm = Infinity;
  let vbmK = 0;
  let cbmK = 0;
  let directGap = Infinity;
  energies.forEach((bands, k) => {
    const v = bands[occupied - 1] ?? NaN;
    const c = bands[occupied] ?? NaN;
    if (v > vbm) [vbm, vbmK] = [v, k];
    if (c < cbm) [cbm, cbmK] = [c, k];
    directGap = Math.min(directGap, c - v);
  });
  if (!(cbm > vbm)) return undefined;
  // Degenerate extrema printed to 1e-4 eV: a direct gap at one k-point equal to the
  // global gap is direct, wherever the first maximum happened to be.
  const gap = cbm - vbm;
  const direct = vbmK === cbmK || Math.abs(directGap - gap) < 1e-9;
  return {
    gap_ev: gap,
    direct,
    vbm_ev: vbm,
    cbm_ev: cbm,
    direct_gap_ev: directGap,
    vbm_k: vbmK,
    cbm_k: cbmK,
  };
}
