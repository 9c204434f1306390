import type { RunState } from '../../core/run-state.js';
import type { Failure } from '../../core/failure.js';
import type { Executor } from '../../executors/executor.js';
import { nowIso } from '../../store/calc-store.js';
import { RollingEta } from '../control/rolling-eta.js';
import {
  writeStatusFile,
  type ItemTotals,
  type Relaunch,
  type RunTotals,
  type StatusSnapshot,
} from '../control/status-file.js';
import type { RunObserver } from '../run-observer.js';

/** What the runner tells the reporter about itself when a snapshot is taken. */
export interface RunView {
  readonly state: RunState;
  readonly message: string | null;
  readonly totals: RunTotals;
  readonly current: StatusSnapshot['current'];
  readonly items: Readonly<Record<string, ItemTotals>> | undefined;
}

/** Who the run is, for every snapshot. */
export interface RunIdentity {
  readonly runId: string;
  readonly command: readonly string[];
  readonly executor: Executor;
  readonly workers: number;
  readonly relaunch?: Relaunch;
}

/** Minimum time between two writes of status.json, ms. */
const STATUS_INTERVAL_MS = 100;
/** Failures kept in `recent_failures`. */
const RECENT_FAILURES = 10;

/**
 * Writes the run's status.json (control/status-file.ts) and hands each snapshot to the
 * observer. Keeps what only the status shows: the rolling ETA over the last 10 calcs and the
 * recent failures. A write that fails (a full disk) goes to `onError`, never to the caller.
 */
export class StatusReporter {
  private readonly eta = new RollingEta(10);
  private readonly failures: StatusSnapshot['recent_failures'][number][] = [];
  private readonly startedAt = nowIso();
  private timer: NodeJS.Timeout | undefined;
  private writtenAt = 0;
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly identity: RunIdentity,
    private readonly view: () => RunView,
    private readonly observer: RunObserver | undefined,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** A calc this run ran ended after `durationS`: it feeds the ETA. */
  calcEnded(durationS: number): void {
    this.eta.add(durationS);
  }

  /** A calc's failure, shown first in `recent_failures`. */
  failed(calc: { key: string; label: string | null; program: string }, failure: Failure): void {
    this.failures.unshift({
      ...calc,
      class: failure.class,
      message: failure.message,
      at: nowIso(),
    });
    this.failures.length = Math.min(this.failures.length, RECENT_FAILURES);
  }

  /**
   * Writes soon: at most one write every STATUS_INTERVAL_MS, the last change always written.
   * Writing after every single change cost 0.5 ms per calc in bench/overhead (a third of the
   * budget) for updates nobody can read that fast.
   */
  schedule(): void {
    if (this.timer !== undefined || this.closed) return;
    const wait = Math.max(0, this.writtenAt + STATUS_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.closed) this.write();
    }, wait);
  }

  /** Writes now. */
  write(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.writtenAt = Date.now();
    const snapshot = this.snapshot();
    try {
      writeStatusFile(this.path, snapshot);
    } catch (error) {
      this.onError(error);
    }
    this.observer?.status?.(snapshot);
  }

  /** Writes the last status (unless `skipWrite`), and no more after it. */
  close(options: { skipWrite?: boolean } = {}): void {
    if (options.skipWrite !== true) this.write();
    else if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.closed = true;
  }

  private snapshot(): StatusSnapshot {
    const { runId, command, executor, workers, relaunch } = this.identity;
    const view = this.view();
    const etaS = this.eta.etaS(view.totals.queued + view.totals.running, workers);
    return {
      run_id: runId,
      pid: process.pid,
      command: command.join(' '),
      executor: executor.name,
      workers,
      state: view.state,
      started_at: this.startedAt,
      updated_at: nowIso(),
      totals: view.totals,
      current: view.current,
      recent_failures: this.failures,
      rolling_avg_s: this.eta.averageS(),
      eta_s: etaS,
      eta_at: etaS === null ? null : new Date(Date.now() + etaS * 1000).toISOString(),
      message: view.message,
      ...(view.items === undefined ? {} : { items: view.items }),
      ...(relaunch === undefined ? {} : { relaunch }),
      ...(executor.jobs === undefined ? {} : { scheduler_jobs: executor.jobs() }),
    };
  }
}
