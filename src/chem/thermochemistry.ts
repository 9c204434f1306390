/**
 * Harmonic vibrations and ideal-gas thermochemistry as retort reports them, for every program
 * that computes them (psi4, NWChem). The programs do the physics; this module only holds what
 * must be the same for all of them: the conditions, the mode count, and the result fields.
 */

/** Temperature of every reported thermochemistry, K. */
export const THERMO_TEMPERATURE_K = 298.15;
/** Pressure of every reported thermochemistry, Pa (1 atm). */
export const THERMO_PRESSURE_PA = 101325;
/** kcal/mol in one hartree (CODATA 2014, as psi4 1.3 uses it). */
export const KCAL_MOL_PER_HARTREE = 627.509474;

/** A point in space, Å. */
export interface Point {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

/** Atoms further than this from the line through the two most distant atoms make a bent molecule. */
const LINEAR_TOLERANCE_ANGSTROM = 1e-3;

/** True when every atom lies on one line (a diatomic, CO2, HCN …); one atom is not linear. */
export function isLinear(atoms: readonly Point[]): boolean {
  if (atoms.length < 2) return false;
  let best: [Point, Point] | undefined;
  let longest = -1;
  for (const a of atoms) {
    for (const b of atoms) {
      const d = distance(a, b);
      if (d > longest) [longest, best] = [d, [a, b]];
    }
  }
  if (best === undefined || longest === 0) return false;
  const [a, b] = best;
  const axis = { x: (b.x - a.x) / longest, y: (b.y - a.y) / longest, z: (b.z - a.z) / longest };
  return atoms.every((p) => {
    const v = { x: p.x - a.x, y: p.y - a.y, z: p.z - a.z };
    const cross = {
      x: v.y * axis.z - v.z * axis.y,
      y: v.z * axis.x - v.x * axis.z,
      z: v.x * axis.y - v.y * axis.x,
    };
    return Math.hypot(cross.x, cross.y, cross.z) < LINEAR_TOLERANCE_ANGSTROM;
  });
}

/** The number of vibrations: 3N − 6, 3N − 5 for a linear molecule, 0 for one atom. */
export function vibrationCount(atoms: readonly Point[]): number {
  if (atoms.length < 2) return 0;
  return 3 * atoms.length - (isLinear(atoms) ? 5 : 6);
}

/** G − H = −TS: the Gibbs correction from the enthalpy correction (Eh) and the entropy. */
export function gibbsCorrectionHartree(
  enthalpyCorrectionHartree: number,
  entropyCalMolK: number,
): number {
  return (
    enthalpyCorrectionHartree -
    (THERMO_TEMPERATURE_K * entropyCalMolK) / 1000 / KCAL_MOL_PER_HARTREE
  );
}

/** What a program's frequency analysis gives at THERMO_TEMPERATURE_K and THERMO_PRESSURE_PA. */
export interface Thermochemistry {
  /** Harmonic frequencies of the vibrations (translations and rotations left out), cm⁻¹; an imaginary one as a negative number. */
  readonly frequenciesCm1: readonly number[];
  readonly zeroPointEnergyHartree: number;
  /** Thermal correction to the enthalpy (ZPE included), Eh. */
  readonly enthalpyCorrectionHartree: number;
  /** Thermal correction to the Gibbs free energy (ZPE included), Eh. */
  readonly gibbsCorrectionHartree: number;
}

/** The result fields of task `frequencies` (frequencyFields says what each holds). */
export interface FrequencyFields {
  readonly frequencies_cm1: number[];
  readonly imaginary_count: number;
  readonly zero_point_energy_hartree: number;
  readonly enthalpy_correction_hartree: number;
  readonly gibbs_correction_hartree: number;
  readonly enthalpy_hartree: number;
  readonly gibbs_free_energy_hartree: number;
  readonly temperature_k: number;
  readonly pressure_pa: number;
}

/**
 * The result fields of task `frequencies`, the same for every program:
 * `frequencies_cm1` (ascending, imaginary as negative), `imaginary_count` (how many are
 * negative), `zero_point_energy_hartree`, `enthalpy_correction_hartree`,
 * `gibbs_correction_hartree`, `enthalpy_hartree` and `gibbs_free_energy_hartree` (the electronic
 * energy plus the correction), `temperature_k` (298.15), `pressure_pa` (101325). The programs
 * leave imaginary modes out of the thermochemistry.
 */
export function frequencyFields(
  totalEnergyHartree: number,
  thermo: Thermochemistry,
): FrequencyFields {
  const frequencies = [...thermo.frequenciesCm1].sort((a, b) => a - b);
  return {
    frequencies_cm1: frequencies,
    imaginary_count: frequencies.filter((f) => f < 0).length,
    zero_point_energy_hartree: thermo.zeroPointEnergyHartree,
    enthalpy_correction_hartree: thermo.enthalpyCorrectionHartree,
    gibbs_correction_hartree: thermo.gibbsCorrectionHartree,
    enthalpy_hartree: totalEnergyHartree + thermo.enthalpyCorrectionHartree,
    gibbs_free_energy_hartree: totalEnergyHartree + thermo.gibbsCorrectionHartree,
    temperature_k: THERMO_TEMPERATURE_K,
    pressure_pa: THERMO_PRESSURE_PA,
  };
}

function distance(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y, a.z - b.z);
}
