import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { calcWorkdir } from '../../core/campaign-layout.js';
import type { CalcStatus } from '../../core/calc-status.js';
import type { Attempt, Calc, ExecutorCounts } from '../../store/calc-store.js';
import type { BatchView, CalcRowView, CalcSort, ItemView } from '../../store/campaign-browse.js';
import { openCampaign, type Campaign } from '../campaign.js';
import { readStatusFile, type StatusSnapshot } from '../control/status-file.js';
import { isStopRequested } from '../control/stop-request.js';
import { lockHolderAlive } from '../runner-lock.js';
import type { HostSettings } from '../host-settings.js';
import { CalcTally } from './calc-tally.js';
import { tailOfFile } from './tail-file.js';

/**
 * What a live view of a campaign shows at one moment, read without ever taking the runner's
 * lock: the store opened read-only (WAL lets it read while the runner writes) and status.json.
 *
 * - `runner`: whether a process holds the runner lock now, and its pid.
 * - `run`: the last status.json (the current run, or the last one when no runner is alive).
 * - `counts`, `executors`: the store's calcs by status, and per executor of their latest
 *   attempt (as `retort status --json` prints them).
 * - `completions`: attempts that ended per minute over the last {@link SPARK_MINUTES}
 *   minutes, oldest first.
 * - `batches`: every batch of every pipeline, newest first, with item counts.
 * - `storeVersion`: grows whenever the store changed since the previous snapshot; a view keeps
 *   what it derived from an unchanged version instead of querying again.
 */
export interface MonitorSnapshot {
  readonly at: string;
  readonly root: string;
  readonly runner: { readonly alive: boolean; readonly pid: number | null };
  readonly stopRequested: boolean;
  readonly run: StatusSnapshot | undefined;
  readonly counts: Readonly<Record<CalcStatus, number>>;
  readonly executors: readonly ExecutorCounts[];
  readonly completions: readonly number[];
  readonly batches: readonly BatchView[];
  readonly hosts: readonly HostSettings[];
  readonly storeVersion: number;
}

/** One calc opened from a list: its record, every attempt, and the tails of its output. */
export interface CalcDetail {
  readonly calc: Calc;
  readonly attempts: readonly Attempt[];
  /** The last lines of stdout/stderr in the calc's directory ('' when absent). */
  readonly stdoutTail: string;
  readonly stderrTail: string;
}

export const SPARK_MINUTES = 30;

// What a view needs of the store's query types, so that the UI (cli) does not reach store/.
export type { CalcRowView, CalcSort } from '../../store/campaign-browse.js';

/**
 * Which calcs a page of a view shows: `statuses` (all when empty), `text` (a substring of the
 * key, label, program, task or method, case-insensitive), then `offset`/`limit` in `sort`
 * order.
 */
export interface CalcQuery {
  readonly statuses: readonly CalcStatus[];
  readonly text: string;
  readonly sort: CalcSort;
  readonly offset: number;
  readonly limit: number;
}

export interface CalcPage {
  readonly rows: readonly CalcRowView[];
  /** Calcs matching the query, all pages together. */
  readonly total: number;
}

/**
 * A read-only observer of one campaign for live views. `snapshot()` re-queries the store only
 * when SQLite's data version says another connection committed since the last call (the queries
 * of an unchanged store are skipped: a refresh then costs one pragma and one small file read),
 * and then reads only the calcs that changed, to keep its tally (calc-tally.ts) of counts per
 * status and executor — the whole store is read once, by the first snapshot.
 */
export class CampaignMonitor {
  private version = 0;
  private lastDataVersion: number | undefined;
  private cached:
    Pick<MonitorSnapshot, 'counts' | 'executors' | 'completions' | 'batches'> | undefined;
  private cachedMinute = '';
  private readonly tally: CalcTally;

  private constructor(private readonly campaign: Campaign) {
    this.tally = new CalcTally((keys) => campaign.browse.searchWords(keys));
  }

  /** Opens the campaign at `root` read-only (its store must exist). */
  static open(root: string): CampaignMonitor {
    return new CampaignMonitor(openCampaign(root, { readonly: true }));
  }

  get root(): string {
    return this.campaign.paths.root;
  }

  get logsDir(): string {
    return this.campaign.paths.logs;
  }

  snapshot(now: Date = new Date()): MonitorSnapshot {
    const { browse, paths, settings } = this.campaign;
    const dataVersion = browse.dataVersion();
    // The sparkline moves with the clock too: recount when the minute turns.
    const minute = now.toISOString().slice(0, 16);
    if (
      this.cached === undefined ||
      dataVersion !== this.lastDataVersion ||
      minute !== this.cachedMinute
    ) {
      if (dataVersion !== this.lastDataVersion || this.cached === undefined)
        this.tally.apply(browse.calcStatesSince(this.tally.since()));
      this.cached = {
        counts: this.tally.counts(),
        executors: this.tally.executors(),
        completions: browse.completionsPerMinute(now, SPARK_MINUTES),
        batches: browse.batches(),
      };
      this.lastDataVersion = dataVersion;
      this.cachedMinute = minute;
      this.version += 1;
    }
    const holder = lockHolderAlive(paths.lock);
    return {
      at: now.toISOString(),
      root: paths.root,
      runner: { alive: holder !== undefined, pid: holder?.pid ?? null },
      stopRequested: isStopRequested(paths.stop),
      run: readStatusFile(paths.status),
      ...this.cached,
      hosts: Object.values(settings.hosts),
      storeVersion: this.version,
    };
  }

  /**
   * One page of calcs. The total comes from the tally of the last snapshot when no text
   * filters; a text filter is matched against the tally's words (memory), the store then
   * reading only the calcs that match.
   */
  calcPage(query: CalcQuery): CalcPage {
    const { browse } = this.campaign;
    if (this.cached === undefined) this.snapshot();
    const text = query.text
      .trim()
      .toLowerCase()
      .replace(/[\t\n]/g, ' ');
    const selection = {
      statuses: query.statuses,
      keys: text === '' ? null : this.tally.matching(text),
      sort: query.sort,
      offset: query.offset,
      limit: query.limit,
    };
    const counts = this.tally.counts();
    const total =
      selection.keys !== null
        ? browse.count(selection)
        : query.statuses.length === 0
          ? Object.values(counts).reduce((a, b) => a + b, 0)
          : query.statuses.reduce((n, s) => n + counts[s], 0);
    return { rows: browse.page(selection), total };
  }

  calcDetail(key: string, tailLines = 20): CalcDetail | undefined {
    const calc = this.campaign.calcs.get(key);
    if (calc === undefined) return undefined;
    const attempts = this.campaign.calcs.attempts(key);
    // Remote executors bring stdout and stderr back into the local calc directory.
    const workdir = calcWorkdir(this.campaign.paths, key);
    const tail = (name: string): string =>
      existsSync(join(workdir, name)) ? tailOfFile(join(workdir, name), tailLines) : '';
    return { calc, attempts, stdoutTail: tail('stdout'), stderrTail: tail('stderr') };
  }

  batchItems(batchId: string): ItemView[] {
    return this.campaign.browse.batchItems(batchId);
  }

  close(): void {
    this.campaign.close();
  }
}
