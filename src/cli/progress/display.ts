import type { RunObserver } from '../../runtime/run-observer.js';

/**
 * What a command shows while it runs: the runner's events (a RunObserver), plus `print` for
 * lines a pipeline reports itself (`[3/50] MOL00042 OK HOF -56.78 kcal/mol`), and `close`.
 * `calcLines: false` leaves out the per-calc lines, for pipelines that report per item.
 */
export interface Display extends RunObserver {
  notice(message: string): void;
  print(line: string): void;
  /**
   * A pipeline's own progress (molecules rather than calcs): once given, the bar counts these
   * and no longer the runner's calcs. Headless displays ignore it (they print lines).
   */
  items(progress: ItemProgress): void;
  close(): void;
}

/** Counts of a pipeline's items, for the bar. */
export interface ItemProgress {
  readonly noun: string;
  readonly total: number;
  readonly done: number;
  readonly ok: number;
  readonly failed: number;
  readonly running: number;
  readonly eta_s: number | null;
}

export interface DisplayOptions {
  readonly calcLines: boolean;
}
