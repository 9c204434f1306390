import { describe, expect, it } from 'vitest';
import { stickSpectrum } from '../../src/plots/stick-spectrum.js';

const DATA = {
  title: 'acetaldehyde 1H',
  sticks: [
    { shift_ppm: 9.8, intensity: 1, label: 'H4' },
    { shift_ppm: 2.21, intensity: 3, label: 'H5,H6,H7' },
  ],
};

describe('the stick spectrum', () => {
  it('draws one labelled rule per stick, high ppm on the left, as tall as its atoms', async () => {
    const svg = await stickSpectrum(DATA);
    expect(svg.startsWith('<?xml')).toBe(true);
    const rules = [
      ...svg.matchAll(
        /<line aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="rule mark" transform="translate\(([\d.]+),[\d.]+\)" x2="0" y2="(-[\d.]+)"/g,
      ),
    ];
    expect(rules.map((m) => m[1])).toEqual(['H4: 9.80 ppm, 1 atom', 'H5,H6,H7: 2.21 ppm, 3 atoms']);
    const xs = rules.map((m) => Number(m[2]));
    const heights = rules.map((m) => -Number(m[3]));
    expect(xs[0]).toBeLessThan(xs[1] ?? 0);
    expect(heights[1]).toBeCloseTo(3 * (heights[0] ?? 0), 6);
    expect(await stickSpectrum(DATA)).toBe(svg);
  });
});
