import type { TransitionTable } from './transitions.js';

/**
 * The user-facing status of one work item of any pipeline (a molecule of a dataset, a cell of a
 * benchmark matrix, a workflow step …), as in the tracking exports:
 *
 * ```
 *  Pending ──select──► To run ──► Running ──► OK
 *     ▲                  ▲  │        │  ├──► Rerun ──select──► To run
 *     │                  │  │        │  └──► Skip
 *     │                  └──┼── interrupted (stop, crash)
 *     └── reset ────────────┘ (batch reset; OK → Pending under all_or_nothing)
 *  Pending ──► Skip   (its input, checked again later, is invalid)
 *  OK, Skip ──► Pending   (requeued by the user: `retort batch requeue`, the TUI)
 * ```
 *
 * - `Pending`: added, never selected (or reset).
 * - `To run`: selected into a batch, not started.
 * - `Running`: its pipeline is under way.
 * - `OK`: the pipeline produced its result.
 * - `Rerun`: failed; retry_count < max_retries, so a later batch takes it again (first, with
 *   `rerun_first_then_easy`).
 * - `Skip`: retries exhausted, or invalid input found when it was added; only the user takes
 *   it back (requeue).
 */
export const ItemStatus = {
  Pending: 'Pending',
  ToRun: 'To run',
  Running: 'Running',
  OK: 'OK',
  Rerun: 'Rerun',
  Skip: 'Skip',
} as const;

export type ItemStatus = (typeof ItemStatus)[keyof typeof ItemStatus];

export const ITEM_TRANSITIONS: TransitionTable<ItemStatus> = {
  Pending: ['To run', 'Skip'],
  'To run': ['Running', 'Pending'],
  Running: ['OK', 'Rerun', 'Skip', 'To run'],
  OK: ['Pending'],
  Rerun: ['To run'],
  Skip: ['Pending'],
};

export const ITEM_STATUSES: readonly ItemStatus[] = Object.values(ItemStatus);

/** The statuses a new batch selects from. */
export const SELECTABLE_STATUSES = ['Pending', 'Rerun'] as const satisfies readonly ItemStatus[];
export type SelectableStatus = (typeof SELECTABLE_STATUSES)[number];

/** Why an item is `Skip`. */
export const SkipReason = {
  /** The item's input cannot be run (a SMILES RDKit cannot read). */
  INVALID_SMILES: 'INVALID_SMILES',
  /** The item's stated input contradicts itself (a charge its SMILES does not have). */
  INVALID_INPUT: 'INVALID_INPUT',
  RETRIES_EXHAUSTED: 'RETRIES_EXHAUSTED',
} as const;

export type SkipReason = (typeof SkipReason)[keyof typeof SkipReason];
