import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import type { Campaign } from '../../src/runtime/campaign.js';
import { seedCampaign, type SeedCalc } from '../helpers/seed-campaign.js';
import { tempDir } from '../helpers/temp-dir.js';

let tmp: ReturnType<typeof tempDir>;
let campaign: Campaign;
const now = new Date('2026-12-03T12:00:30Z');
const minutesAgo = (m: number): Date => new Date(now.getTime() - m * 60_000);

const CALCS: readonly SeedCalc[] = [
  {
    key: 'a1',
    program: 'mopac',
    method: 'PM7',
    label: 'ethanol',
    state: 'succeeded',
    at: minutesAgo(1),
  },
  {
    key: 'a2',
    program: 'mopac',
    method: 'PM7',
    label: 'benzene',
    state: 'failed',
    at: minutesAgo(2),
  },
  {
    key: 'b1',
    program: 'xtb',
    method: 'GFN2',
    label: 'water',
    state: 'running',
    at: minutesAgo(0.2),
  },
  { key: 'b2', program: 'xtb', label: 'methane', state: 'queued' },
  {
    key: 'c1',
    program: 'psi4',
    method: 'B3LYP',
    state: 'succeeded',
    at: minutesAgo(45),
    executor: 'slurm:dev',
  },
];

beforeEach(() => {
  tmp = tempDir();
  campaign = seedCampaign(tmp.dir, CALCS);
});

afterEach(() => {
  campaign.close();
  tmp.remove();
});

const query = { statuses: [], keys: null, sort: 'label', offset: 0, limit: 10 } as const;

describe('a page of calcs', () => {
  it('holds every calc with its latest attempt when nothing filters', () => {
    const rows = campaign.browse.page(query);
    expect(campaign.browse.count(query)).toBe(5);
    // By label (benzene, ethanol, methane, water), the one without a label last.
    expect(rows.map((r) => r.key)).toEqual(['a2', 'a1', 'b2', 'b1', 'c1']);
    const c1 = rows.find((r) => r.key === 'c1');
    expect(c1).toMatchObject({
      program: 'psi4',
      method: 'B3LYP',
      executor: 'slurm:dev',
      status: 'succeeded',
    });
    const b2 = rows.find((r) => r.key === 'b2');
    expect(b2).toMatchObject({ executor: null, startedAt: null, status: 'queued' });
  });

  it('selects by state and among given keys, and counts what it selects', () => {
    expect(campaign.browse.page({ ...query, statuses: ['failed'] }).map((r) => r.key)).toEqual([
      'a2',
    ]);
    expect(campaign.browse.count({ ...query, statuses: ['running', 'queued'] })).toBe(2);
    const some = { ...query, keys: ['b1', 'b2', 'c1', 'zz'] };
    expect(campaign.browse.page(some).map((r) => r.key)).toEqual(['b2', 'b1', 'c1']);
    expect(campaign.browse.count({ ...some, statuses: ['queued', 'succeeded'] })).toBe(2);
    expect(campaign.browse.count({ ...query, keys: [] })).toBe(0);
  });

  it('pages in the order asked', () => {
    const first = campaign.browse.page({ ...query, sort: 'program', limit: 2 });
    const second = campaign.browse.page({ ...query, sort: 'program', limit: 2, offset: 2 });
    expect([...first, ...second].map((r) => r.program)).toEqual(['mopac', 'mopac', 'psi4', 'xtb']);
  });

  it('puts the most recently changed calc first by default', () => {
    const rows = campaign.browse.page({ ...query, sort: 'updated' });
    expect(rows[rows.length - 1]?.key).toBeDefined();
    const times = rows.map((r) => r.updatedAt);
    expect([...times].sort().reverse()).toEqual(times);
  });
});

describe('the calcs changed since a moment', () => {
  it('are read with their latest executor and in-flight job id', () => {
    const all = campaign.browse.calcStatesSince('');
    expect(all.map((c) => c.key).sort()).toEqual(['a1', 'a2', 'b1', 'b2', 'c1']);
    expect(all.find((c) => c.key === 'a2')).toMatchObject({ status: 'failed', executor: 'local' });
    expect(campaign.browse.searchWords(['a2', 'c1'])).toEqual(
      new Map([
        ['a2', 'benzene\tmopac\tenergy\tpm7'],
        ['c1', '\tpsi4\tenergy\tb3lyp'],
      ]),
    );
    expect(campaign.browse.searchWords(null).size).toBe(5);
    expect(all.find((c) => c.key === 'b2')).toMatchObject({ executor: null, jobId: null });
    const db = new Database(campaign.paths.db);
    db.prepare('UPDATE calcs SET updated_at = ? WHERE key = ?').run(
      '9999-01-01T00:00:00.000Z',
      'c1',
    );
    db.close();
    expect(campaign.browse.calcStatesSince('9999').map((c) => c.key)).toEqual(['c1']);
  });
});

describe('completions per minute', () => {
  it('counts the attempts that ended in each of the last minutes, oldest first', () => {
    const counts = campaign.browse.completionsPerMinute(now, 5);
    expect(counts).toHaveLength(5);
    // a1 ended 1 min ago, a2 2 min ago (failed counts too), c1 too long ago, b1 still runs.
    expect(counts.reduce((a, b) => a + b, 0)).toBe(2);
    expect(counts).toEqual([0, 0, 0, 1, 1]);
  });
});

describe('the data version', () => {
  it('changes when another connection commits, and only then', () => {
    const before = campaign.browse.dataVersion();
    expect(campaign.browse.dataVersion()).toBe(before);
    const other = new Database(campaign.paths.db);
    other.prepare("UPDATE calcs SET label = 'x' WHERE key = 'b2'").run();
    other.close();
    expect(campaign.browse.dataVersion()).not.toBe(before);
  });
});

describe('batches', () => {
  it('lists batches of every pipeline with their items counted by status, and a batch items in order', () => {
    expect(campaign.browse.batches()).toEqual([]);
    const decode = (v: unknown): unknown => v;
    const items = campaign.items.of({ pipeline: 'demo', payload: decode, result: decode });
    const batches = campaign.batches.of('demo', decode);
    items.add(
      ['m1', 'm2', 'm3', 'm4'].map((id) => ({
        item_id: id,
        payload: {},
        status: 'Pending' as const,
        skip_reason: null,
      })),
    );
    const { batch } = items.createBatch(
      batches,
      {
        size: 3,
        strategy: 'random',
        seed: 1,
        policy: 'partial_ok',
        max_retries: 3,
        workers: 1,
        settings: {},
      },
      () => ['m3', 'm1', 'm2'],
    );
    items.setStatus('m3', 'Running');
    items.setStatus('m3', 'Skip', { skip_reason: 'RETRIES_EXHAUSTED' });
    const [view] = campaign.browse.batches();
    expect(view).toMatchObject({
      batchId: batch.batch_id,
      pipeline: 'demo',
      status: 'Running',
      size: 3,
    });
    expect(view?.counts).toEqual({ 'To run': 2, Skip: 1 });
    expect(campaign.browse.batchItems(batch.batch_id)).toEqual([
      {
        itemId: 'm3',
        status: 'Skip',
        phase: 'pending',
        retryCount: 0,
        reason: 'RETRIES_EXHAUSTED',
      },
      { itemId: 'm1', status: 'To run', phase: 'pending', retryCount: 0, reason: null },
      { itemId: 'm2', status: 'To run', phase: 'pending', retryCount: 0, reason: null },
    ]);
    expect(campaign.browse.batchItems('nope')).toEqual([]);
  });
});
