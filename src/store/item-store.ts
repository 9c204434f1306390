import { InfrastructureError, InputError } from '../core/errors.js';
import {
  ITEM_STATUSES,
  ITEM_TRANSITIONS,
  type ItemStatus,
  type SelectableStatus,
} from '../core/item-status.js';
import { assertTransition } from '../core/transitions.js';
import type { Batch, NewBatch, PipelineBatches } from './batch-store.js';
import { nowIso } from './calc-store.js';
import type { Db } from './database.js';
import { decodeStored, parseStringList, type Decoder } from './stored-json.js';

/** How a pipeline's item payloads (P) and results (R) are read back from the store. */
export interface ItemCodec<P, R> {
  readonly pipeline: string;
  readonly payload: Decoder<P>;
  readonly result: Decoder<R>;
}

/** A work item (a row of `items`, migration 4), its payload and result decoded. */
export interface Item<P, R> {
  readonly pipeline: string;
  readonly item_id: string;
  /** Order of addition within the pipeline. */
  readonly seq: number;
  readonly status: ItemStatus;
  readonly skip_reason: string | null;
  readonly phase: string;
  readonly priority: number;
  readonly retry_count: number;
  readonly max_retries: number;
  readonly last_error_message: string | null;
  readonly payload: P;
  /** The pipeline's last outcome for the item; null before any (and after a reset). */
  readonly result: R | null;
  readonly batch_id: string | null;
  readonly batch_order: number | null;
  /** ISO 8601 UTC time of the item's last change. */
  readonly updated_at: string;
}

/**
 * An item as a pipeline adds it: Pending, or Skip when its input is already known invalid
 * (then `last_error_message` and `result` may say why).
 */
export interface NewItem<P, R = never> {
  readonly item_id: string;
  readonly payload: P;
  readonly status: 'Pending' | 'Skip';
  readonly skip_reason: string | null;
  readonly priority?: number;
  readonly last_error_message?: string | null;
  readonly result?: R | null;
}

/** Fields that change together with an item's status; those not given keep their value. */
export interface ItemUpdate<P, R> {
  readonly phase?: string;
  readonly retry_count?: number;
  readonly last_error_message?: string | null;
  readonly skip_reason?: string | null;
  readonly payload?: P;
  readonly result?: R | null;
}

/** An item a new batch may select (Pending or Rerun), for the scheduling strategies. */
export interface Candidate<P> {
  readonly item_id: string;
  readonly seq: number;
  readonly status: SelectableStatus;
  readonly priority: number;
  readonly payload: P;
}

export type StatusCounts = Record<ItemStatus, number>;

/** A fact about a pipeline's items (a dataset's source, its reference columns …). */
export type Fact = string | readonly string[];

/** A row as SQLite returns it: the item with its JSON columns still text. */
type ItemRow = Omit<Item<never, never>, 'payload' | 'result'> & {
  readonly payload_json: string;
  readonly result_json: string | null;
};

/** The `items` and `item_facts` tables. */
export class ItemStore {
  constructor(private readonly db: Db) {}

  /** One pipeline's items, decoded by its codec. */
  of<P, R>(codec: ItemCodec<P, R>): PipelineItems<P, R> {
    return new PipelineItems(this.db, codec);
  }
}

/**
 * One pipeline's items, one statement or one short transaction per operation, every status
 * change checked against ITEM_TRANSITIONS inside its transaction. The cost of one item's
 * bookkeeping does not grow with the dataset: every per-item statement goes through the primary
 * key. Which items a batch takes is not decided here: createBatch hands the candidates to the
 * caller's choice (runtime/scheduling).
 */
export class PipelineItems<P, R> {
  readonly pipeline: string;
  private readonly stmt;

  constructor(
    private readonly db: Db,
    private readonly codec: ItemCodec<P, R>,
  ) {
    this.pipeline = codec.pipeline;
    this.stmt = {
      get: db.prepare<[string, string], ItemRow>(
        'SELECT * FROM items WHERE pipeline = ? AND item_id = ?',
      ),
      maxSeq: db.prepare<[string], { m: number | null }>(
        'SELECT MAX(seq) AS m FROM items WHERE pipeline = ?',
      ),
      insert: db.prepare(
        `INSERT INTO items (pipeline, item_id, seq, status, skip_reason, priority, payload_json,
           last_error_message, result_json, updated_at)
         VALUES (@pipeline, @item_id, @seq, @status, @skip_reason, @priority, @payload_json,
           @last_error_message, @result_json, @now)`,
      ),
      update: db.prepare(
        `UPDATE items SET status = @status, phase = COALESCE(@phase, phase),
           retry_count = COALESCE(@retry_count, retry_count),
           last_error_message = CASE WHEN @set_error THEN @last_error_message ELSE last_error_message END,
           skip_reason = CASE WHEN @set_skip THEN @skip_reason ELSE skip_reason END,
           payload_json = COALESCE(@payload_json, payload_json),
           result_json = CASE WHEN @set_result THEN @result_json ELSE result_json END,
           updated_at = @now
         WHERE pipeline = @pipeline AND item_id = @item_id`,
      ),
      phase: db.prepare(
        `UPDATE items SET phase = @phase, updated_at = @now
         WHERE pipeline = @pipeline AND item_id = @item_id`,
      ),
      counts: db.prepare<[string], { status: ItemStatus; n: number }>(
        'SELECT status, COUNT(*) AS n FROM items WHERE pipeline = ? GROUP BY status',
      ),
      countsByBatch: db.prepare<[string], { batch_id: string; status: ItemStatus; n: number }>(
        `SELECT batch_id, status, COUNT(*) AS n FROM items
         WHERE pipeline = ? AND batch_id IS NOT NULL GROUP BY batch_id, status`,
      ),
      candidates: db.prepare<
        [string],
        Pick<ItemRow, 'item_id' | 'seq' | 'priority' | 'payload_json'> & {
          status: SelectableStatus;
        }
      >(
        `SELECT item_id, seq, status, priority, payload_json FROM items
         WHERE pipeline = ? AND status IN ('Pending','Rerun') ORDER BY seq`,
      ),
      select: db.prepare(
        `UPDATE items SET status = 'To run', batch_id = @batch_id, batch_order = @batch_order,
           max_retries = @max_retries, phase = 'pending', updated_at = @now
         WHERE pipeline = @pipeline AND item_id = @item_id`,
      ),
      ofBatch: db.prepare<[string, string], ItemRow>(
        'SELECT * FROM items WHERE pipeline = ? AND batch_id = ? ORDER BY batch_order',
      ),
      all: db.prepare<[string], ItemRow>('SELECT * FROM items WHERE pipeline = ? ORDER BY seq'),
      clearBatch: db.prepare(
        `UPDATE items SET batch_id = NULL, batch_order = NULL, updated_at = @now
         WHERE pipeline = @pipeline AND item_id = @item_id`,
      ),
      setFact: db.prepare(
        'INSERT OR REPLACE INTO item_facts (pipeline, key, value) VALUES (?, ?, ?)',
      ),
      getFact: db.prepare<[string, string], { value: string }>(
        'SELECT value FROM item_facts WHERE pipeline = ? AND key = ?',
      ),
    };
  }

  get(itemId: string): Item<P, R> | undefined {
    const row = this.stmt.get.get(this.pipeline, itemId);
    return row === undefined ? undefined : this.decode(row);
  }

  /** Every item in order of addition. */
  all(): Item<P, R>[] {
    return this.stmt.all.all(this.pipeline).map((r) => this.decode(r));
  }

  /** The items of a batch, in their batch order. */
  ofBatch(batchId: string): Item<P, R>[] {
    return this.stmt.ofBatch.all(this.pipeline, batchId).map((r) => this.decode(r));
  }

  /**
   * Adds items after the ones already there and records `facts` (a list is kept as JSON and read
   * back with `factList`), in one transaction. Refuses
   * the whole addition (writing nothing) when an id is already in the store; returns the ids
   * found twice so the caller can name them.
   */
  add(
    items: readonly NewItem<P, R>[],
    facts: Readonly<Record<string, Fact>> = {},
  ): { readonly duplicates: readonly string[] } {
    return this.db.transaction(() => {
      const duplicates = items
        .filter((i) => this.stmt.get.get(this.pipeline, i.item_id) !== undefined)
        .map((i) => i.item_id);
      if (duplicates.length > 0) return { duplicates };
      let seq = this.stmt.maxSeq.get(this.pipeline)?.m ?? 0;
      const now = nowIso();
      for (const item of items) {
        seq++;
        this.stmt.insert.run({
          pipeline: this.pipeline,
          item_id: item.item_id,
          seq,
          status: item.status,
          skip_reason: item.skip_reason,
          priority: item.priority ?? 0,
          payload_json: JSON.stringify(item.payload),
          last_error_message: item.last_error_message ?? null,
          result_json:
            item.result === undefined || item.result === null ? null : JSON.stringify(item.result),
          now,
        });
      }
      for (const [key, value] of Object.entries(facts)) this.setFact(key, value);
      return { duplicates: [] };
    })();
  }

  /**
   * Changes an item's status (checked against ITEM_TRANSITIONS; staying in the same status is
   * always allowed) together with the fields given.
   */
  setStatus(itemId: string, status: ItemStatus, update: ItemUpdate<P, R> = {}): void {
    this.db.transaction(() => {
      const row = this.mustGetRow(itemId);
      if (row.status !== status) assertTransition('item', ITEM_TRANSITIONS, row.status, status);
      this.stmt.update.run({
        pipeline: this.pipeline,
        item_id: itemId,
        status,
        phase: update.phase ?? null,
        retry_count: update.retry_count ?? null,
        set_error: update.last_error_message === undefined ? 0 : 1,
        last_error_message: update.last_error_message ?? null,
        set_skip: update.skip_reason === undefined ? 0 : 1,
        skip_reason: update.skip_reason ?? null,
        payload_json: update.payload === undefined ? null : JSON.stringify(update.payload),
        set_result: update.result === undefined ? 0 : 1,
        result_json:
          update.result === undefined || update.result === null
            ? null
            : JSON.stringify(update.result),
        now: nowIso(),
      });
    })();
  }

  /** Records how far a running item's pipeline is (no status change). */
  setPhase(itemId: string, phase: string): void {
    this.stmt.phase.run({ pipeline: this.pipeline, item_id: itemId, phase, now: nowIso() });
  }

  counts(): StatusCounts {
    const counts = zeroCounts();
    for (const { status, n } of this.stmt.counts.all(this.pipeline)) counts[status] = n;
    return counts;
  }

  countsByBatch(): Map<string, StatusCounts> {
    const out = new Map<string, StatusCounts>();
    for (const { batch_id, status, n } of this.stmt.countsByBatch.all(this.pipeline)) {
      let counts = out.get(batch_id);
      if (counts === undefined) {
        counts = zeroCounts();
        out.set(batch_id, counts);
      }
      counts[status] = n;
    }
    return out;
  }

  /** The items a new batch may take (Pending or Rerun), in order of addition. */
  candidates(): Candidate<P>[] {
    return this.stmt.candidates.all(this.pipeline).map(({ payload_json, ...rest }) => ({
      ...rest,
      payload: decodeStored(payload_json, this.codec.payload, `item ${rest.item_id}`),
    }));
  }

  /**
   * Creates a batch and selects its items in one transaction: `choose` gets the candidates and
   * returns the ids to take, in batch order (at most `batch.size`); they become `To run` with
   * the batch id, their place in it and the batch's max_retries.
   */
  createBatch<S>(
    batches: PipelineBatches<S>,
    batch: NewBatch<S>,
    choose: (candidates: readonly Candidate<P>[]) => readonly string[],
  ): { readonly batch: Batch<S>; readonly items: readonly Item<P, R>[] } {
    return this.db.transaction(() => {
      const created = batches.insert(batch);
      const ids = choose(this.candidates()).slice(0, batch.size);
      const now = nowIso();
      ids.forEach((itemId, i) => {
        const row = this.mustGetRow(itemId);
        assertTransition('item', ITEM_TRANSITIONS, row.status, 'To run');
        this.stmt.select.run({
          pipeline: this.pipeline,
          item_id: itemId,
          batch_id: created.batch_id,
          batch_order: i + 1,
          max_retries: batch.max_retries,
          now,
        });
      });
      return { batch: created, items: this.ofBatch(created.batch_id) };
    })();
  }

  /**
   * Items of a batch left `Running` by an interrupted run go back to `To run` (their finished
   * calcs stay in the calc cache, so they resume where they were). Returns how many.
   */
  returnInterrupted(batchId: string): number {
    return this.db.transaction(() => {
      let n = 0;
      for (const row of this.stmt.ofBatch.all(this.pipeline, batchId)) {
        if (row.status === 'Running') {
          this.setStatus(row.item_id, 'To run', { phase: 'pending' });
          n++;
        }
      }
      return n;
    })();
  }

  /**
   * Puts items back in the queue at the user's request (`retort batch requeue`): OK and Skip
   * items become Pending, their result, skip reason and retry count cleared, and leave their
   * batch, so the next batch (or `batch run --molecules`) can take them; Pending and Rerun items
   * are already queued and stay as they are. An unknown item, or one in a batch now (To run,
   * Running), is refused (InputError) before any item changes. Returns how many changed.
   */
  requeue(itemIds: readonly string[]): number {
    return this.db.transaction(() => {
      const rows = itemIds.map((id) => {
        const row = this.stmt.get.get(this.pipeline, id);
        if (row === undefined) throw new InputError(id, `no such ${this.pipeline} item`);
        if (row.status === 'To run' || row.status === 'Running')
          throw new InputError(
            id,
            `is ${row.status} in ${row.batch_id ?? 'a batch'}; stop or finish that batch first`,
          );
        return row;
      });
      const now = nowIso();
      let n = 0;
      for (const row of rows) {
        if (row.status !== 'OK' && row.status !== 'Skip') continue;
        this.setStatus(row.item_id, 'Pending', {
          phase: 'pending',
          result: null,
          retry_count: 0,
          skip_reason: null,
          last_error_message: null,
        });
        this.stmt.clearBatch.run({ pipeline: this.pipeline, item_id: row.item_id, now });
        n++;
      }
      return n;
    })();
  }

  /**
   * The all_or_nothing reset: the batch's OK items go back to Pending with no result, and its
   * To run items (a Stopped batch's, never started) go back to Pending keeping theirs; OK,
   * To run and Rerun items leave the batch, so a new batch can select them (Skip ones keep it,
   * to show where they failed); retry counts are kept; the batch becomes Reset. Returns how
   * many OK items and how many To run items went back to Pending.
   */
  resetBatch<S>(
    batches: PipelineBatches<S>,
    batchId: string,
  ): { readonly ok: number; readonly notRun: number } {
    return this.db.transaction(() => {
      let ok = 0;
      let notRun = 0;
      const now = nowIso();
      for (const row of this.stmt.ofBatch.all(this.pipeline, batchId)) {
        if (row.status === 'OK') {
          this.setStatus(row.item_id, 'Pending', { phase: 'pending', result: null });
          ok++;
        } else if (row.status === 'To run') {
          this.setStatus(row.item_id, 'Pending', { phase: 'pending' });
          notRun++;
        }
        if (row.status === 'OK' || row.status === 'To run' || row.status === 'Rerun')
          this.stmt.clearBatch.run({ pipeline: this.pipeline, item_id: row.item_id, now });
      }
      batches.setStatus(batchId, 'Reset');
      return { ok, notRun };
    })();
  }

  setFact(key: string, value: Fact): void {
    this.stmt.setFact.run(
      this.pipeline,
      key,
      typeof value === 'string' ? value : JSON.stringify(value),
    );
  }

  /** A text fact; undefined when none was recorded. */
  fact(key: string): string | undefined {
    return this.stmt.getFact.get(this.pipeline, key)?.value;
  }

  /** A list fact, as recorded; undefined when none was recorded. */
  factList(key: string): readonly string[] | undefined {
    const text = this.fact(key);
    return text === undefined
      ? undefined
      : parseStringList(text, `fact ${key} of ${this.pipeline}`);
  }

  private mustGetRow(itemId: string): ItemRow {
    const row = this.stmt.get.get(this.pipeline, itemId);
    if (row === undefined)
      throw new InfrastructureError(`item ${itemId} is not in the store`, { retryable: false });
    return row;
  }

  private decode(row: ItemRow): Item<P, R> {
    const { payload_json, result_json, ...rest } = row;
    const what = `item ${row.item_id}`;
    return {
      ...rest,
      payload: decodeStored(payload_json, this.codec.payload, what),
      result: result_json === null ? null : decodeStored(result_json, this.codec.result, what),
    };
  }
}

function zeroCounts(): StatusCounts {
  return Object.fromEntries(ITEM_STATUSES.map((s) => [s, 0])) as StatusCounts;
}
