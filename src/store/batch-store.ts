import {
  BATCH_TRANSITIONS,
  type BatchStatus,
  type Policy,
  type Strategy,
} from '../core/batch-status.js';
import { CampaignError, InfrastructureError } from '../core/errors.js';
import { assertTransition } from '../core/transitions.js';
import { nowIso } from './calc-store.js';
import type { Db } from './database.js';
import { decodeStored, type Decoder } from './stored-json.js';

/**
 * A batch of one pipeline (a row of `batches`, migrations 4 and 5), its settings decoded. Its
 * stored summary is read apart (PipelineBatches.summary).
 */
export interface Batch<S> {
  readonly batch_id: string;
  readonly pipeline: string;
  readonly seq: number;
  readonly status: BatchStatus;
  /** Items asked for when it was created. */
  readonly size: number;
  readonly strategy: Strategy;
  /** Seed of the `random` strategy; null for the others. */
  readonly seed: number | null;
  readonly policy: Policy;
  readonly max_retries: number;
  readonly workers: number;
  /** The pipeline's own settings of the batch. */
  readonly settings: S;
  readonly created_at: string;
  readonly started_at: string | null;
  readonly ended_at: string | null;
}

/** What a batch is created with. */
export interface NewBatch<S> {
  readonly size: number;
  readonly strategy: Strategy;
  readonly seed: number | null;
  readonly policy: Policy;
  readonly max_retries: number;
  readonly workers: number;
  readonly settings: S;
}

/** A row as SQLite returns it: the batch with its settings still JSON text, and its summary. */
type BatchRow = Omit<Batch<never>, 'settings'> & {
  readonly settings_json: string;
  readonly summary_json: string | null;
};

/** The `batches` table, one statement or one short transaction per operation. */
export class BatchStore {
  constructor(private readonly db: Db) {}

  /** The batches of one pipeline, their settings decoded by `settings`. */
  of<S>(pipeline: string, settings: Decoder<S>): PipelineBatches<S> {
    return new PipelineBatches(this.db, pipeline, settings);
  }
}

/** One pipeline's batches. Every status change is checked against BATCH_TRANSITIONS. */
export class PipelineBatches<S> {
  private readonly stmt;

  constructor(
    private readonly db: Db,
    readonly pipeline: string,
    private readonly decodeSettings: Decoder<S>,
  ) {
    this.stmt = {
      get: db.prepare<[string, string], BatchRow>(
        'SELECT * FROM batches WHERE batch_id = ? AND pipeline = ?',
      ),
      all: db.prepare<[string], BatchRow>('SELECT * FROM batches WHERE pipeline = ? ORDER BY seq'),
      running: db.prepare<[string], BatchRow>(
        `SELECT * FROM batches WHERE pipeline = ? AND status = 'Running' ORDER BY seq`,
      ),
      maxSeq: db.prepare<[], { m: number | null }>('SELECT MAX(seq) AS m FROM batches'),
      insert: db.prepare(
        `INSERT INTO batches (batch_id, pipeline, seq, status, size, strategy, seed, policy,
           max_retries, workers, settings_json, created_at, started_at)
         VALUES (@batch_id, @pipeline, @seq, 'Running', @size, @strategy, @seed, @policy,
           @max_retries, @workers, @settings_json, @now, @now)`,
      ),
      setSummary: db.prepare<[string, string, string]>(
        'UPDATE batches SET summary_json = ? WHERE batch_id = ? AND pipeline = ?',
      ),
      setStatus: db.prepare(
        `UPDATE batches SET status = @status, ended_at = @ended_at,
           started_at = COALESCE(@started_at, started_at) WHERE batch_id = @batch_id`,
      ),
    };
  }

  get(batchId: string): Batch<S> | undefined {
    const row = this.stmt.get.get(batchId, this.pipeline);
    return row === undefined ? undefined : this.decode(row);
  }

  all(): Batch<S>[] {
    return this.stmt.all.all(this.pipeline).map((r) => this.decode(r));
  }

  /** The batch that is Running (being run, or left by a runner that died), if any. */
  running(): Batch<S> | undefined {
    const row = this.stmt.running.get(this.pipeline);
    return row === undefined ? undefined : this.decode(row);
  }

  /**
   * Inserts a new Running batch, numbered after every batch of the campaign. Refuses while a
   * batch of this pipeline is Running. Call inside the transaction that selects its items.
   */
  insert(batch: NewBatch<S>): Batch<S> {
    return this.db.transaction(() => {
      const running = this.stmt.running.get(this.pipeline);
      if (running !== undefined)
        throw new CampaignError(`batch ${running.batch_id} is still Running`);
      const seq = (this.stmt.maxSeq.get()?.m ?? 0) + 1;
      const batchId = `batch_${String(seq).padStart(4, '0')}`;
      this.stmt.insert.run({
        batch_id: batchId,
        pipeline: this.pipeline,
        seq,
        size: batch.size,
        strategy: batch.strategy,
        seed: batch.seed,
        policy: batch.policy,
        max_retries: batch.max_retries,
        workers: batch.workers,
        settings_json: JSON.stringify(batch.settings),
        now: nowIso(),
      });
      return this.mustGet(batchId);
    })();
  }

  /** Changes a batch's status (checked against BATCH_TRANSITIONS); Running restarts its clock. */
  setStatus(batchId: string, status: BatchStatus): void {
    this.db.transaction(() => {
      const row = this.mustGet(batchId);
      assertTransition('batch', BATCH_TRANSITIONS, row.status, status);
      const now = nowIso();
      this.stmt.setStatus.run({
        batch_id: batchId,
        status,
        ended_at: status === 'Running' ? null : now,
        started_at: status === 'Running' ? now : null,
      });
    })();
  }

  /** Stores the summary of the batch's last run (a JSON object, replacing any earlier one). */
  setSummary(batchId: string, summary: object): void {
    this.mustGet(batchId);
    this.stmt.setSummary.run(JSON.stringify(summary), batchId, this.pipeline);
  }

  /** The stored summary of the batch's last run, decoded; undefined when none was stored. */
  summary<T>(batchId: string, decode: Decoder<T>): T | undefined {
    const row = this.stmt.get.get(batchId, this.pipeline);
    if (row === undefined || row.summary_json === null) return undefined;
    return decodeStored(row.summary_json, decode, `the summary of batch ${batchId}`);
  }

  private mustGet(batchId: string): Batch<S> {
    const batch = this.get(batchId);
    if (batch === undefined)
      throw new InfrastructureError(`batch ${batchId} is not in the store`, { retryable: false });
    return batch;
  }

  private decode(row: BatchRow): Batch<S> {
    const { settings_json, summary_json: _summary, ...rest } = row;
    return {
      ...rest,
      settings: decodeStored(settings_json, this.decodeSettings, `batch ${row.batch_id}`),
    };
  }
}
