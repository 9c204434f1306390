import { afterEach, describe, expect, it } from 'vitest';
import { batchSummary, formatSummary } from '../../../../src/pipelines/pm7/exports/summary.js';
import type { Campaign } from '../../../../src/runtime/campaign.js';
import { BATCH, detail, finishOk, finishRerun, molecule, tempCampaign } from './fixture.js';
import { moleculesOf } from '../../../../src/pipelines/pm7/molecules.js';

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

const REFERENCES = ['-50', '-20', '0', '10', '5', '1', '2'];
const HOFS = [-52, -17, 1, 10.5]; // errors −2, +3, +1, +0.5

/** 7 molecules in a batch of 6: 4 OK, 1 Rerun, 1 left To run; 1 outside the batch. */
function setup(): { campaign: Campaign; batchId: string } {
  const { campaign, remove } = tempCampaign();
  cleanup = remove;
  moleculesOf(campaign).insertMany(
    REFERENCES.map((r, i) => molecule(`M${i + 1}`, { nheavy: i + 1, reference: { H298_cbs: r } })),
  );
  moleculesOf(campaign).setFact('reference_column', 'H298_cbs');
  const { batch } = moleculesOf(campaign).createBatch({ ...BATCH, size: 6 });
  HOFS.forEach((hof, i) => {
    finishOk(campaign, detail(`M${i + 1}`, batch.batch_id, { most_stable_hof: hof }));
  });
  finishRerun(campaign, 'M5', batch.batch_id);
  moleculesOf(campaign).setBatchStatus(batch.batch_id, 'Stopped');
  return { campaign, batchId: batch.batch_id };
}

const START = new Date('2026-03-03T06:00:00Z');
const END = new Date('2026-03-03T06:04:12Z');

describe('the batch summary', () => {
  it('counts OK, Rerun, Skip and Pending over the batch, with percentages adding up to 100', () => {
    const { campaign, batchId } = setup();
    const s = batchSummary(campaign, batchId, { startedAt: START, endedAt: END });
    expect(s.molecules).toBe(6);
    expect(s.batch_status).toBe('Stopped');
    expect(s.results.map((r) => [r.status, r.count])).toEqual([
      ['OK', 4],
      ['Rerun', 1],
      ['Skip', 0],
      ['Pending', 1],
    ]);
    expect(s.results.reduce((sum, r) => sum + r.percent, 0)).toBeCloseTo(100, 10);
    expect(s.results[0]?.percent).toBeCloseTo(66.6667, 3);
  });

  it('computes timing, the rest of the dataset and its estimate', () => {
    const { campaign, batchId } = setup();
    const s = batchSummary(campaign, batchId, { startedAt: START, endedAt: END });
    expect(s.duration_s).toBe(252);
    expect(s.timing.processed).toBe(5);
    expect(s.timing.per_molecule_s).toBeCloseTo(50.4, 10);
    expect(s.timing.molecules_per_hour).toBeCloseTo(5 * (3600 / 252), 10);
    // M5 (Rerun), M6 (To run), M7 (Pending)
    expect(s.timing.remaining_in_dataset).toBe(3);
    expect(s.timing.remaining_estimate_s).toBeCloseTo(3 * 50.4, 10);
  });

  it('gives the HOF range and the PM7 − reference statistics of the OK molecules', () => {
    const { campaign, batchId } = setup();
    const s = batchSummary(campaign, batchId, { startedAt: START, endedAt: END });
    expect(s.hof).toEqual({ n: 4, min: -52, max: 10.5, range: 62.5 });
    expect(s.reference?.column).toBe('H298_cbs');
    expect(s.reference?.n).toBe(4);
    expect(s.reference?.mae).toBeCloseTo((2 + 3 + 1 + 0.5) / 4, 12);
    expect(s.reference?.mse).toBeCloseTo((-2 + 3 + 1 + 0.5) / 4, 12);
    expect(s.reference?.rmse).toBeCloseTo(Math.sqrt((4 + 9 + 1 + 0.25) / 4), 12);
    expect(s.reference?.max_abs).toBeCloseTo(3, 12);
    expect(s.reference?.max_abs_label).toBe('M2');
    expect(s.next_steps.to_retry).toBe(1);
    expect(s.next_steps.csv).toBe(`${campaign.paths.exports}/crest_pm7_batch_status.csv`);
  });

  it('has no reference statistics when the dataset has no reference column', () => {
    const { campaign, batchId } = setup();
    moleculesOf(campaign).setFact('reference_column', '');
    expect(
      batchSummary(campaign, batchId, { startedAt: START, endedAt: END }).reference,
    ).toBeNull();
  });

  it('prints a headline and aligned tables', () => {
    const { campaign, batchId } = setup();
    const text = formatSummary(batchSummary(campaign, batchId, { startedAt: START, endedAt: END }));
    const lines = text.split('\n');
    expect(lines[0]).toBe('batch_0001 — 6 molecules in 4m12s (Stopped)');
    expect(lines.slice(1, 6)).toEqual([
      '  status    count      %',
      '  OK            4   66.7',
      '  Rerun         1   16.7',
      '  Skip          0    0.0',
      '  Pending       1   16.7',
    ]);
    expect(text).toContain('    per molecule          50.4s');
    expect(text).toContain('PM7 − H298_cbs (kcal/mol, n = 4)');
    expect(text).toMatch(/ {4}MAE +1\.625\n/);
    expect(text).toMatch(/max \|error\| +3\.000 {3}M2\n/);
    expect(text).toContain('1 molecule to retry (Rerun)');
    expect(text).toContain('tracking CSV: ');
  });
});
