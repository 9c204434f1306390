import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExecutorUnavailableError, errorMessage } from '../../core/errors.js';
import type { SlurmHost } from './slurm-host.js';
import type { Reachability } from '../remote/reachability.js';
import { TransportError, type ExecResult, type Transport } from '../remote/transport.js';
import { PACK_CANCEL_DIR, PACK_CANCELLED_FILE } from './batch-script.js';
import { planJob } from './job-plan.js';
import { classifySbatchError, parseSbatchParsable, type SbatchError } from './sbatch.js';
import type { SchedulerView } from './scheduler-view.js';
import type { Member, SlurmJob } from './slurm-job.js';

/** What {@link sbatchJob} needs of its executor. */
export interface SbatchContext {
  /** `slurm:NAME`, for messages. */
  readonly name: string;
  readonly host: SlurmHost;
  readonly transport: Transport;
  readonly reachability: Reachability;
  readonly view: SchedulerView;
  /** The job's own directory here and where sbatch runs (array and packed jobs). */
  readonly jobDir: (name: string) => { local: string; remote: string };
  /** How long sbatch is retried while the cluster does not answer before giving up. */
  readonly giveUpMs: number;
  /** How long a calc cancelled alone in a pack has between TERM and KILL. */
  readonly killGraceS: number;
  readonly notice?: ((line: string) => void) | undefined;
}

/**
 * How one sbatch ended: the job id, or the cluster's refusal of what the job asks for (its
 * calcs' resources: each calc fails with `message`). Every other failure throws an
 * {@link ExecutorUnavailableError}: the cluster did not answer for `giveUpMs`, its settings in
 * retort.yaml are wrong for it, or the job's files could not be written where sbatch runs.
 */
export type SbatchOutcome =
  { readonly jobId: string } | { readonly rejected: string; readonly jobId?: undefined };

/**
 * Writes the job's batch script (and list) here, uploads them, and runs sbatch once; while the
 * cluster does not answer it tries again (2 s, 4 s … up to 60 s apart), first looking for the
 * job's name in squeue: sbatch may have timed out after the controller took the job.
 */
export async function sbatchJob(
  ctx: SbatchContext,
  slurm: SlurmJob,
  members: readonly Member[],
): Promise<SbatchOutcome> {
  const { host } = ctx;
  const plan = planJob({
    name: slurm.name,
    mode: slurm.mode,
    host,
    calcs: members.map((m) => ({
      remoteDir: m.remoteDir,
      localDir: m.job.workdir,
      resources: m.job.job.resources,
    })),
    jobDir: ctx.jobDir(slurm.name),
    killGraceS: ctx.killGraceS,
  });
  if (slurm.mode === 'packed') {
    // A pack of this name may have run here before (its first calc went round again): its
    // cancel requests are not this pack's. One made for this pack meanwhile is made again once
    // sbatch answered (submission-queue.ts).
    const stale = [PACK_CANCEL_DIR, PACK_CANCELLED_FILE].map(
      (name) => `${plan.dir.remote}/${name}`,
    );
    await reachOrUnavailable(
      ctx,
      `clear job ${slurm.name}'s cancel requests in ${plan.dir.remote}`,
      () => ctx.transport.exec(['rm', '-rf', '--', ...stale]),
      'write',
    );
  }
  mkdirSync(plan.dir.local, { recursive: true });
  for (const [name, text] of Object.entries(plan.files)) {
    writeFileSync(join(plan.dir.local, name), text);
  }
  await reachOrUnavailable(
    ctx,
    `write job ${slurm.name}'s files in ${plan.dir.remote}`,
    () => ctx.transport.upload(plan.dir.local, plan.dir.remote, Object.keys(plan.files)),
    'write',
  );
  const deadline = Date.now() + ctx.giveUpMs;
  let delay = 2000;
  for (;;) {
    let result: ExecResult | TransportError;
    try {
      result = await ctx.transport.exec(plan.argv);
    } catch (error) {
      if (!(error instanceof TransportError) || !error.retryable) {
        throw unavailable(ctx, `sbatch could not be run (${errorMessage(error)})`, error, 'exec');
      }
      result = error;
    }
    if (!(result instanceof TransportError) && result.exitCode === 0) {
      return { jobId: parseSbatchParsable(result.stdout) };
    }
    const problem: SbatchError =
      result instanceof TransportError
        ? { fault: 'cluster', retryable: true, message: result.message }
        : classifySbatchError(result.stderr);
    if (problem.fault === 'calc') {
      if (slurm.mode !== 'packed') return { rejected: problem.message };
      throw new ExecutorUnavailableError(
        ctx.name,
        `sbatch refused pack ${slurm.name} (${problem.message})`,
        `lower hosts.${host.name}.pack_cores in retort.yaml (each pack asks for up to pack_cores cores, and each calc's memory per slot)`,
        { retryable: false },
      );
    }
    if (problem.fault === 'settings') {
      throw new ExecutorUnavailableError(
        ctx.name,
        `sbatch refused job ${slurm.name} (${problem.message})`,
        settingsFix(host, problem.message),
        { retryable: false },
      );
    }
    if (Date.now() + delay > deadline) {
      throw new ExecutorUnavailableError(
        ctx.name,
        `the cluster does not take jobs (sbatch: ${problem.message})`,
        'check that slurmctld runs and answers squeue where sbatch runs, then run again',
        { retryable: true },
      );
    }
    const existing = await reachOrUnavailable(
      ctx,
      'list its jobs with squeue',
      () => ctx.view.squeue(0),
      'exec',
    ).then((rows) => rows.find((r) => r.name === slurm.name));
    if (existing !== undefined) return { jobId: existing.arrayJobId };
    ctx.notice?.(`${ctx.name}: sbatch failed (${problem.message}); trying again`);
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 60_000);
  }
}

/** What to change in retort.yaml for a refusal of the host's settings. */
function settingsFix(host: SlurmHost, message: string): string {
  const key = `hosts.${host.name}`;
  if (/partition/i.test(message)) {
    return `set partition in retort.yaml (${key}.partition) to one that sinfo lists, or leave it out for the cluster's default`;
  }
  if (/account/i.test(message)) return `set ${key}.account in retort.yaml to an account of yours`;
  if (/qos/i.test(message)) return `set ${key}.qos in retort.yaml to a QOS you may use`;
  return `check ${key} in retort.yaml (partition, account, qos, sbatch_args) against sbatch's message`;
}

/**
 * Runs a step that needs the cluster's login side, waiting while it does not answer (see
 * {@link Reachability.reach}); when it still fails, the executor is unavailable: waited too long
 * (retryable) or the step cannot succeed as configured (a scratch directory that cannot be
 * written, refused authentication).
 */
export async function reachOrUnavailable<T>(
  ctx: Pick<SbatchContext, 'name' | 'reachability' | 'host'>,
  what: string,
  step: () => Promise<T>,
  kind: 'write' | 'exec',
): Promise<T> {
  try {
    return await ctx.reachability.reach(step);
  } catch (error) {
    throw unavailable(ctx, `cannot ${what} (${errorMessage(error)})`, error, kind);
  }
}

/**
 * The executor is unavailable: a step failed after waiting (retryable: the cluster or the
 * way to it is away), or cannot succeed as configured (`write`: the scratch directory;
 * `exec`: the commands cannot be run there). Any other error (a bug) is rethrown as it is.
 */
function unavailable(
  ctx: Pick<SbatchContext, 'name' | 'host'>,
  problem: string,
  error: unknown,
  kind: 'write' | 'exec',
): unknown {
  if (error instanceof ExecutorUnavailableError) return error;
  if (!(error instanceof TransportError)) return error;
  const scratch = ctx.host.scratch ?? 'the campaign work directory';
  const fix = error.retryable
    ? `check that the cluster and the way to it answer (retort hosts check ${ctx.host.name}), then run again`
    : kind === 'write'
      ? `make ${scratch} writable where sbatch runs, or set hosts.${ctx.host.name}.scratch in retort.yaml`
      : `check that the SLURM commands can be run where sbatch runs (retort hosts check ${ctx.host.name})`;
  return new ExecutorUnavailableError(ctx.name, problem, fix, {
    retryable: error.retryable,
    cause: error,
  });
}
