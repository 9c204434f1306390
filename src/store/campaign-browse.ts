import type { CalcStatus } from '../core/calc-status.js';
import type { ItemStatus } from '../core/item-status.js';
import type { Db } from './database.js';

/**
 * Read-only queries for a live view of a campaign (the terminal UI): pages of calcs with their
 * latest attempt, the calcs changed since a moment (for a tally kept up to date), completions
 * over time, batches of every pipeline with their items' counts, and whether anything changed
 * at all. Every query a refresh makes is bounded (a page, a time window, the rows changed) and
 * served by an index, because the view refreshes every second against stores of 100,000 calcs
 * while a runner writes.
 */

/** One calc as a table row shows it: the calc and its latest attempt. */
export interface CalcRowView {
  readonly key: string;
  readonly program: string;
  readonly task: string;
  /** The spec's method (`PM7`, `B3LYP`), when it has one. */
  readonly method: string | null;
  readonly label: string | null;
  readonly status: CalcStatus;
  readonly failureClass: string | null;
  readonly attempts: number;
  readonly updatedAt: string;
  /** Executor of the latest attempt (`local`, `ssh:NAME`, `slurm:NAME`), null before one. */
  readonly executor: string | null;
  /** Scheduler job id of the latest attempt (SLURM), when it has one. */
  readonly jobId: string | null;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
}

/** Orders a page: most recently changed first, or by program, status or label. */
export type CalcSort = 'updated' | 'program' | 'status' | 'label';

/**
 * Which calcs a page holds: those among `keys` (every calc when null) whose status is one of
 * `statuses` (any when empty), then `offset`/`limit` in `sort` order.
 */
export interface CalcSelection {
  readonly statuses: readonly CalcStatus[];
  readonly keys: readonly string[] | null;
  readonly sort: CalcSort;
  readonly offset: number;
  readonly limit: number;
}

/**
 * A calc as a live tally of the store follows it: its status and last change, and the executor
 * and (while in flight) scheduler job id of its latest attempt; null before an attempt.
 */
export interface CalcState {
  readonly key: string;
  readonly status: CalcStatus;
  readonly updatedAt: string;
  readonly executor: string | null;
  readonly jobId: string | null;
}

interface PageRow {
  readonly key: string;
  readonly program: string;
  readonly task: string;
  readonly method: string | null;
  readonly label: string | null;
  readonly status: CalcStatus;
  readonly failure_class: string | null;
  readonly attempts: number;
  readonly updated_at: string;
  readonly executor: string | null;
  readonly job_id: string | number | null;
  readonly started_at: string | null;
  readonly ended_at: string | null;
}

const ORDER: Readonly<Record<CalcSort, string>> = {
  updated: 'c.updated_at DESC, c.key',
  program: 'c.program, c.task, c.updated_at DESC, c.key',
  status: 'c.status, c.updated_at DESC, c.key',
  label: 'c.label IS NULL, c.label, c.key',
};

export class CampaignBrowser {
  constructor(private readonly db: Db) {}

  /**
   * SQLite's data version of this connection: it changes when another connection (the runner)
   * has committed since the last read, so an unchanged number means nothing needs re-reading.
   */
  dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  /** The rows of one page of calcs (see {@link CalcSelection}). */
  page(selection: CalcSelection): CalcRowView[] {
    const { filter, params } = where(selection);
    return this.db
      .prepare<Record<string, string | number>, PageRow>(
        `SELECT c.key, c.program, c.task, json_extract(c.spec_json, '$.method') AS method, c.label,
                c.status, c.failure_class, c.attempts, c.updated_at, a.executor,
                json_extract(a.handle_json, '$.job_id') AS job_id, a.started_at, a.ended_at
           FROM (SELECT * FROM calcs c ${filter} ORDER BY ${ORDER[selection.sort]}
                 LIMIT @limit OFFSET @offset) c
           LEFT JOIN attempts a ON a.calc_key = c.key AND a.attempt = c.attempts
          ORDER BY ${ORDER[selection.sort]}`,
      )
      .all({ ...params, limit: selection.limit, offset: selection.offset })
      .map(rowView);
  }

  /** How many calcs the selection holds, all pages together. */
  count(selection: Pick<CalcSelection, 'statuses' | 'keys'>): number {
    const { filter, params } = where(selection);
    return (
      this.db
        .prepare<Record<string, string | number>, { n: number }>(
          `SELECT COUNT(*) AS n FROM calcs c ${filter}`,
        )
        .get(params)?.n ?? 0
    );
  }

  /**
   * Every calc changed at or after `since` (an ISO time; '' for all), as a live tally follows
   * it ({@link CalcState}): by the index on `updated_at`, so that a tally kept up to date reads
   * only what changed (migration 7).
   */
  calcStatesSince(since: string): CalcState[] {
    return (
      this.db
        .prepare<
          string[],
          {
            key: string;
            status: CalcStatus;
            updated_at: string;
            executor: string | null;
            job_id: string | number | null;
          }
        >(
          `SELECT c.key, c.status, c.updated_at, a.executor,
                CASE WHEN c.status IN ('submitted', 'running')
                  THEN json_extract(a.handle_json, '$.job_id') END AS job_id
           FROM calcs c LEFT JOIN attempts a ON a.calc_key = c.key AND a.attempt = c.attempts
          ${since === '' ? '' : 'WHERE c.updated_at >= ?'}`,
        )
        // All of them: a scan of the table, cheaper than the index for every row.
        .all(...(since === '' ? [] : [since]))
        .map((r) => ({
          key: r.key,
          status: r.status,
          updatedAt: r.updated_at,
          executor: r.executor,
          jobId: r.job_id === null ? null : String(r.job_id),
        }))
    );
  }

  /**
   * The words a text filter searches, of the calcs `keys` (all when null): label, program,
   * task and method, lower-cased and joined by tabs; key → words.
   */
  searchWords(keys: readonly string[] | null): Map<string, string> {
    const rows = this.db
      .prepare<Record<string, string>, [string, string]>(
        `SELECT key, lower(COALESCE(label, '') || char(9) || program || char(9) || task || char(9)
                  || COALESCE(json_extract(spec_json, '$.method'), ''))
           FROM calcs ${keys === null ? '' : 'WHERE key IN (SELECT value FROM json_each(@keys))'}`,
      )
      .raw()
      .all(keys === null ? {} : { keys: JSON.stringify(keys) });
    return new Map(rows);
  }

  /**
   * Attempts that ended per minute over the last `minutes` minutes before `now`, oldest first
   * (a sparkline of completions).
   */
  completionsPerMinute(now: Date, minutes: number): number[] {
    const since = new Date(now.getTime() - minutes * 60_000);
    const counts = new Array<number>(minutes).fill(0);
    const rows = this.db
      .prepare<[string], { ended_at: string }>(
        `SELECT ended_at FROM attempts WHERE ended_at >= ? AND status IN ('succeeded', 'failed')`,
      )
      .all(since.toISOString());
    for (const { ended_at } of rows) {
      const bucket = Math.floor((Date.parse(ended_at) - since.getTime()) / 60_000);
      if (bucket >= 0 && bucket < minutes) counts[bucket] = (counts[bucket] ?? 0) + 1;
    }
    return counts;
  }

  /** Every batch of every pipeline, newest first, with its items counted by status. */
  batches(): BatchView[] {
    const rows = this.db
      .prepare<
        [],
        {
          batch_id: string;
          pipeline: string;
          status: string;
          size: number;
          strategy: string;
          created_at: string;
          ended_at: string | null;
        }
      >(
        'SELECT batch_id, pipeline, status, size, strategy, created_at, ended_at FROM batches ORDER BY seq DESC',
      )
      .all();
    const counts = new Map<string, Partial<Record<ItemStatus, number>>>();
    for (const c of this.db
      .prepare<[], { batch_id: string; status: ItemStatus; n: number }>(
        `SELECT batch_id, status, COUNT(*) AS n FROM items WHERE batch_id IS NOT NULL
          GROUP BY batch_id, status`,
      )
      .all()) {
      const entry = counts.get(c.batch_id) ?? {};
      entry[c.status] = c.n;
      counts.set(c.batch_id, entry);
    }
    return rows.map((r) => ({
      batchId: r.batch_id,
      pipeline: r.pipeline,
      status: r.status,
      size: r.size,
      strategy: r.strategy,
      createdAt: r.created_at,
      endedAt: r.ended_at,
      counts: counts.get(r.batch_id) ?? {},
    }));
  }

  /** The items of one batch in the batch's order. */
  batchItems(batchId: string): ItemView[] {
    return this.db
      .prepare<
        [string],
        {
          item_id: string;
          status: ItemStatus;
          phase: string;
          retry_count: number;
          reason: string | null;
        }
      >(
        `SELECT item_id, status, phase, retry_count, COALESCE(skip_reason, last_error_message) AS reason
           FROM items WHERE batch_id = ? ORDER BY batch_order, seq`,
      )
      .all(batchId)
      .map((r) => ({
        itemId: r.item_id,
        status: r.status,
        phase: r.phase,
        retryCount: r.retry_count,
        reason: r.reason,
      }));
  }
}

/** A batch of any pipeline, with its items counted by status. */
export interface BatchView {
  readonly batchId: string;
  readonly pipeline: string;
  readonly status: string;
  readonly size: number;
  readonly strategy: string;
  readonly createdAt: string;
  readonly endedAt: string | null;
  readonly counts: Readonly<Partial<Record<ItemStatus, number>>>;
}

/** One item of a batch, as a list row shows it. */
export interface ItemView {
  readonly itemId: string;
  readonly status: ItemStatus;
  readonly phase: string;
  readonly retryCount: number;
  /** Why it was skipped, or its last error. */
  readonly reason: string | null;
}

function where(selection: Pick<CalcSelection, 'statuses' | 'keys'>): {
  filter: string;
  params: Record<string, string | number>;
} {
  const clauses: string[] = [];
  const params: Record<string, string | number> = {};
  if (selection.statuses.length > 0) {
    clauses.push(`c.status IN (${selection.statuses.map((_, i) => `@s${i}`).join(', ')})`);
    selection.statuses.forEach((s, i) => (params[`s${i}`] = s));
  }
  if (selection.keys !== null) {
    clauses.push('c.key IN (SELECT value FROM json_each(@keys))');
    params.keys = JSON.stringify(selection.keys);
  }
  return { filter: clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`, params };
}

function rowView(r: PageRow): CalcRowView {
  return {
    key: r.key,
    program: r.program,
    task: r.task,
    method: r.method,
    label: r.label,
    status: r.status,
    failureClass: r.failure_class,
    attempts: r.attempts,
    updatedAt: r.updated_at,
    executor: r.executor,
    jobId: r.job_id === null ? null : String(r.job_id),
    startedAt: r.started_at,
    endedAt: r.ended_at,
  };
}
