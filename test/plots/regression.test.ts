import { describe, expect, it } from 'vitest';
import { regressionPlot } from '../../src/plots/regression.js';

/** The aria-labels vega wrote for the points. */
function pointLabels(svg: string): string[] {
  return [
    ...svg.matchAll(/aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="point"/g),
  ].map((m) => m[1] ?? '');
}

const DATA = {
  title: 'B3LYP/6-311+G(2d,p), CHCl3: 13C',
  // δ = −1.05·σ + 190: two points on the line, one 2 ppm above it, one left out.
  points: [
    { x: 180, y: -1.05 * 180 + 190, label: 'C1' },
    { x: 50, y: -1.05 * 50 + 190, label: 'C2' },
    { x: 100, y: -1.05 * 100 + 192, label: 'C3' },
    { x: 120, y: 40, label: 'C4', excluded: true },
  ],
  slope: -1.05,
  intercept: 190,
  xTitle: 'σ computed (ppm)',
  yTitle: 'δ experimental (ppm)',
};

describe('the regression plot', () => {
  it('draws every point twice (fit and residual panel) with its residual in its label', async () => {
    const svg = await regressionPlot(DATA);
    const labels = pointLabels(svg);
    expect(labels).toHaveLength(8);
    expect(labels.filter((l) => l.startsWith('C3: '))).toEqual([
      'C3: x 100.000, y 87.000, residual 2.000',
      'C3: x 100.000, y 87.000, residual 2.000',
    ]);
    expect(svg).toContain('>fit: y = −1.0500·x + 190.0000</text>');
    expect(svg).toContain('>σ computed (ppm)</text>');
    expect(svg).toContain('>δ experimental (ppm)</text>');
    expect(svg).toContain('>residual</text>');
  });

  it('marks the points left out of the fit in red, with a legend', async () => {
    const svg = await regressionPlot(DATA);
    expect(svg).toContain('>left out of the fit</text>');
    expect(svg).toContain('stroke="#d62728"');
    const fitted = await regressionPlot({ ...DATA, points: DATA.points.slice(0, 3) });
    expect(fitted).not.toContain('left out of the fit');
  });
});
