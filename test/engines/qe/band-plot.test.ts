import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../../src/core/calc-spec.js';
import { qeBandStructure, qeBandStructureSvg } from '../../../src/engines/qe/band-plot.js';
import { qeEngine } from '../../../src/engines/qe/index.js';
import { exited, realFixture } from '../real-fixtures.js';
import { siBandsSpec, siSpec } from './si.js';

/** The engine's result of the real si-bands run (fcc path, 71 k-points). */
function siBands(): Readonly<Record<string, JsonValue>> {
  const outcome = qeEngine.parse(
    exited(0, { stdout: realFixture('qe', 'si-bands.out'), stderr: '' }),
    siBandsSpec(),
  );
  if (!outcome.ok) throw new Error(outcome.failure.message);
  return outcome.result;
}

const A = 5.43;

describe('the band structure of a qe bands calc', () => {
  it('puts the high-symmetry points of the fcc path at their textbook distances from Γ', () => {
    const data = qeBandStructure(siBandsSpec(), siBands(), 'Si');
    expect(data.distances).toHaveLength(71);
    expect(data.ticks.map((t) => t.label).join('')).toBe('GXWKGLUWLK');
    const at = (i: number): number => data.ticks[i]?.distance ?? NaN;
    // Γ–X = 2π/a, X–W = π/a, Γ–L = √3/2 · 2π/a in the fcc Brillouin zone of a = 5.43 Å (to
    // 1e-3 Å⁻¹: the k-points pw.x prints beside the bands have 4 decimals, summed step by step).
    expect(at(0)).toBe(0);
    expect(at(1)).toBeCloseTo((2 * Math.PI) / A, 3);
    expect(at(2) - at(1)).toBeCloseTo(Math.PI / A, 3);
    expect(at(5) - at(4)).toBeCloseTo(((Math.sqrt(3) / 2) * 2 * Math.PI) / A, 3);
    expect(data.distances[70]).toBeCloseTo(at(9), 12);
  });

  it('draws energies from the valence band maximum with silicon’s indirect gap marked', () => {
    const data = qeBandStructure(siBandsSpec(), siBands(), 'Si');
    expect(data.reference).toEqual({ energy_ev: 6.1431, name: 'VBM' });
    expect(data.gap?.gap_ev).toBeCloseTo(0.5159, 10);
    expect(data.gap?.direct).toBe(false);
    expect(data.gap?.vbm.distance).toBe(0);
    // The conduction band minimum lies on Γ–X, most of the way to X.
    const cbm = data.gap?.cbm.distance ?? NaN;
    expect(cbm / ((2 * Math.PI) / A)).toBeGreaterThan(0.7);
    expect(cbm / ((2 * Math.PI) / A)).toBeLessThan(1);
  });

  it('writes an SVG with one line per band, the path labels and the gap', async () => {
    const svg = await qeBandStructureSvg(siBandsSpec(), siBands(), 'Si, LDA, 12 Ry');
    for (const label of ['Γ', 'X', 'W', 'K', 'L', 'U']) expect(svg).toContain(`>${label}</text>`);
    expect(svg).toContain('>E_g = 0.516 eV, indirect</text>');
    expect(svg).toContain('>E − E(VBM) (eV)</text>');
    const bandLines = svg.match(/aria-roledescription="line mark"/g) ?? [];
    // Eight bands and the dotted line from the VBM to the CBM.
    expect(bandLines).toHaveLength(9);
  });

  it('refuses a calc that is not a qe bands calc', () => {
    expect(() => qeBandStructure(siSpec('scf'), siBands(), 'Si')).toThrow(
      'a band structure is drawn from a qe bands calc, not qe scf',
    );
  });
});
