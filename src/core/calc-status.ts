import type { TransitionTable } from './transitions.js';

/**
 * The life of a calc in the store.
 *
 * ```
 *  queued ──► submitted ──► running ──► succeeded
 *    ▲            │            │
 *    │            ▼            ▼
 *    └──────── (returned) ◄── failed      queued ──(cancel)──► failed
 * ```
 *
 * - `queued`: wanted, not yet handed to an executor.
 * - `submitted`: the intent is committed; the executor is starting it (process spawn, sbatch).
 *   A crash here leaves a calc that may or may not have started: the runner re-adopts it.
 * - `running`: the executor confirmed the start and gave a handle (pid, job id).
 * - `succeeded`: finished with a parsed result. Terminal: a succeeded key is never run again.
 * - `failed`: finished with a classified failure. A later run may queue it again (retry).
 *   A queued calc the user cancels (`retort cancel`) goes straight to `failed`, class
 *   `cancelled`, without an attempt.
 *
 * `submitted|running → queued` is the "returned" edge: a second SIGINT killed it, or a
 * restarted runner found it never started. It does not count as a failed attempt.
 */
export const CalcStatus = {
  queued: 'queued',
  submitted: 'submitted',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
} as const;

export type CalcStatus = (typeof CalcStatus)[keyof typeof CalcStatus];

export const CALC_TRANSITIONS: TransitionTable<CalcStatus> = {
  queued: ['submitted', 'failed'],
  submitted: ['running', 'failed', 'queued'],
  running: ['succeeded', 'failed', 'queued'],
  succeeded: [],
  failed: ['queued'],
};

/** Statuses in which a process or job may exist somewhere for the calc. */
export const IN_FLIGHT: readonly CalcStatus[] = ['submitted', 'running'];

export function isCalcStatus(value: string): value is CalcStatus {
  return Object.hasOwn(CalcStatus, value);
}
