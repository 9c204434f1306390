import { describe, expect, it } from 'vitest';
import { parityPlot, type ParityPlotData } from '../../src/plots/parity.js';

const BASE: Omit<ParityPlotData, 'points'> = {
  title: 'PM7 vs H298_cbs: n = 3',
  xName: 'H298_cbs',
  yName: 'PM7',
  xTitle: 'H298_cbs (kcal/mol)',
  yTitle: 'PM7 heat of formation (kcal/mol)',
  unit: 'kcal/mol',
};

const M1 = { x: -56, y: -57.5, label: 'MOL00001' };
const M2 = { x: -22.8, y: -20.8, label: 'MOL00002' };
const M3 = { x: 10, y: 14, label: 'A<&>"B' };
const POINTS = [M1, M2, M3];

/** The aria-labels vega wrote for the points (what a tooltip would show). */
function pointLabels(svg: string): string[] {
  return [
    ...svg.matchAll(/aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="point"/g),
  ].map((m) => m[1] ?? '');
}

describe('the parity plot', () => {
  it('labels every point with its name and both values, escaped for XML', async () => {
    const svg = await parityPlot({ ...BASE, points: POINTS });
    expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg')).toBe(true);
    expect(pointLabels(svg)).toEqual([
      'MOL00001: H298_cbs -56.00, PM7 -57.50 kcal/mol',
      'MOL00002: H298_cbs -22.80, PM7 -20.80 kcal/mol',
      'A&lt;&amp;&gt;&quot;B: H298_cbs 10.00, PM7 14.00 kcal/mol',
    ]);
    expect(svg).toContain('>PM7 vs H298_cbs: n = 3</text>');
    expect(svg).toContain('>H298_cbs (kcal/mol)</text>');
    expect(svg).toContain('>PM7 heat of formation (kcal/mol)</text>');
    expect(svg).toContain('stroke-dasharray="6,4"');
  });

  it('keeps the axes on the plausible points and draws a wild one hollow on the frame', async () => {
    const wild = { x: -121537, y: -125.9, label: 'MOL00809' };
    const svg = await parityPlot({ ...BASE, points: [...POINTS, wild] });
    expect(svg).toContain('1 point beyond the axes, drawn on the frame (hollow)');
    expect(pointLabels(svg)).toContain('MOL00809: H298_cbs -121537.00, PM7 -125.90 kcal/mol');
    expect(svg).not.toMatch(/>−?120,?000</);
    // The axis ends where the plausible points do (−60 … 20), so the wild one sits on x = −60.
    expect(svg).toMatch(/>−60</);
  });

  it('draws groups with their own shape and colour, and a legend naming them', async () => {
    const svg = await parityPlot({
      ...BASE,
      points: [M1, { ...M2, group: 'carboxylic acid' }, { ...M3, group: 'topology rejections' }],
      groups: ['carboxylic acid', 'topology rejections'],
      ungrouped: 'molecule',
    });
    for (const name of ['molecule', 'carboxylic acid', 'topology rejections']) {
      expect(svg).toContain(`>${name}</text>`);
    }
    expect(svg).toContain('fill="#1f77b4"');
    expect(svg).toContain('fill="#ff7f0e"');
    expect(svg).toContain('fill="#2ca02c"');
  });

  it('draws no legend when no point has a group, and an empty plot without failing', async () => {
    expect(await parityPlot({ ...BASE, points: POINTS })).not.toContain('role-legend');
    const empty = await parityPlot({ ...BASE, title: 'PM7 vs H298_cbs: n = 0', points: [] });
    expect(pointLabels(empty)).toEqual([]);
    expect(empty.trimEnd().endsWith('</svg>')).toBe(true);
  });

  it('gives the same bytes for the same data, however many plots were drawn before', async () => {
    const first = await parityPlot({ ...BASE, points: POINTS });
    await Promise.all([
      parityPlot({ ...BASE, points: POINTS }),
      parityPlot({ ...BASE, points: [] }),
    ]);
    expect(await parityPlot({ ...BASE, points: POINTS })).toBe(first);
  });
});
