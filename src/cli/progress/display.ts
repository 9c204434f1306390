import type { RunObserver } from '../../runtime/run-observer.js';
import { LOG_LEVELS, type LogLevel } from '../../runtime/settings.js';

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
  /**
   * What is shown (runtime/settings.ts LogLevel): `debug` also calcs started, `info` (default)
   * calcs ended and notices, `warn` only failures and the run's changes of state.
   */
  readonly level?: LogLevel;
}

/** Whether a line of `level` is shown at the display's level. */
export function shows(options: DisplayOptions, level: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(options.level ?? 'info');
}
