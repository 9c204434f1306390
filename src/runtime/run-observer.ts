import type { Failure } from '../core/failure.js';
import type { RunState } from '../core/run-state.js';
import type { StatusSnapshot } from './control/status-file.js';

/** One calc reaching an outcome in a run, as progress displays see it. */
export interface CalcEvent {
  readonly key: string;
  readonly label: string | null;
  readonly program: string;
  readonly outcome: 'succeeded' | 'failed' | 'cached' | 'cached_failure';
  readonly failure?: Failure;
  /** Wall time of the attempt in seconds (0 for cached). */
  readonly durationS: number;
  /** How many of the run's calcs have an outcome now, and how many there are. */
  readonly done: number;
  readonly total: number;
}

/**
 * What a runner tells whoever displays it (a progress bar, a log, a TUI). Every method is
 * optional and must not throw; the runner never waits for an observer.
 */
export interface RunObserver {
  /** A calc was handed to the executor. */
  calcStarted?(calc: Pick<CalcEvent, 'key' | 'label' | 'program'>): void;
  calcFinished?(event: CalcEvent): void;
  stateChanged?(state: RunState, message: string | null): void;
  /** A note for the user that is not an error (a stale lock taken over, a calc re-adopted). */
  notice?(message: string): void;
  /** The status as just written to status.json. */
  status?(snapshot: StatusSnapshot): void;
}
