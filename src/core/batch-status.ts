import type { TransitionTable } from './transitions.js';

/**
 * A batch of work items of one pipeline, selected and run together.
 *
 * - `Running`: being run, or its runner died (then `retort batch resume` takes it over; no new
 *   batch of that pipeline starts meanwhile).
 * - `Stopped`: stopped on request before every item ran; resumable.
 * - `Completed`: every item ran (OK, Rerun or Skip).
 * - `Reset`: the all_or_nothing reset was applied: its OK items went back to Pending.
 */
export const BatchStatus = {
  Running: 'Running',
  Stopped: 'Stopped',
  Completed: 'Completed',
  Reset: 'Reset',
} as const;

export type BatchStatus = (typeof BatchStatus)[keyof typeof BatchStatus];

export const BATCH_TRANSITIONS: TransitionTable<BatchStatus> = {
  Running: ['Completed', 'Stopped', 'Running'],
  Stopped: ['Running', 'Reset'],
  Completed: ['Reset'],
  Reset: [],
};

/** How items are chosen for a batch; implemented in runtime/scheduling/strategies.ts. */
export const STRATEGIES = [
  'rerun_first_then_easy',
  'random',
  'by_nheavy',
  'by_nrotbonds',
  'longest_first',
] as const;
export type Strategy = (typeof STRATEGIES)[number];

/**
 * What a failure in a batch does to the rest: `partial_ok` keeps every OK item;
 * `all_or_nothing` sends the batch's OK items back to Pending if any item failed.
 */
export const POLICIES = ['partial_ok', 'all_or_nothing'] as const;
export type Policy = (typeof POLICIES)[number];
