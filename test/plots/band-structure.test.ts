import { describe, expect, it } from 'vitest';
import { bandStructurePlot } from '../../src/plots/band-structure.js';

/** Two bands of a toy metal on a path Γ–X|U–K, no gap: relative to its Fermi level. */
const METAL = {
  title: 'toy metal',
  distances: [0, 0.5, 1, 1, 1.5],
  energies_ev: [
    [-3, 1],
    [-2, 2],
    [-1, 3],
    [-1.5, 2.5],
    [0.5, 4],
  ],
  distanceUnit: 'Å⁻¹',
  ticks: [
    { label: 'G', distance: 0 },
    { label: 'X', distance: 1 },
    { label: 'U', distance: 1 },
    { label: 'K', distance: 1.5 },
  ],
  reference: { energy_ev: 0.25, name: 'Fermi level' },
};

describe('the band-structure plot', () => {
  it('labels the path with Γ and joins two points at one distance (X|U)', async () => {
    const svg = await bandStructurePlot(METAL);
    expect(svg).toContain('>Γ</text>');
    expect(svg).toContain('>X|U</text>');
    expect(svg).toContain('>K</text>');
    expect(svg).toContain('>path (Å⁻¹)</text>');
  });

  it('draws energies relative to the named reference, dashed, and one line per band', async () => {
    const svg = await bandStructurePlot(METAL);
    expect(svg).toContain('>E − E(Fermi level) (eV)</text>');
    expect(svg).toContain('>Fermi level</text>');
    expect(svg).toContain('stroke-dasharray="6,4"');
    expect(svg.match(/aria-roledescription="line mark"/g)).toHaveLength(2);
    expect(svg).not.toContain('E_g');
  });

  it('draws absolute energies without a reference', async () => {
    const { reference: _unused, ...absolute } = METAL;
    const svg = await bandStructurePlot(absolute);
    expect(svg).toContain('>E (eV)</text>');
    expect(svg).not.toContain('stroke-dasharray="6,4"');
  });
});
