import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exportAll } from '../../../../src/pipelines/pm7/exports/export-all.js';
import { formatSummary, batchSummary } from '../../../../src/pipelines/pm7/exports/summary.js';
import { runCli } from '../../../helpers/cli.js';
import { BATCH, detail, finishOk, finishRerun, molecule, tempCampaign } from './fixture.js';
import { moleculesOf } from '../../../../src/pipelines/pm7/molecules.js';

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

function setup(): ReturnType<typeof tempCampaign> {
  const t = tempCampaign();
  cleanup = t.remove;
  const { campaign } = t;
  moleculesOf(campaign).insertMany([
    molecule('M1', { reference: { H298_cbs: '-56' } }),
    molecule('M2', { reference: { H298_cbs: '-20' } }),
    molecule('M3', { reference: { H298_cbs: '3' } }),
  ]);
  moleculesOf(campaign).setFact('reference_column', 'H298_cbs');
  const { batch } = moleculesOf(campaign).createBatch({ ...BATCH, size: 2 });
  finishOk(campaign, detail('M1', batch.batch_id, { most_stable_hof: -57 }));
  finishRerun(campaign, 'M2', batch.batch_id);
  moleculesOf(campaign).setBatchStatus(batch.batch_id, 'Completed');
  return t;
}

describe('exportAll', () => {
  it('writes the CSV, a detail per molecule that ran, and the parity plot', async () => {
    const { campaign } = setup();
    const paths = await exportAll(campaign, { withReference: true });
    expect(paths.csv).toBe(join(campaign.paths.exports, 'crest_pm7_batch_status.csv'));
    expect(paths.details.map((p) => p.slice(-7))).toEqual(['M1.json', 'M2.json']);
    expect(paths.parity_plot).toBe(join(campaign.paths.exports, 'pm7_vs_reference.svg'));
    expect(readdirSync(campaign.paths.exports).sort()).toEqual([
      'crest_pm7_batch_status.csv',
      'pm7_vs_reference.svg',
    ]);
    expect(formatSummary(batchSummary(campaign, 'batch_0001'))).toContain(
      'batch_0001 — 2 molecules',
    );
  });

  it('is what `retort export` runs, and it prints the paths', () => {
    const { campaign } = setup();
    const r = runCli(['export', '--with-reference'], { cwd: campaign.paths.root });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('csv      exports/crest_pm7_batch_status.csv');
    expect(r.stdout).toContain('details  details/ (2 files)');
    expect(r.stdout).toContain('plot     exports/pm7_vs_reference.svg');
  });
});
