import type { RunObserver } from '../../runtime/run-observer.js';

/**
 * What a command shows while it runs: the runner's events (a RunObserver), plus `print` for
 * lines a pipeline reports itself (`[3/50] MOL00042 OK HOF -56.78 kcal/mol`), and `close`.
 * `calcLines: false` leaves out the per-calc lines, for pipelines that report per item.
 */
export interface Display extends RunObserver {
  notice(message: string): void;
  print(line: string): void;
  close(): void;
}

export interface DisplayOptions {
  readonly calcLines: boolean;
}
