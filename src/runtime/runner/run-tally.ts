import type { RunTotals } from '../control/status-file.js';

/** How one calc of a run ended, as counted in the run's totals. */
export type Tally = 'cached' | 'succeeded' | 'failed' | 'failed_earlier';

/**
 * A run's counts, one per distinct calc key: a calc asked for twice, or re-adopted from an
 * earlier run and then asked for again, is counted once, with the last outcome it reached in
 * this run. (Counting per request made re-adopted calcs count as run and as cached.)
 */
export class RunTally {
  private readonly requested = new Set<string>();
  private readonly outcomes = new Map<string, Tally>();
  private readonly unrun = new Set<string>();

  /** A calc this run is responsible for: asked for, or re-adopted. */
  add(key: string): void {
    this.requested.add(key);
  }

  /**
   * Records the calc's outcome. A success is final; a failure gives way to the outcome of a
   * later attempt (a timed-out calc asked for again with more walltime).
   */
  record(key: string, tally: Tally): void {
    this.requested.add(key);
    const before = this.outcomes.get(key);
    if (before !== 'cached' && before !== 'succeeded') this.outcomes.set(key, tally);
  }

  /** The outcome the calc reached in this run, if any. */
  outcome(key: string): Tally | undefined {
    return this.outcomes.get(key);
  }

  /** A calc left queued for the next run because the run stopped, paused or failed. */
  leftUnrun(key: string): void {
    this.unrun.add(key);
  }

  /** Whether some calc was left for the next run (the run then ends `stopped`). */
  get anyUnrun(): boolean {
    return this.unrun.size > 0;
  }

  /** Calcs with an outcome now, and how many there are. */
  progress(): { readonly done: number; readonly total: number } {
    return { done: this.outcomes.size, total: this.requested.size };
  }

  totals(running: number): RunTotals {
    const by: Record<Tally, number> = { cached: 0, succeeded: 0, failed: 0, failed_earlier: 0 };
    for (const tally of this.outcomes.values()) by[tally]++;
    const total = this.requested.size;
    const completed = this.outcomes.size;
    return {
      total,
      completed,
      succeeded: by.succeeded,
      failed: by.failed + by.failed_earlier,
      failed_earlier: by.failed_earlier,
      cached: by.cached,
      running,
      queued: Math.max(0, total - completed - running),
    };
  }
}
