import type { CalcSpec, JsonValue } from '../core/calc-spec.js';
import type { Failure } from '../core/failure.js';
import type { RunState } from '../core/run-state.js';
import type { RunTotals } from './control/status-file.js';

/*
 * The contract between pipelines and the runtime: how a pipeline asks for a calc's outcome and
 * what it gets back. Whether the outcome comes from the store, this machine, an ssh host or a
 * cluster is the runtime's business. Pipelines import this file only, never the runner itself.
 */

/**
 * How a requested calc ended for the one who asked:
 * - `succeeded`: with its result, `cached` when it came from the store without running;
 * - `failed`: with its classified failure, `cached` when it had failed in an earlier run and
 *   was not queued again (a failure that repeating cannot fix);
 * - `not_run`: the run stopped, paused or failed before it could run; it stays queued for the
 *   next run.
 *
 * `key` is the calc key, from which the calc's directory follows (core/campaign-layout.ts
 * `calcWorkdir`).
 */
export type CalcResolution =
  | {
      readonly status: 'succeeded';
      readonly key: string;
      readonly cached: boolean;
      readonly result: Readonly<Record<string, JsonValue>>;
      readonly programVersion: string | null;
      /** Wall seconds of the attempt that computed the result, when the store knows them. */
      readonly durationS?: number;
    }
  | {
      readonly status: 'failed';
      readonly key: string;
      readonly cached: boolean;
      readonly failure: Failure;
    }
  | { readonly status: 'not_run'; readonly key: string; readonly reason: string };

/**
 * How a request is scheduled; none of it changes the calc or its key.
 * - `priority`: higher starts first, before any calc of lower priority that has not started
 *   (default 0); within one priority the runner starts the longest predicted calc first.
 */
export interface RequestOptions {
  readonly priority?: number;
}

/**
 * Asks for a calc's outcome. Throws an InputError (before recording anything) when the spec
 * cannot be run: an unknown program, or a spec its engine refuses.
 */
export type RequestCalc = (spec: CalcSpec, options?: RequestOptions) => Promise<CalcResolution>;

/**
 * What a pipeline that drives many items sees of the run: requests grouped by `item` (the
 * failure threshold counts distinct items; default the calc key), the run's state (a pipeline
 * starts no new item once it is not `running`), and `pause` for pipelines that count failures
 * their own way (running calcs finish, nothing new starts, the run ends `paused`), and
 * `workLeft` for a pipeline that stopped starting items it still had: a stopped run whose
 * requested calcs all ended would otherwise end `complete` (the runner sees only what was asked).
 */
export interface CalcRunner {
  request(spec: CalcSpec, item?: string, options?: RequestOptions): Promise<CalcResolution>;
  readonly currentState: RunState;
  pause(message: string): void;
  /** Items were left unstarted because the run stopped: it ends `stopped`, not `complete`. */
  workLeft(): void;
}

/** What a run did, when it ends. `message` says why it paused, stopped or failed. */
export interface RunSummary {
  readonly runId: string;
  readonly state: RunState;
  readonly message: string | null;
  readonly totals: RunTotals;
}
