import type { TransitionTable } from './transitions.js';

/**
 * The life of one attempt at a calc (one process, one SLURM job). A calc has one attempt per
 * time it was handed to an executor; the calc's own status follows its latest attempt.
 *
 * - `submitted` → `running` → `succeeded` | `failed`: as for the calc.
 * - `returned`: the attempt was given back without an outcome (a second SIGINT killed it, or it
 *   provably never started). It does not count against retries.
 */
export const AttemptStatus = {
  submitted: 'submitted',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  returned: 'returned',
} as const;

export type AttemptStatus = (typeof AttemptStatus)[keyof typeof AttemptStatus];

export const ATTEMPT_TRANSITIONS: TransitionTable<AttemptStatus> = {
  submitted: ['running', 'failed', 'returned'],
  running: ['succeeded', 'failed', 'returned'],
  succeeded: [],
  failed: [],
  returned: [],
};
