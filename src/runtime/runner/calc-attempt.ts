import { existsSync, renameSync } from 'node:fs';
import type { CalcSpec, JsonValue } from '../../core/calc-spec.js';
import { calcWorkdir, type CampaignPaths } from '../../core/campaign-layout.js';
import { errorMessage } from '../../core/errors.js';
import type { Failure } from '../../core/failure.js';
import type { JobExit, JobOutputs, JobSpec, Outcome } from '../../core/job-spec.js';
import type { Engine } from '../../engines/engine.js';
import type { Executor, ExecutorJob, RunningJob } from '../../executors/executor.js';
import { nowIso, type CalcStore } from '../../store/calc-store.js';
import type { CalcResolution } from '../calc-request.js';
import { CANCELLED_BY_USER } from '../control/cancel-request.js';
import type { ProgramPaths } from './program-paths.js';
import { stagedParents } from './parent-inputs.js';
import type { VersionProbes } from './version-probes.js';

/** A calc the run is responsible for until it has an outcome, and who waits for it. */
export interface Pending {
  readonly key: string;
  readonly spec: CalcSpec;
  readonly engine: Engine;
  /** The engine's job for the spec, prepared once. */
  readonly job: JobSpec;
  /** What the failure threshold counts (a molecule id; default the calc key). */
  readonly item: string;
  readonly waiters: ((resolution: CalcResolution) => void)[];
  retriesLeft: number;
  /** Higher starts first (RequestOptions.priority). */
  priority: number;
  /** The cost model's predicted wall time, s: within one priority the longest starts first. */
  readonly predictedS: number;
  /** Not submitted before this moment (epoch ms; 0: at once): a retry's backoff. */
  notBefore: number;
  /** Order of arrival: ties go to it. */
  readonly seq: number;
}

/** A calc handed to the executor: submitting, running, or re-adopted. */
export interface Active {
  readonly pending: Pending;
  readonly execJob: ExecutorJob;
  readonly startedAt: string;
  running: RunningJob | undefined;
  /** Set by a hard stop: when the job ends it goes back to the queue, whatever its outcome. */
  returnOnExit: boolean;
  /** Set by a cancel request: unless it succeeded meanwhile, it ends failed, `cancelled`. */
  cancelled: boolean;
}

/**
 * How one attempt ended, as recorded in the store:
 * - `succeeded`, `failed`: the calc's outcome;
 * - `returned`: given back by a hard stop, the calc queued again;
 * - `unavailable`: an executor method threw — an infrastructure failure, never the calc's:
 *   the attempt is returned and the calc queued again;
 * - `abandoned`: the run failed meanwhile and records nothing more (the next run re-adopts).
 */
export type AttemptEnd =
  | {
      readonly kind: 'succeeded';
      readonly result: Readonly<Record<string, JsonValue>>;
      readonly programVersion: string | undefined;
      readonly durationS: number;
    }
  | { readonly kind: 'failed'; readonly failure: Failure; readonly durationS: number }
  | { readonly kind: 'returned' }
  | { readonly kind: 'unavailable'; readonly error: unknown; readonly workdir: string }
  | { readonly kind: 'abandoned' };

/** What an attempt needs of its run. */
export interface AttemptContext {
  readonly runId: string;
  readonly calcs: CalcStore;
  readonly paths: CampaignPaths;
  readonly executor: Executor;
  readonly programs: ProgramPaths;
  readonly versions: VersionProbes;
  /** False once the run has failed: nothing more is recorded. */
  live(): boolean;
}

/**
 * Records the attempt (intent first), hands the job to the executor and records it running.
 * A job whose parents cannot be copied (parent-inputs.ts) fails there, without running.
 * `onActive` gets the attempt as soon as it is recorded (it shows in status as running).
 * Resolves with the running job, or with how the attempt ended when it never started.
 */
export async function submitAttempt(
  ctx: AttemptContext,
  pending: Pending,
  onActive: (active: Active) => void,
): Promise<{ readonly active: Active; readonly running: RunningJob } | AttemptEnd> {
  const { calcs, executor } = ctx;
  const { key } = pending;
  const job = ctx.programs.job(pending.job);
  const workdir = calcWorkdir(ctx.paths, key);
  // A directory of an earlier attempt is kept beside the new one, never written over.
  if (existsSync(workdir)) renameSync(workdir, `${workdir}~${calcs.get(key)?.attempts ?? 0}`);
  const submittedAt = nowIso();
  const attempt = calcs.submit(key, {
    runId: ctx.runId,
    executor: executor.name,
    workdir,
    argv: job.argv,
    env: job.env,
    inputs: job.files,
    resources: job.resources,
    submittedAt,
    predictedS: pending.predictedS,
  });
  const staged = stagedParents(calcs, ctx.paths, job);
  if ('failure' in staged) {
    const { failure } = staged;
    calcs.failed(key, attempt, failure, {
      endedAt: nowIso(),
      startedAt: undefined,
      exitCode: null,
      signal: null,
      programVersion: undefined,
    });
    return { kind: 'failed', failure, durationS: 0 };
  }
  const active: Active = {
    pending,
    execJob: {
      key,
      attempt,
      workdir,
      job,
      ...(staged.parents.length === 0 ? {} : { parents: staged.parents }),
    },
    startedAt: submittedAt,
    running: undefined,
    returnOnExit: false,
    cancelled: false,
  };
  onActive(active);
  let running: RunningJob;
  try {
    running = await executor.submit(active.execJob);
  } catch (error) {
    if (!ctx.live()) return { kind: 'abandoned' };
    calcs.returned(key, attempt, `executor ${executor.name} failed: ${errorMessage(error)}`);
    return { kind: 'unavailable', error, workdir };
  }
  if (!ctx.live()) return { kind: 'abandoned' };
  active.running = running;
  calcs.started(key, attempt, running.handle, nowIso());
  return { active, running };
}

/** Waits for a started or re-adopted job to end, then collects, parses and records it. */
export async function awaitAttempt(
  ctx: AttemptContext,
  active: Active,
  running: RunningJob,
): Promise<AttemptEnd> {
  const { calcs } = ctx;
  const { pending, execJob } = active;
  const exit = await running.exit;
  if (!ctx.live()) return { kind: 'abandoned' };
  if (active.returnOnExit) {
    calcs.returned(pending.key, execJob.attempt, 'killed by a hard stop; it will run again');
    return { kind: 'returned' };
  }
  let outputs: JobOutputs;
  try {
    outputs = await ctx.executor.collect(execJob, exit);
  } catch (error) {
    if (!ctx.live()) return { kind: 'abandoned' };
    calcs.returned(
      pending.key,
      execJob.attempt,
      `outputs could not be collected: ${errorMessage(error)}`,
    );
    return { kind: 'unavailable', error, workdir: execJob.workdir };
  }
  const parsed = parseOutputs(pending, outputs);
  const outcome: Outcome =
    active.cancelled && !parsed.ok ? { ...parsed, failure: CANCELLED_BY_USER } : parsed;
  const programVersion = outcome.programVersion ?? (await ctx.versions.versionOf(pending.engine));
  if (!ctx.live()) return { kind: 'abandoned' };
  const end = {
    endedAt: exit.endedAt,
    startedAt: exit.startedAt,
    exitCode: exit.exitCode,
    signal: exit.signal,
    programVersion,
  };
  const durationS = durationOf(exit);
  if (outcome.ok) {
    calcs.succeeded(pending.key, execJob.attempt, outcome.result, end);
    return { kind: 'succeeded', result: outcome.result, programVersion, durationS };
  }
  calcs.failed(pending.key, execJob.attempt, outcome.failure, end);
  return { kind: 'failed', failure: outcome.failure, durationS };
}

function parseOutputs(pending: Pending, outputs: JobOutputs): Outcome {
  try {
    return pending.engine.parse(outputs, pending.spec);
  } catch (error) {
    return {
      ok: false,
      failure: {
        class: 'parse_error',
        message: `the output could not be read: ${errorMessage(error)}`,
      },
    };
  }
}

function durationOf(exit: JobExit): number {
  return Math.max(0, (Date.parse(exit.endedAt) - Date.parse(exit.startedAt)) / 1000);
}
