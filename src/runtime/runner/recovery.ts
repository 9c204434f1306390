import type { CalcSpec } from '../../core/calc-spec.js';
import { getEngine } from '../../engines/registry.js';
import type { RunningJob } from '../../executors/executor.js';
import { nowIso, type Attempt, type Calc } from '../../store/calc-store.js';
import type { RunStore } from '../../store/run-store.js';
import type { RunObserver } from '../run-observer.js';
import type { Active, AttemptContext, Pending } from './calc-attempt.js';

/**
 * Closes the records of runners that died. The caller holds the campaign's runner lock, so
 * every run without a recorded end was a runner that is gone.
 */
export function closeDeadRuns(runs: RunStore): void {
  for (const run of runs.unfinished()) {
    runs.end(run.id, 'failed', `runner pid ${run.pid} ended without recording its end`);
  }
}

/** A calc re-adopted from an earlier run, to be followed to its end. */
export interface Adopted {
  readonly active: Active;
  readonly running: RunningJob;
}

/** What recovery found. `unavailable`: the first error the executor's `adopt` threw. */
export interface Recovery {
  readonly adopted: readonly Adopted[];
  readonly unavailable: unknown;
}

/**
 * Re-adopts every calc an earlier runner left submitted or running on this run's executor.
 * A job that provably never started is returned to the queue; one the executor cannot answer
 * for (its `adopt` threw: the host is unreachable …) stays in flight, so that it is never
 * submitted twice, and is adopted by a later run.
 */
export async function readopt(
  ctx: AttemptContext,
  retries: number,
  observer: RunObserver | undefined,
): Promise<Recovery> {
  const { calcs, executor } = ctx;
  const adopted: Adopted[] = [];
  let unavailable: unknown = undefined;
  for (const calc of calcs.inFlight()) {
    const attempt = calcs.latestAttempt(calc.key);
    if (attempt === undefined) continue;
    if (attempt.executor !== executor.name) {
      observer?.notice?.(
        `calc ${calc.key.slice(0, 12)} is in flight on executor ${attempt.executor}; run with --executor ${attempt.executor} to re-adopt it`,
      );
      continue;
    }
    const engine = getEngine(calc.program);
    const spec = specOf(calc, attempt);
    const prepared = engine.prepare(spec);
    const execJob = {
      key: calc.key,
      attempt: attempt.attempt,
      workdir: attempt.workdir,
      job: ctx.programs.job(prepared),
    };
    let running: RunningJob | undefined;
    try {
      running = await executor.adopt(execJob, attempt.handle ?? undefined);
    } catch (error) {
      unavailable ??= error;
      continue;
    }
    if (running === undefined) {
      calcs.returned(
        calc.key,
        attempt.attempt,
        'never started: the runner ended before the job began',
      );
      continue;
    }
    if (calc.status === 'submitted')
      calcs.started(calc.key, attempt.attempt, running.handle, nowIso());
    const pending: Pending = {
      key: calc.key,
      spec,
      engine,
      job: prepared,
      item: calc.key,
      waiters: [],
      retriesLeft: retries,
      priority: 0,
      predictedS: attempt.predictedS ?? 0,
      notBefore: 0,
      seq: 0,
    };
    adopted.push({
      active: {
        pending,
        execJob,
        startedAt: attempt.startedAt ?? attempt.submittedAt,
        running,
        returnOnExit: false,
        cancelled: false,
      },
      running,
    });
    observer?.notice?.(
      `re-adopted ${calc.label ?? calc.key.slice(0, 12)} (attempt ${attempt.attempt}, left running by an earlier run)`,
    );
  }
  return { adopted, unavailable };
}

/** A calc's spec as stored: the keyed spec plus the resources its attempt was given. */
function specOf(calc: Calc, attempt: Attempt): CalcSpec {
  return {
    ...calc.spec,
    resources: attempt.resources,
    ...(calc.label === null ? {} : { label: calc.label }),
  };
}
