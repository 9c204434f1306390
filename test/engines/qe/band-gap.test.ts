import { describe, expect, it } from 'vitest';
import { bandGap } from '../../../src/engines/qe/band-gap.js';

describe('the band gap from band energies', () => {
  it('finds an indirect gap between the highest occupied and lowest empty band', () => {
    const gap = bandGap(
      [
        [-5, 6.1, 8.0],
        [-4, 5.5, 6.7],
        [-3, 5.0, 7.2],
      ],
      4,
    );
    expect(gap).toMatchObject({ vbm_ev: 6.1, cbm_ev: 6.7, vbm_k: 0, cbm_k: 1, direct: false });
    expect(gap?.gap_ev).toBeCloseTo(0.6, 12);
    expect(gap?.direct_gap_ev).toBeCloseTo(1.2, 12);
  });

  it('calls a gap direct when both extrema are at one k-point', () => {
    const gap = bandGap(
      [
        [1, 2, 5],
        [1, 3, 4],
      ],
      4,
    );
    expect(gap).toMatchObject({ gap_ev: 1, direct: true, vbm_k: 1, cbm_k: 1 });
  });

  it('tells no gap for overlapping bands, an odd electron count or no empty band', () => {
    expect(
      bandGap(
        [
          [1, 5, 6],
          [1, 7, 8],
        ],
        4,
      ),
    ).toBeUndefined();
    expect(bandGap([[1, 2, 3]], 3)).toBeUndefined();
    expect(bandGap([[1, 2]], 4)).toBeUndefined();
  });
});
