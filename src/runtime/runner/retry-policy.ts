import type { CalcSpec } from '../../core/calc-spec.js';
import { FailureClass, type Failure } from '../../core/failure.js';
import type { Attempt, Calc } from '../../store/calc-store.js';

/**
 * When a failed calc runs again.
 *
 * - Within a run: a failure that repeating can fix (killed, lost, cancelled) is retried up to
 *   `retries` times, while the run is still running.
 * - Across runs: a calc that failed in an earlier run is queued again always with
 *   `retryFailed`; otherwise when repeating it can help — a retryable failure, or a timeout now
 *   asked for with more walltime than its last attempt had.
 */
export class RetryPolicy {
  constructor(
    readonly retries: number,
    private readonly retryFailed: boolean,
  ) {}

  /** Whether a calc that just failed, with `retriesLeft`, is retried in this run. */
  retryNow(failure: Failure, retriesLeft: number): boolean {
    return FailureClass[failure.class].retryable && retriesLeft > 0;
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
