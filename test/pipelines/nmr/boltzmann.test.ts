import { describe, expect, it } from 'vitest';
import { boltzmannWeights } from '../../../src/pipelines/nmr/boltzmann.js';

describe('boltzmannWeights', () => {
  it('weights conformers by exp(−ΔE/RT) at 298.15 K and drops those more than 3 kcal/mol up', () => {
    const h = 1 / 627.509474; // 1 kcal/mol in hartree
    const w = boltzmannWeights([-100, -100 + 1 * h, -100 + 3.5 * h]);
    // RT at 298.15 K = 8.314462618 J/(mol·K) × 298.15 K / 4184 = 0.5924838 kcal/mol.
    const ratio = Math.exp(-1 / 0.5924838);
    expect(w[0]?.weight).toBeCloseTo(1 / (1 + ratio), 6);
    expect(w[1]?.weight).toBeCloseTo(ratio / (1 + ratio), 6);
    expect(w[1]?.relative_kcal_mol).toBeCloseTo(1, 9);
    expect(w[2]).toMatchObject({ kept: false, weight: 0 });
  });

  it('gives one conformer the whole weight', () => {
    expect(boltzmannWeights([-40.5])).toEqual([{ relative_kcal_mol: 0, kept: true, weight: 1 }]);
  });
});
