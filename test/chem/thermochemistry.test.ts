import { describe, expect, it } from 'vitest';
import {
  frequencyFields,
  gibbsCorrectionHartree,
  isLinear,
  vibrationCount,
} from '../../src/chem/thermochemistry.js';

const at = (x: number, y: number, z: number): { x: number; y: number; z: number } => ({ x, y, z });

describe('vibrations', () => {
  it('counts 3N − 6 vibrations of a bent molecule, 3N − 5 of a linear one, none of an atom', () => {
    const water = [at(0, 0, 0.117), at(0, 0.757, -0.468), at(0, -0.757, -0.468)];
    const co2 = [at(0, 0, 0), at(0, 0, 1.16), at(0, 0, -1.16)];
    const hcn = [at(1, 1, 1), at(2, 2, 2), at(3.5, 3.5, 3.5)];
    expect(vibrationCount(water)).toBe(3);
    expect(vibrationCount(co2)).toBe(4);
    expect(vibrationCount(hcn)).toBe(4);
    expect(vibrationCount([at(0, 0, 0), at(0, 0, 0.74)])).toBe(1);
    expect(vibrationCount([at(0, 0, 0)])).toBe(0);
    expect(isLinear(water)).toBe(false);
    expect(isLinear([at(0, 0, 0), at(0, 0, 1.16), at(0, 0.01, -1.16)])).toBe(false);
  });
});

describe('thermochemistry', () => {
  it('gives G − H = −TS at 298.15 K in hartree', () => {
    // 1 kcal/mol·K of entropy at 298.15 K is 298.15 kcal/mol.
    expect(gibbsCorrectionHartree(0.5, 1000)).toBeCloseTo(0.5 - 298.15 / 627.509474, 15);
  });

  it('sorts the frequencies, counts the negative (imaginary) ones and adds the corrections to E', () => {
    const fields = frequencyFields(-55.4, {
      frequenciesCm1: [4427.9, -1117.93, 1852.15],
      zeroPointEnergyHartree: 0.0379,
      enthalpyCorrectionHartree: 0.0417,
      gibbsCorrectionHartree: 0.0206,
    });
    expect(fields).toEqual({
      frequencies_cm1: [-1117.93, 1852.15, 4427.9],
      imaginary_count: 1,
      zero_point_energy_hartree: 0.0379,
      enthalpy_correction_hartree: 0.0417,
      gibbs_correction_hartree: 0.0206,
      enthalpy_hartree: -55.4 + 0.0417,
      gibbs_free_energy_hartree: -55.4 + 0.0206,
      temperature_k: 298.15,
      pressure_pa: 101325,
    });
  });
});
