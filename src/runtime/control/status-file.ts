import { readFileSync } from 'node:fs';
import type { SchedulerJob } from '../../executors/executor.js';
import type { RunState } from '../../core/run-state.js';
import { writeFileAtomic } from '../atomic-write.js';

/**
 * `status.json`: the live state of the campaign's current (or last) run, rewritten atomically
 * after every change so that `retort status`, a TUI or a script can read it at any moment.
 *
 * - `run_id`, `pid`, `command`, `executor`, `workers`: who is running what.
 * - `state`: core/run-state.ts (running, stopping, paused, stopped, complete, failed).
 * - `started_at`, `updated_at`: ISO 8601 UTC.
 * - `totals`: over the calcs this run was asked for or re-adopted, each key counted once (see
 *   {@link RunTotals}).
 * - `current`: calcs running now (key, label, program, started_at).
 * - `recent_failures`: the last 10 failures of this run, newest first, with their messages.
 * - `rolling_avg_s`: mean wall time of the last 10 calcs this run finished (null before one).
 * - `eta_s`, `eta_at`: estimated seconds (and moment) until every queued and running calc is
 *   done at the current worker count, from `rolling_avg_s` (null while unknown).
 * - `message`: why the run paused, stopped or failed, when it did.
 * - `items`: a pipeline's own units of work counted beside the calcs, by name (a workflow run:
 *   `instances` and `steps`, see {@link ItemTotals}); absent for runs of plain calcs.
 * - `relaunch`: how to start the same command again (its directory and arguments after
 *   `retort`), so that a live view can resume the run in a new process; absent in status files
 *   of older versions.
 */
export interface StatusSnapshot {
  readonly run_id: string;
  readonly pid: number;
  readonly command: string;
  readonly executor: string;
  readonly workers: number;
  readonly state: RunState;
  readonly started_at: string;
  readonly updated_at: string;
  readonly totals: RunTotals;
  readonly current: readonly {
    readonly key: string;
    readonly label: string | null;
    readonly program: string;
    readonly started_at: string;
  }[];
  readonly recent_failures: readonly {
    readonly key: string;
    readonly label: string | null;
    readonly program: string;
    readonly class: string;
    readonly message: string;
    readonly at: string;
  }[];
  readonly rolling_avg_s: number | null;
  readonly eta_s: number | null;
  readonly eta_at: string | null;
  readonly message: string | null;
  readonly items?: Readonly<Record<string, ItemTotals>>;
  readonly relaunch?: Relaunch;
  /** The scheduler jobs holding the run's calcs (SLURM), as the executor last saw them. */
  readonly scheduler_jobs?: readonly SchedulerJob[];
}

/** A command line to run again: `retort ...argv` in `cwd`. */
export interface Relaunch {
  readonly cwd: string;
  readonly argv: readonly string[];
}

/**
 * A run's calcs, each distinct calc key counted once whatever asked for it how often:
 * - `total`: calcs asked for in this run, plus those re-adopted from an earlier run;
 * - `cached`: answered from the store with a success, without running;
 * - `succeeded`: run (or re-adopted) by this run and succeeded;
 * - `failed`: failed in this run, or failed in an earlier run and not queued again
 *   (`failed_earlier` of them);
 * - `completed` = cached + succeeded + failed; `running`; `queued` (not started yet, or left
 *   for the next run).
 */
export interface RunTotals {
  readonly total: number;
  readonly completed: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly failed_earlier: number;
  readonly cached: number;
  readonly running: number;
  readonly queued: number;
}

/**
 * A pipeline's units of work (a workflow's instances or steps), each counted once:
 * `total` = `done` + `running` + `pending`, `done` = `succeeded` + `failed` + `skipped`.
 * What `skipped` means is the pipeline's (a workflow instance that finished with a step whose
 * `when:` was false); `pending` ones have not started, or were left for the next run.
 */
export interface ItemTotals {
  readonly total: number;
  readonly done: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly skipped: number;
  readonly running: number;
  readonly pending: number;
}

export function writeStatusFile(path: string, snapshot: StatusSnapshot): void {
  writeFileAtomic(path, `${JSON.stringify(snapshot, null, 2)}\n`);
}

/** The last status written, or undefined when there is none (or it cannot be read). */
export function readStatusFile(path: string): StatusSnapshot | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as StatusSnapshot;
  } catch {
    return undefined;
  }
}
