import type { TransitionTable } from './transitions.js';

/**
 * The state of one runner process (one `retort run`, `retort calc`, …), as written to
 * `status.json` and the `runs` table.
 *
 * - `running`: dispatching calcs.
 * - `stopping`: a STOP file, `retort stop` or the first SIGINT/SIGTERM: running calcs finish,
 *   nothing new starts.
 * - `paused`: the failure threshold was reached: running calcs finish, nothing new starts; the
 *   run ends in `paused` so the user looks before going on.
 * - `stopped`: ended early on request; unstarted calcs stay queued for the next run.
 * - `complete`: every requested calc has an outcome (succeeded or failed).
 * - `failed`: the runner itself hit an error it could not handle.
 */
export const RunState = {
  running: 'running',
  stopping: 'stopping',
  paused: 'paused',
  stopped: 'stopped',
  complete: 'complete',
  failed: 'failed',
} as const;

export type RunState = (typeof RunState)[keyof typeof RunState];

export const RUN_TRANSITIONS: TransitionTable<RunState> = {
  running: ['stopping', 'paused', 'complete', 'stopped', 'failed'],
  stopping: ['stopped', 'complete', 'failed'],
  paused: ['stopping', 'failed'],
  stopped: [],
  complete: [],
  failed: [],
};

/**
 * A run ends in `complete`, `stopped`, `failed`, or `paused` (the threshold tripped and the
 * running calcs finished); the runs table marks the end with `ended_at`.
 */
export const END_STATES: readonly RunState[] = ['complete', 'stopped', 'failed', 'paused'];
