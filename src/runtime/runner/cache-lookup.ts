import { keyedSpec } from '../../core/calc-key.js';
import type { CalcSpec } from '../../core/calc-spec.js';
import type { Failure } from '../../core/failure.js';
import type { Engine } from '../../engines/engine.js';
import type { Calc, CalcStore } from '../../store/calc-store.js';
import type { CalcResolution } from '../calc-request.js';
import type { RetryPolicy } from './retry-policy.js';
import type { RunTally } from './run-tally.js';

/**
 * What the store says of a requested calc:
 * - `answered`: it has an outcome (a success, or a failure the retry policy does not queue
 *   again); `counted` says it was counted in the run's tally just now (first asked for), with
 *   the `event` the observer is told;
 * - `queued`: it is to run (new, queued again, or left queued by an earlier run), not before
 *   `retryNotBefore` when it waits for a retry's backoff;
 * - `in_flight`: an earlier run left it submitted or running and this run did not re-adopt it
 *   (another executor's, or one that could not answer): it is never submitted twice.
 */
export type Lookup =
  | {
      readonly kind: 'answered';
      readonly resolution: CalcResolution;
      readonly event:
        | {
            readonly calc: Calc;
            readonly outcome: 'cached' | 'cached_failure';
            readonly failure?: Failure;
          }
        | undefined;
    }
  | { readonly kind: 'queued'; readonly retryNotBefore: string | null }
  | { readonly kind: 'in_flight'; readonly status: Calc['status'] };

/**
 * The cache lookup of the request path: records that the calc is wanted and answers from the
 * store when it can. A calc that already succeeded in this run is answered as it is and not
 * counted again; one that failed goes through the retry policy again (it may now be asked for
 * with more walltime).
 */
export function lookUpCalc(
  calcs: CalcStore,
  tally: RunTally,
  policy: RetryPolicy,
  request: { readonly spec: CalcSpec; readonly engine: Engine; readonly key: string },
): Lookup {
  const { spec, engine, key } = request;
  const before = tally.outcome(key);
  const seen = before === 'cached' || before === 'succeeded' ? calcs.get(key) : undefined;
  const calc =
    seen ??
    calcs.want(
      {
        key,
        program: spec.program,
        task: spec.task,
        adapterVersion: engine.adapterVersion,
        spec: keyedSpec(spec),
        label: spec.label,
      },
      (failed) => policy.requeueFromEarlierRun(failed, spec, calcs.latestAttempt(key)),
    );
  const first = before === undefined;
  if (calc.status === 'succeeded' && calc.result !== null) {
    if (first) tally.record(key, 'cached');
    const durationS = calcs.latestAttempt(key)?.durationS ?? null;
    return {
      kind: 'answered',
      resolution: {
        status: 'succeeded',
        key,
        // Run (or re-adopted) by this run: not from the store as far as the caller goes.
        cached: before !== 'succeeded',
        result: calc.result,
        programVersion: calc.programVersion,
        ...(durationS === null ? {} : { durationS }),
      },
      event: first ? { calc, outcome: 'cached' } : undefined,
    };
  }
  if (calc.status === 'failed' && calc.failure !== null) {
    if (first) tally.record(key, 'failed_earlier');
    return {
      kind: 'answered',
      resolution: { status: 'failed', key, cached: true, failure: calc.failure },
      event: first ? { calc, outcome: 'cached_failure', failure: calc.failure } : undefined,
    };
  }
  if (calc.status === 'queued') return { kind: 'queued', retryNotBefore: calc.retryNotBefore };
  return { kind: 'in_flight', status: calc.status };
}
