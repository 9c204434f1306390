import type { CalcStatus } from '../../core/calc-status.js';
import type { ExecutorCounts } from '../../store/calc-store.js';
import type { CalcState } from '../../store/campaign-browse.js';

const NO_COUNTS: Readonly<Record<CalcStatus, number>> = {
  queued: 0,
  submitted: 0,
  running: 0,
  succeeded: 0,
  failed: 0,
};

/** What the tally keeps of one calc. */
interface Entry {
  status: CalcStatus;
  executor: string | null;
  jobId: string | null;
}

/**
 * The store's calcs counted by status and by the executor of their latest attempt (with the
 * scheduler jobs of those in flight) — what `retort status --json` prints, store/calc-store.ts
 * `counts` and `byExecutor` — kept up to date from the calcs that changed
 * (campaign-browse.ts `calcStatesSince`) instead of counted again: a live view of 100,000
 * calcs re-reads a handful of rows per refresh. It also keeps each calc's searchable words,
 * so that a text filter runs over memory rather than over every row of the store.
 *
 * `apply` takes rows changed at or after the moment `since()` returns. Calcs are never deleted
 * from a store, and a row seen twice is counted once, so reading a little more than what
 * changed (the margin of `since`, for commits whose clock lags the last one seen) is harmless.
 * The store is a local SQLite file, so its writers share this process's clock: when that clock
 * has been set back below the latest change seen, the read starts from now instead, so that the
 * rows written after the step (stamped earlier than the ones before it) are not missed.
 */
export class CalcTally {
  private readonly entries = new Map<string, Entry>();
  /** The entries with a scheduler job in flight: a few per worker. */
  private readonly jobs = new Map<string, Entry>();
  /**
   * `key<TAB>words<LF>` of every calc, read on the first text filter (then only the words of
   * calcs added since): one string, searched with indexOf, is many times faster than a test per
   * calc.
   */
  private haystack: string | undefined;
  private unworded: string[] = [];
  private readonly byStatus: Record<CalcStatus, number> = { ...NO_COUNTS };
  private readonly byExecutor = new Map<string, Record<CalcStatus, number>>();
  private latest = '';

  constructor(
    private readonly loadWords: (keys: readonly string[] | null) => Map<string, string>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Where the next read of changed rows starts: the latest change seen (or now, if earlier), less a margin. */
  since(): string {
    if (this.latest === '') return '';
    const from = Math.min(Date.parse(this.latest), this.now());
    return new Date(from - SINCE_MARGIN_MS).toISOString();
  }

  apply(rows: readonly CalcState[]): void {
    for (const row of rows) {
      const old = this.entries.get(row.key);
      if (old !== undefined) this.count(old, -1);
      else if (this.haystack !== undefined) this.unworded.push(row.key);
      const entry: Entry = {
        status: row.status,
        executor: row.executor,
        jobId: row.status === 'submitted' || row.status === 'running' ? row.jobId : null,
      };
      this.entries.set(row.key, entry);
      if (entry.jobId === null) this.jobs.delete(row.key);
      else this.jobs.set(row.key, entry);
      this.count(entry, 1);
      if (row.updatedAt > this.latest) this.latest = row.updatedAt;
    }
  }

  counts(): Record<CalcStatus, number> {
    return { ...this.byStatus };
  }

  /** As calc-store.ts `byExecutor`: executors by name, job ids in numeric order. */
  executors(): ExecutorCounts[] {
    const jobs = new Map<string, Set<string>>();
    for (const e of this.jobs.values()) {
      if (e.jobId === null || e.executor === null) continue;
      const ids = jobs.get(e.executor) ?? new Set<string>();
      ids.add(e.jobId);
      jobs.set(e.executor, ids);
    }
    return [...this.byExecutor.entries()]
      .filter(([, counts]) => Object.values(counts).some((n) => n > 0))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([executor, counts]) => ({
        executor,
        counts: { ...counts },
        job_ids: [...(jobs.get(executor) ?? [])].sort((a, b) =>
          a.localeCompare(b, 'en', { numeric: true }),
        ),
      }));
  }

  /** Keys whose key, label, program, task or method contain `text` (lower-case, one line). */
  matching(text: string): string[] {
    const lines = (words: Map<string, string>): string =>
      [...words].map(([key, w]) => `${key}\t${w}\n`).join('');
    if (this.haystack === undefined) this.haystack = lines(this.loadWords(null));
    else if (this.unworded.length > 0) this.haystack += lines(this.loadWords(this.unworded));
    this.unworded = [];
    const hay = this.haystack;
    const keys: string[] = [];
    for (let at = hay.indexOf(text); at >= 0;) {
      const start = hay.lastIndexOf('\n', at) + 1;
      keys.push(hay.slice(start, hay.indexOf('\t', start)));
      at = hay.indexOf(text, hay.indexOf('\n', at) + 1);
    }
    return keys;
  }

  private count(entry: Entry, by: 1 | -1): void {
    this.byStatus[entry.status] += by;
    if (entry.executor === null) return;
    let counts = this.byExecutor.get(entry.executor);
    if (counts === undefined) {
      counts = { ...NO_COUNTS };
      this.byExecutor.set(entry.executor, counts);
    }
    counts[entry.status] += by;
  }
}

/** How far before the latest change seen the next read starts (clocks of commits may lag). */
const SINCE_MARGIN_MS = 5000;
