import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { errorMessage } from '../core/errors.js';
import { LOG_LEVELS, type LogLevel } from './settings.js';

/**
 * `logs/<run id>.jsonl`: the structured log of one run, one JSON object per line, appended as
 * things happen (a line is complete once written: a killed runner leaves whole lines). Every
 * event has
 *
 *   time (ISO 8601 UTC), level (debug | info | warn | error), event, run_id
 *
 * and, by `event`:
 * - `run_started` (info): command (argv), executor, workers;
 * - `calc_queued` (debug): key, label, program, task, priority, predicted_s, not_before (an
 *   ISO time while it waits for a retry's backoff, else null);
 * - `calc_started` (info): key, label, program, task, executor, attempt, submitted_at,
 *   predicted_s — handed to the executor (for SLURM: in sbatch's queue);
 * - `calc_finished` (info): the same and duration_s (the program's wall time);
 * - `calc_failed` (warn): the same and failure_class, failure_message;
 * - `retry_scheduled` (warn): key, label, program, task, executor, attempt (the one that
 *   failed), failure_class, failure_message, retry (1 for the first), delay_s, not_before;
 * - `notice` (info): message (a stale lock taken over, a calc re-adopted …);
 * - `run_state` (warn; error for `failed`): state, message — paused, stopping, failed;
 * - `run_ended` (info; error for `failed`): state, message, totals (status-file.ts RunTotals).
 * `predicted_s` is the cost model's prediction (scheduling/learned-cost.ts). Events below
 * the run's `log_level` are not written.
 */
export class RunLog {
  private fd: number | undefined;
  private readonly threshold: number;

  constructor(
    readonly path: string,
    private readonly runId: string,
    level: LogLevel,
    private readonly broken: (line: string) => void = () => undefined,
  ) {
    this.threshold = LOG_LEVELS.indexOf(level);
    try {
      mkdirSync(dirname(path), { recursive: true });
      this.fd = openSync(path, 'a');
    } catch (error) {
      this.fail(error);
    }
  }

  /** Writes one event when `level` is at or above the run's log level. Never throws. */
  write(level: LogLevel, event: string, fields: Readonly<Record<string, unknown>>): void {
    if (this.fd === undefined || LOG_LEVELS.indexOf(level) < this.threshold) return;
    const line = JSON.stringify({
      time: new Date().toISOString(),
      level,
      event,
      run_id: this.runId,
      ...fields,
    });
    try {
      writeSync(this.fd, `${line}\n`);
    } catch (error) {
      this.fail(error);
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // Nothing more is written either way.
    }
    this.fd = undefined;
  }

  private fail(error: unknown): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // Already broken.
      }
    }
    this.fd = undefined;
    this.broken(
      `cannot write the structured log ${this.path} (${errorMessage(error)}); the run goes on without it`,
    );
  }
}
