import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InfrastructureError, InputError } from '../../../src/core/errors.js';
import {
  closeBatch,
  resetBatch,
  resumeBatch,
  requeueMolecules,
  startBatch,
  storedSummary,
  type NewBatchOptions,
} from '../../../src/pipelines/pm7/batch-lifecycle.js';
import { importDataset } from '../../../src/pipelines/pm7/import-dataset.js';
import { moleculesOf } from '../../../src/pipelines/pm7/molecules.js';
import type { Campaign } from '../../../src/runtime/campaign.js';
import { detail, finishOk, finishRerun, molecule, tempCampaign } from './exports/fixture.js';

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

function setup(): Campaign {
  const { campaign, remove } = tempCampaign();
  cleanup = remove;
  return campaign;
}

const OPTIONS: NewBatchOptions = {
  size: 10,
  strategy: 'by_nheavy',
  seed: 1,
  policy: 'all_or_nothing',
  max_retries: 3,
  workers: 2,
  crest_timeout_min: 10,
  mopac_timeout_min: 30,
  max_conformers: 5,
};

describe('the PM7 batch lifecycle', () => {
  it('says there is nothing to run in an empty campaign (exit 1) and when every molecule ran (exit 0)', async () => {
    const campaign = setup();
    expect(await startBatch(campaign, OPTIONS)).toMatchObject({ kind: 'nothing', exitCode: 1 });
    moleculesOf(campaign).insertMany([molecule('M1', { status: 'Skip', skip_reason: null })]);
    expect(await startBatch(campaign, OPTIONS)).toMatchObject({
      kind: 'nothing',
      exitCode: 0,
      message: 'nothing to run: no molecule is Pending or Rerun (0 OK, 1 Skip)',
    });
  });

  it('refuses a new batch while one is Running, pointing at batch resume', async () => {
    const campaign = setup();
    moleculesOf(campaign).insertMany([molecule('M1'), molecule('M2')]);
    const first = await startBatch(campaign, { ...OPTIONS, size: 1 });
    expect(first).toMatchObject({ kind: 'batch', batch: { batch_id: 'batch_0001' } });
    await expect(startBatch(campaign, OPTIONS)).rejects.toThrow(
      'continue it with `retort batch resume batch_0001`',
    );
  });

  it("stores the Open Babel seed with the batch's settings, where its runs read it", async () => {
    const campaign = setup();
    moleculesOf(campaign).insertMany([molecule('M1')]);
    const start = await startBatch(campaign, { ...OPTIONS, obabel_seed: 4242 });
    if (start.kind !== 'batch') throw new Error('expected a batch');
    expect(start.batch.settings.obabel_seed).toBe(4242);
    expect(moleculesOf(campaign).batch('batch_0001')?.settings.obabel_seed).toBe(4242);
  });

  it('describes the molecules RDKit broke on at import before it selects a batch', async () => {
    const campaign = setup();
    const file = join(campaign.paths.root, 'd.csv');
    writeFileSync(file, 'mol_id,smiles\nbig,CCCCCC\nsmall,C\n');
    await importDataset(campaign, file, {
      describe: () => {
        throw new InfrastructureError('RDKit broke');
      },
    });
    const start = await startBatch(campaign, OPTIONS);
    expect(start.kind).toBe('batch');
    const store = moleculesOf(campaign);
    expect(store.get('big')).toMatchObject({ nheavy: 6, descriptors_error: null });
    expect(store.ofBatch('batch_0001').map((m) => m.mol_id)).toEqual(['small', 'big']);
  });

  it('closes a batch with a failure under all_or_nothing: Completed, then Reset, exit 1, its summary counting the molecules as they ran', async () => {
    const campaign = setup();
    moleculesOf(campaign).insertMany([molecule('M1'), molecule('M2')]);
    const start = await startBatch(campaign, OPTIONS);
    if (start.kind !== 'batch') throw new InputError(undefined, 'no batch');
    finishOk(campaign, detail('M1', start.batch.batch_id));
    finishRerun(campaign, 'M2', start.batch.batch_id);
    const closed = await closeBatch(campaign, start.batch, {
      interrupted: false,
      started: new Date(),
      withReference: false,
    });
    expect(closed.exitCode).toBe(1);
    expect(closed.text).toContain(
      "all_or_nothing: 1 molecules failed, so the batch's 1 OK molecules went back to Pending",
    );
    expect(closed.text).toMatch(/^batch_0001 — 2 molecules in .* \(Completed\)\n/);
    expect(closed.text).toMatch(/\n {2}OK +1 +50\.0\n {2}Rerun +1 +50\.0\n/);
    expect(closed.text).toContain('heat of formation (kcal/mol, 1 OK)');
    expect(moleculesOf(campaign).batch('batch_0001')?.status).toBe('Reset');
    expect(moleculesOf(campaign).get('M1')).toMatchObject({ status: 'Pending', detail: null });
  });

  it('stops an interrupted batch, resumes it with its Running molecules back to To run, and resets only a finished one', async () => {
    const campaign = setup();
    moleculesOf(campaign).insertMany([molecule('M1'), molecule('M2')]);
    const start = await startBatch(campaign, { ...OPTIONS, policy: 'partial_ok' });
    if (start.kind !== 'batch') throw new InputError(undefined, 'no batch');
    expect(() => resetBatch(campaign, 'batch_0001')).toThrow(
      'batch_0001: is Running; only a Completed or Stopped batch can be reset',
    );
    moleculesOf(campaign).setStatus('M1', 'Running');
    const closed = await closeBatch(campaign, start.batch, {
      interrupted: true,
      started: new Date(),
      withReference: false,
    });
    expect(closed.exitCode).toBe(1);
    expect(moleculesOf(campaign).batch('batch_0001')?.status).toBe('Stopped');
    moleculesOf(campaign).setStatus('M1', 'Running');
    expect(() => resumeBatch(campaign, 'batch_0009')).toThrow('batch_0009: no such batch');
    const resumed = resumeBatch(campaign, 'batch_0001');
    expect(resumed.returned).toBe(1);
    expect(moleculesOf(campaign).batch('batch_0001')?.status).toBe('Running');
  });

  it('resets a Stopped batch so that its molecules not run yet are free for the next batch', async () => {
    const campaign = setup();
    moleculesOf(campaign).insertMany([molecule('M1'), molecule('M2'), molecule('M3')]);
    const start = await startBatch(campaign, { ...OPTIONS, policy: 'partial_ok' });
    if (start.kind !== 'batch') throw new InputError(undefined, 'no batch');
    finishOk(campaign, detail('M1', 'batch_0001'));
    await closeBatch(campaign, start.batch, {
      interrupted: true,
      started: new Date(),
      withReference: false,
    });
    expect(resetBatch(campaign, 'batch_0001')).toBe(
      'batch_0001 reset: 1 OK molecules and 2 not run yet back to Pending (retry counts kept)',
    );
    const next = await startBatch(campaign, OPTIONS);
    expect(next).toMatchObject({ kind: 'batch', batch: { batch_id: 'batch_0002' } });
    expect(
      moleculesOf(campaign)
        .ofBatch('batch_0002')
        .map((m) => [m.mol_id, m.status]),
    ).toEqual([
      ['M1', 'To run'],
      ['M2', 'To run'],
      ['M3', 'To run'],
    ]);
  });

  it('tells how to resume a stopped batch, and shows a past batch summary again from the store', async () => {
    const campaign = setup();
    moleculesOf(campaign).insertMany([molecule('M1'), molecule('M2')]);
    const start = await startBatch(campaign, { ...OPTIONS, policy: 'partial_ok' });
    if (start.kind !== 'batch') throw new InputError(undefined, 'no batch');
    expect(() => storedSummary(campaign, 'batch_0001')).toThrow(
      'batch_0001: is Running and has no summary yet',
    );
    finishOk(campaign, detail('M1', 'batch_0001'));
    const closed = await closeBatch(campaign, start.batch, {
      interrupted: true,
      started: new Date(),
      withReference: false,
    });
    expect(closed.text).toContain(
      '1 molecule of the batch not run yet: continue with `retort batch resume batch_0001`',
    );
    expect(storedSummary(campaign, 'batch_0001')).toBe(closed.text);
    expect(() => storedSummary(campaign, 'batch_0007')).toThrow('batch_0007: no such batch');

    resumeBatch(campaign, 'batch_0001');
    finishOk(campaign, detail('M2', 'batch_0001'));
    const done = await closeBatch(campaign, start.batch, {
      interrupted: false,
      started: new Date(),
      withReference: false,
    });
    expect(done.text).not.toContain('retort batch resume');
    expect(storedSummary(campaign, 'batch_0001')).toBe(done.text);
  });

  it('requeues OK and Skip molecules with their retries from 0, and runs exactly the molecules named', async () => {
    const campaign = setup();
    moleculesOf(campaign).insertMany([
      molecule('M1'),
      molecule('M2'),
      molecule('M3', { status: 'Skip', skip_reason: 'INVALID_INPUT' }),
    ]);
    const start = await startBatch(campaign, { ...OPTIONS, policy: 'partial_ok', size: 1 });
    if (start.kind !== 'batch') throw new InputError(undefined, 'no batch');
    finishOk(campaign, detail('M1', 'batch_0001'));
    await closeBatch(campaign, start.batch, {
      interrupted: false,
      started: new Date(),
      withReference: false,
    });
    await expect(startBatch(campaign, { ...OPTIONS, only: ['M1'] })).rejects.toThrow(
      '--molecules M1: is OK; only Pending or Rerun molecules can join a batch (`retort batch requeue M1` puts an OK or Skip one back)',
    );
    await expect(startBatch(campaign, { ...OPTIONS, only: ['M9'] })).rejects.toThrow(
      '--molecules M9: no such molecule',
    );
    expect(requeueMolecules(campaign, ['M1', 'M2', 'M3'])).toBe(
      '2 molecules back to Pending (1 already queued)',
    );
    expect(moleculesOf(campaign).get('M3')).toMatchObject({
      status: 'Pending',
      skip_reason: null,
      retry_count: 0,
    });
    expect(moleculesOf(campaign).get('M1')).toMatchObject({ status: 'Pending', batch_id: null });
    const next = await startBatch(campaign, { ...OPTIONS, only: ['M3', 'M1'] });
    if (next.kind !== 'batch') throw new InputError(undefined, 'no batch');
    expect(next.batch.size).toBe(2);
    expect(
      moleculesOf(campaign)
        .ofBatch(next.batch.batch_id)
        .map((m) => m.mol_id)
        .sort(),
    ).toEqual(['M1', 'M3']);
    expect(moleculesOf(campaign).get('M2')?.status).toBe('Pending');
    expect(() => requeueMolecules(campaign, ['M1'])).toThrow(
      `M1: is To run in ${next.batch.batch_id}; stop or finish that batch first`,
    );
  });
});
