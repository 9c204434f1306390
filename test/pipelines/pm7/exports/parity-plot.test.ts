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

const POINTS = [
  { x: -56, y: -57.5, label: 'MOL00001' },
  { x: -22.8, y: -20.8, label: 'MOL00002' },
  { x: 10, y: 14, label: 'A<&>"B' },
];

/** The aria-labels vega wrote for the points (what a tooltip would show). */
function pointLabels(svg: string): string[] {
  return [
    ...svg.matchAll(/aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="point"/g),
  ].map((m) => m[1] ?? '');
}

describe('the PM7 parity plot', () => {
  it('titles the plot with n, MAE and MSE, labels both axes in kcal/mol and every point', async () => {
    const svg = await parityPlotSvg(POINTS, 'H298_cbs');
    // errors −1.5, +2, +4: MAE 2.5, MSE +1.5
    expect(svg).toContain('>PM7 vs H298_cbs: n = 3, MAE 2.50, MSE +1.50 kcal/mol</text>');
    expect(svg).toContain('>H298_cbs (kcal/mol)</text>');
    expect(svg).toContain('>PM7 heat of formation (kcal/mol)</text>');
    expect(pointLabels(svg)).toContain('A&lt;&amp;&gt;&quot;B: H298_cbs 10.00, PM7 14.00 kcal/mol');
  });

  it('keeps the axes on the plausible points and draws a wild one on the frame', async () => {
    const points = [...POINTS, { x: -121537, y: -125.9, label: 'MOL00809' }];
    const svg = await parityPlotSvg(points, 'H298_cbs');
    expect(pointLabels(svg)).toHaveLength(4);
    expect(svg).toContain('1 point beyond the axes, drawn on the frame (hollow)');
    expect(pointLabels(svg)).toContain('MOL00809: H298_cbs -121537.00, PM7 -125.90 kcal/mol');
  });

  it('is written to exports/ for the OK molecules with a reference value, acids and topology rejections marked', async () => {
    const { campaign, remove } = tempCampaign();
    cleanup = remove;
    moleculesOf(campaign).insertMany([
      molecule('M1', { reference: { H298_cbs: '-56.0' } }),
      molecule('M2', { reference: { H298_cbs: '-20' } }),
      molecule('M3', { reference: { H298_cbs: 'n/a' } }),
      molecule('ACID', { smiles: 'CC(=O)O', reference: { H298_cbs: '-103.4' } }),
      molecule('MOVED', { smiles: '[O]Cc1ccccc1O', reference: { H298_cbs: '-25.7' } }),
    ]);
    expect(await writeParityPlot(campaign)).toBeUndefined();
    moleculesOf(campaign).setFact('reference_column', 'H298_cbs');
    expect(await writeParityPlot(campaign)).toBeUndefined();
    const { batch } = moleculesOf(campaign).createBatch(BATCH);
    finishOk(campaign, detail('M1', batch.batch_id, { most_stable_hof: -55 }));
    finishRerun(campaign, 'M2', batch.batch_id);
    finishOk(campaign, detail('M3', batch.batch_id));
    finishOk(campaign, detail('ACID', batch.batch_id, { most_stable_hof: -102.2 }));
    finishOk(
      campaign,
      detail('MOVED', batch.batch_id, {
        most_stable_hof: -25.0,
        topology_rejections: [
          {
            code: 'TOPOLOGY_CHANGED',
            check: 'search_vs_start',
            conformer: 2,
            changes: ['H13 moved from O12 to O1'],
          },
        ],
      }),
    );
    const path = await writeParityPlot(campaign);
    expect(path).toBe(`${campaign.paths.exports}/pm7_vs_reference.svg`);
    const svg = readFileSync(path ?? '', 'utf8');
    expect(pointLabels(svg).sort()).toEqual([
      'ACID: H298_cbs -103.40, PM7 -102.20 kcal/mol',
      'M1: H298_cbs -56.00, PM7 -55.00 kcal/mol',
      'MOVED: H298_cbs -25.70, PM7 -25.00 kcal/mol',
    ]);
    // errors +1, +1.2, +0.7
    expect(svg).toContain('n = 3, MAE 0.97, MSE +0.97');
    for (const group of ['other molecules', 'carboxylic acids', 'topology rejections']) {
      expect(svg).toContain(`>${group}</text>`);
    }
    // Each group its own shape: the acid a triangle, the rejection a square.
    const shapeOf = (name: string): string =>
      new RegExp(`aria-label="${name}: [^"]*"[^>]* d="([^"]*)"`).exec(svg)?.[1] ?? '';
    expect(new Set(['M1', 'ACID', 'MOVED'].map(shapeOf)).size).toBe(3);
  });
});
