import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { IllegalTransitionError } from '../../src/core/transitions.js';
import { BatchStore, type NewBatch, type PipelineBatches } from '../../src/store/batch-store.js';
import { openDatabase, type Db } from '../../src/store/database.js';
import {
  ItemStore,
  type Candidate,
  type NewItem,
  type PipelineItems,
} from '../../src/store/item-store.js';
import { tempDir } from '../helpers/temp-dir.js';

interface Payload {
  readonly atoms: number;
  readonly note: string;
}
interface Result {
  readonly energy: number;
}
interface Settings {
  readonly level: string;
}

function asObject(value: unknown): object {
  if (typeof value !== 'object' || value === null) throw new TypeError('not an object');
  return value;
}
const payload = (value: unknown): Payload => asObject(value) as Payload;
const result = (value: unknown): Result => asObject(value) as Result;
const settings = (value: unknown): Settings => asObject(value) as Settings;

let tmp: ReturnType<typeof tempDir>;
let db: Db;
let items: PipelineItems<Payload, Result>;
let batches: PipelineBatches<Settings>;

function item(id: string, atoms: number): NewItem<Payload> {
  return {
    item_id: id,
    payload: { atoms, note: `n${atoms}` },
    status: 'Pending',
    skip_reason: null,
  };
}

const BATCH: NewBatch<Settings> = {
  size: 2,
  strategy: 'by_nheavy',
  seed: null,
  policy: 'partial_ok',
  max_retries: 3,
  workers: 2,
  settings: { level: 'fast' },
};

/** Fewest atoms first: the caller's choice, as a scheduling strategy would make it. */
const fewestAtoms = (candidates: readonly Candidate<Payload>[]): string[] =>
  [...candidates].sort((a, b) => a.payload.atoms - b.payload.atoms).map((c) => c.item_id);

beforeEach(() => {
  tmp = tempDir();
  db = openDatabase(join(tmp.dir, 'retort.db'));
  items = new ItemStore(db).of({
    pipeline: 'test',
    payload: payload,
    result: result,
  });
  batches = new BatchStore(db).of('test', settings);
  items.add([item('A', 5), item('B', 2), item('C', 3), item('D', 1)]);
});

afterEach(() => {
  db.close();
  tmp.remove();
});

function finishBatch(batchId: string, outcome: (id: string) => 'OK' | 'Rerun' | 'Skip'): void {
  for (const i of items.ofBatch(batchId)) {
    items.setStatus(i.item_id, 'Running');
    items.setStatus(i.item_id, outcome(i.item_id), {
      retry_count: outcome(i.item_id) === 'OK' ? i.retry_count : i.retry_count + 1,
      result: { energy: -1 },
    });
  }
  batches.setStatus(batchId, 'Completed');
}

describe('ItemStore', () => {
  it('adds items as Pending in order with their typed payload, and refuses ids it already has, adding nothing', () => {
    expect(items.counts().Pending).toBe(4);
    expect(items.get('B')).toMatchObject({
      pipeline: 'test',
      seq: 2,
      status: 'Pending',
      payload: { atoms: 2, note: 'n2' },
      result: null,
    });
    const again = items.add([item('E', 1), item('B', 1)], { source: 'x' });
    expect(again.duplicates).toEqual(['B']);
    expect(items.get('E')).toBeUndefined();
    expect(items.fact('source')).toBeUndefined();
    expect(items.all().map((i) => i.item_id)).toEqual(['A', 'B', 'C', 'D']);
  });

  it('keeps the items and facts of one pipeline apart from another', () => {
    const other = new ItemStore(db).of({
      pipeline: 'other',
      payload: payload,
      result: result,
    });
    other.add([item('A', 9)], { source: 'other.csv' });
    items.setFact('source', 'test.csv');
    expect(other.all().map((i) => [i.item_id, i.seq, i.payload.atoms])).toEqual([['A', 1, 9]]);
    expect(items.get('A')?.payload.atoms).toBe(5);
    expect([items.fact('source'), other.fact('source')]).toEqual(['test.csv', 'other.csv']);
  });

  it("selects the caller's choice into a numbered batch, To run in that order, with the batch's settings", () => {
    const { batch, items: chosen } = items.createBatch(batches, BATCH, fewestAtoms);
    expect(batch).toMatchObject({
      batch_id: 'batch_0001',
      pipeline: 'test',
      status: 'Running',
      settings: { level: 'fast' },
    });
    expect(chosen.map((i) => [i.item_id, i.status, i.batch_order, i.max_retries])).toEqual([
      ['D', 'To run', 1, 3],
      ['B', 'To run', 2, 3],
    ]);
  });

  it('offers only Pending and Rerun items as candidates', () => {
    const first = items.createBatch(batches, { ...BATCH, size: 3 }, fewestAtoms).batch;
    finishBatch(first.batch_id, (id) => (id === 'B' ? 'Rerun' : 'OK'));
    expect(items.candidates().map((c) => [c.item_id, c.status])).toEqual([
      ['A', 'Pending'],
      ['B', 'Rerun'],
    ]);
    expect(items.createBatch(batches, BATCH, fewestAtoms).batch.batch_id).toBe('batch_0002');
  });

  it('refuses a second batch while one is Running', () => {
    items.createBatch(batches, BATCH, fewestAtoms);
    expect(() => items.createBatch(batches, BATCH, fewestAtoms)).toThrow(
      'batch_0001 is still Running',
    );
  });

  it('checks every status change against the item state machine, inside its transaction', () => {
    expect(() => {
      items.setStatus('A', 'OK');
    }).toThrow(IllegalTransitionError);
    expect(items.get('A')?.status).toBe('Pending');
  });

  it('checks every batch status change against the batch state machine', () => {
    const { batch } = items.createBatch(batches, BATCH, fewestAtoms);
    expect(() => {
      batches.setStatus(batch.batch_id, 'Reset');
    }).toThrow(IllegalTransitionError);
    expect(batches.get(batch.batch_id)?.status).toBe('Running');
  });

  it('returns items interrupted while Running to To run', () => {
    const { batch } = items.createBatch(batches, BATCH, fewestAtoms);
    items.setStatus('D', 'Running', { phase: 'step 2' });
    expect(items.returnInterrupted(batch.batch_id)).toBe(1);
    expect(items.get('D')).toMatchObject({ status: 'To run', phase: 'pending' });
  });

  it('applies the all_or_nothing reset: OK back to Pending without result, batch cleared, retry counts kept', () => {
    const { batch } = items.createBatch(batches, { ...BATCH, size: 3 }, fewestAtoms);
    finishBatch(batch.batch_id, (id) => (id === 'C' ? 'Rerun' : 'OK'));
    expect(items.get('D')?.result).toEqual({ energy: -1 });
    expect(items.resetBatch(batches, batch.batch_id)).toEqual({ ok: 2, notRun: 0 });
    expect(items.get('D')).toMatchObject({ status: 'Pending', batch_id: null, result: null });
    expect(items.get('C')).toMatchObject({ status: 'Rerun', batch_id: null, retry_count: 1 });
    expect(batches.get(batch.batch_id)?.status).toBe('Reset');
  });

  it('frees the To run items of a reset Stopped batch: Pending, out of the batch, selectable by the next batch', () => {
    const { batch } = items.createBatch(batches, { ...BATCH, size: 3 }, fewestAtoms);
    items.setStatus('D', 'Running');
    items.setStatus('D', 'OK', { result: { energy: -2 } });
    batches.setStatus(batch.batch_id, 'Stopped');
    expect(items.resetBatch(batches, batch.batch_id)).toEqual({ ok: 1, notRun: 2 });
    for (const id of ['B', 'C'])
      expect(items.get(id)).toMatchObject({ status: 'Pending', batch_id: null, batch_order: null });
    const next = items.createBatch(batches, { ...BATCH, size: 4 }, fewestAtoms);
    expect(next.items.map((i) => i.item_id)).toEqual(['D', 'B', 'C', 'A']);
  });

  it('adds a Skip item with its error and result', () => {
    items.add([
      {
        ...item('E', 0),
        status: 'Skip',
        skip_reason: 'INVALID_SMILES',
        last_error_message: 'unreadable',
        result: { energy: 0 },
      },
    ]);
    expect(items.get('E')).toMatchObject({
      status: 'Skip',
      last_error_message: 'unreadable',
      result: { energy: 0 },
    });
  });

  it('counts items overall and per batch', () => {
    const { batch } = items.createBatch(batches, BATCH, fewestAtoms);
    finishBatch(batch.batch_id, (id) => (id === 'B' ? 'Skip' : 'OK'));
    expect(items.counts()).toMatchObject({ OK: 1, Skip: 1, Pending: 2 });
    expect(items.countsByBatch().get(batch.batch_id)).toMatchObject({ OK: 1, Skip: 1 });
  });

  it('refuses a stored payload its pipeline cannot decode, naming the item', () => {
    const strict = new ItemStore(db).of({
      pipeline: 'test',
      payload: (): Payload => {
        throw new TypeError('unexpected shape');
      },
      result: result,
    });
    expect(() => strict.get('A')).toThrow('the store is damaged: item A');
  });
});
