import type { CalcSpec } from '../../core/calc-spec.js';
import { FailureClass, type Failure } from '../../core/failure.js';
import type { Attempt, Calc } from '../../store/calc-store.js';

/**
 * How long a calc waits before an automatic retry (retort.yaml `control:`): the n-th retry of a
 * calc within a run waits `base_s · 2^(n−1)`, at most `max_s`, then stretched or shortened at
 * random by up to `jitter` of itself (0.2: ±20 %), so that calcs that failed together (a node
 * that died) do not all come back in the same second.
 */
export interface RetryBackoff {
  readonly base_s: number;
  readonly max_s: number;
  /** A fraction, 0 … 0.9. */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: RetryBackoff = { base_s: 10, max_s: 600, jitter: 0.2 };

/**
 * When a failed calc runs again.
 *
 * - Within a run: a failure that repeating can fix (killed, lost) is retried up to
 *   `retries` times, while the run is still running, after the backoff ({@link RetryBackoff}).
 * - Across runs: a calc that failed in an earlier run is queued again always with
 *   `retryFailed`; otherwise when repeating it can help — a retryable failure, or a timeout now
 *   asked for with more walltime than its last attempt had.
 */
export class RetryPolicy {
  constructor(
    readonly retries: number,
    private readonly retryFailed: boolean,
    private readonly backoff: RetryBackoff = DEFAULT_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {}

  /** Whether a calc that just failed, with `retriesLeft`, is retried in this run. */
  retryNow(failure: Failure, retriesLeft: number): boolean {
    return FailureClass[failure.class].retryable && retriesLeft > 0;
  }

  /** Seconds to wait before the `n`-th retry (n ≥ 1) of a calc. */
  delayS(n: number): number {
    const { base_s, max_s, jitter } = this.backoff;
    const plain = Math.min(max_s, base_s * 2 ** Math.max(0, n - 1));
    return plain * (1 + jitter * (2 * this.random() - 1));
  }

  /** Whether a calc that failed in an earlier run (`last`: its latest attempt) runs again. */
  requeueFromEarlierRun(failed: Calc, spec: CalcSpec, last: Attempt | undefined): boolean {
    if (this.retryFailed) return true;
    if (failed.failure === null) return false;
    const cls = FailureClass[failed.failure.class];
    if (cls.retryable) return true;
    if (!cls.retryableWithMoreTime) return false;
    return spec.resources.walltime_s > (last?.resources.walltime_s ?? 0);
  }
}
