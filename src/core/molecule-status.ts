import type { TransitionTable } from './transitions.js';

/**
 * The user-facing status of one molecule of a dataset (an item of the PM7 pipeline), as in
 * the tracking CSV:
 *
 * ```
 *  Pending ──select──► To run ──► Running ──► OK
 *     ▲                  ▲  │        │  ├──► Rerun ──select──► To run
 *     │                  │  │        │  └──► Skip (terminal)
 *     │                  └──┼── interrupted (stop, crash)
 *     └── reset ────────────┘ (batch reset; OK → Pending under all_or_nothing)
 * ```
 *
 * - `Pending`: imported, never selected (or reset).
 * - `To run`: selected into a batch, not started.
 * - `Running`: its pipeline is under way.
 * - `OK`: at least one conformer has a PM7 heat of formation.
 * - `Rerun`: failed; retry_count + 1 < max_retries, so a later batch takes it again (first,
 *   with `rerun_first_then_easy`).
 * - `Skip`: terminal: retries exhausted, or invalid input (INVALID_SMILES) from the import.
 */
export const MoleculeStatus = {
  Pending: 'Pending',
  ToRun: 'To run',
  Running: 'Running',
  OK: 'OK',
  Rerun: 'Rerun',
  Skip: 'Skip',
} as const;

export type MoleculeStatus = (typeof MoleculeStatus)[keyof typeof MoleculeStatus];

export const MOLECULE_TRANSITIONS: TransitionTable<MoleculeStatus> = {
  Pending: ['To run'],
  'To run': ['Running', 'Pending'],
  Running: ['OK', 'Rerun', 'Skip', 'To run'],
  OK: ['Pending'],
  Rerun: ['To run'],
  Skip: [],
};

export const MOLECULE_STATUSES: readonly MoleculeStatus[] = Object.values(MoleculeStatus);

/** Why a molecule is `Skip`. */
export const SkipReason = {
  INVALID_SMILES: 'INVALID_SMILES',
  RETRIES_EXHAUSTED: 'RETRIES_EXHAUSTED',
} as const;

export type SkipReason = (typeof SkipReason)[keyof typeof SkipReason];
