import type { Atom } from '../../../src/chem/molecule.js';

/**
 * The water dimer of the real psi4 fixtures ghost.in / dimer_cp.in (Å): monomer A real,
 * monomer B as ghost atoms (monomer A in the dimer basis).
 */
export const monomerAInDimerBasis: readonly Atom[] = [
  { element: 'O', x: -1.551007, y: -0.11452, z: 0 },
  { element: 'H', x: -1.934259, y: 0.762503, z: 0 },
  { element: 'H', x: -0.599677, y: 0.040712, z: 0 },
  { element: 'O', x: 1.350625, y: 0.111469, z: 0, ghost: true },
  { element: 'H', x: 1.680398, y: -0.373741, z: -0.758561, ghost: true },
  { element: 'H', x: 1.680398, y: -0.373741, z: 0.758561, ghost: true },
];

const angle = (104.5 * Math.PI) / 180;

/** The water of water_hf.in (O; H 1 0.96; H 1 0.96 2 104.5) in Cartesian coordinates, Å. */
export const water: readonly Atom[] = [
  { element: 'O', x: 0, y: 0, z: 0 },
  { element: 'H', x: 0, y: 0, z: 0.96 },
  { element: 'H', x: 0.96 * Math.sin(angle), y: 0, z: 0.96 * Math.cos(angle) },
];

/** OH (a doublet radical when neutral), Å. */
export const hydroxyl: readonly Atom[] = [
  { element: 'O', x: 0, y: 0, z: 0 },
  { element: 'H', x: 0, y: 0, z: 0.97 },
];

/** The starting water of the optimize fixtures (water_opt, opt_maxiter), Å. */
export const waterStart: readonly Atom[] = [
  { element: 'O', x: 0, y: 0, z: 0.117 },
  { element: 'H', x: 0, y: 0.757, z: -0.468 },
  { element: 'H', x: 0, y: -0.757, z: -0.468 },
];

/** Water at NWChem's HF/STO-3G optimum (water_opt.out), the geometry of the water_freq fixtures, Å. */
export const waterOptimized: readonly Atom[] = [
  { element: 'O', x: 0, y: 0, z: 0.1508683 },
  { element: 'H', x: 0, y: 0.75808043, z: -0.48493415 },
  { element: 'H', x: 0, y: -0.75808043, z: -0.48493415 },
];

/** Planar (D3h) ammonia, N–H 1.0 Å: the umbrella mode is imaginary (nh3_planar_freq), Å. */
export const planarAmmonia: readonly Atom[] = [
  { element: 'N', x: 0, y: 0, z: 0 },
  { element: 'H', x: 1, y: 0, z: 0 },
  { element: 'H', x: -0.5, y: 0.8660254037844386, z: 0 },
  { element: 'H', x: -0.5, y: -0.8660254037844386, z: 0 },
];
