import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  parityPlotSvg,
  writeParityPlot,
} from '../../../../src/pipelines/pm7/exports/parity-plot.js';
import { BATCH, detail, finishOk, finishRerun, molecule, tempCampaign } from './fixture.js';
import { moleculesOf } from '../../../../src/pipelines/pm7/molecules.js';

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

/** Tags open and close in order (self-closing ones aside): a small well-formedness check. */
function balanced(svg: string): boolean {
  const stack: string[] = [];
  for (const m of svg.replace(/<\?xml[^>]*\?>/, '').matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    const [, close, name, selfClose] = m;
    if (name === undefined) return false;
    if (selfClose === '/') continue;
    if (close === '/') {
      if (stack.pop() !== name) return false;
    } else stack.push(name);
  }
  return stack.length === 0;
}

const POINTS = [
  { x: -56, y: -57.5, label: 'MOL00001' },
  { x: -22.8, y: -20.8, label: 'MOL00002' },
  { x: 10, y: 14, label: 'A<&>"B' },
];

describe('the parity plot', () => {
  it('draws one circle per point, the y = x line, and is well-formed', () => {
    const svg = parityPlotSvg(POINTS, { referenceName: 'H298_cbs' });
    expect(svg.match(/<circle /g)).toHaveLength(3);
    expect(svg).toMatch(/<line class="identity" /);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(balanced(svg)).toBe(true);
    expect(svg).toContain('A&lt;&amp;&gt;&quot;B');
  });

  it('titles the plot with n, MAE and MSE, and labels both axes in kcal/mol', () => {
    const svg = parityPlotSvg(POINTS, { referenceName: 'H298_cbs' });
    // errors −1.5, +2, +4: MAE 2.5, MSE +1.5
    expect(svg).toContain('n = 3, MAE 2.50, MSE +1.50 kcal/mol');
    expect(svg).toContain('H298_cbs (kcal/mol)');
    expect(svg).toContain('PM7 heat of formation (kcal/mol)');
    expect(svg).toMatch(/>−?\d+<\/text>/);
  });

  it('keeps the axes on the plausible points and draws a wild one on the frame', () => {
    const points = [...POINTS, { x: -121537, y: -125.9, label: 'MOL00809' }];
    const svg = parityPlotSvg(points, { referenceName: 'H298_cbs' });
    expect(svg.match(/<circle /g)).toHaveLength(4);
    expect(svg).toContain('1 point beyond the axes, drawn on the frame (hollow)');
    expect(svg).not.toContain('>−120000<');
    expect(svg).toContain('MOL00809: H298_cbs -121537.00, PM7 -125.90 kcal/mol');
    expect(balanced(svg)).toBe(true);
  });

  it('draws an empty plot without failing', () => {
    const svg = parityPlotSvg([]);
    expect(svg).not.toContain('<circle');
    expect(balanced(svg)).toBe(true);
  });

  it('is written to exports/ for the OK molecules with a reference value', () => {
    const { campaign, remove } = tempCampaign();
    cleanup = remove;
    moleculesOf(campaign).insertMany([
      molecule('M1', { reference: { H298_cbs: '-56.0' } }),
      molecule('M2', { reference: { H298_cbs: '-20' } }),
      molecule('M3', { reference: { H298_cbs: 'n/a' } }),
    ]);
    expect(writeParityPlot(campaign)).toBeUndefined();
    moleculesOf(campaign).setFact('reference_column', 'H298_cbs');
    expect(writeParityPlot(campaign)).toBeUndefined();
    const { batch } = moleculesOf(campaign).createBatch(BATCH);
    finishOk(campaign, detail('M1', batch.batch_id, { most_stable_hof: -55 }));
    finishRerun(campaign, 'M2', batch.batch_id);
    finishOk(campaign, detail('M3', batch.batch_id));
    const path = writeParityPlot(campaign);
    expect(path).toBe(`${campaign.paths.exports}/pm7_vs_reference.svg`);
    const svg = readFileSync(path ?? '', 'utf8');
    expect(svg.match(/<circle /g)).toHaveLength(1);
    expect(svg).toContain('n = 1, MAE 1.00, MSE +1.00');
  });
});
