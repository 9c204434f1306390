import type { BatchMode } from './batch-script.js';
import type { ExecutorJob, JobHandle, RunningJob } from '../executor.js';
import type { JobBook } from './job-book.js';
import { readIntent } from './intent.js';
import { reachOrUnavailable, type SbatchContext } from './sbatch-submit.js';
import type { SchedulerView } from './scheduler-view.js';

/** What {@link adoptCalc} needs of its executor. */
export interface AdoptContext extends Pick<SbatchContext, 'name' | 'host' | 'reachability'> {
  readonly book: JobBook;
  readonly view: SchedulerView;
  readonly mode: BatchMode;
  readonly remoteDir: (job: ExecutorJob) => string;
  /** Asks for a poll now: an adopted job's state is not known yet. */
  readonly pollSoon: () => void;
}

/** A squeue answer this fresh is reused by a burst of `adopt` calls after a restart. */
const SNAPSHOT_TTL_MS = 5000;

/**
 * Finds a calc's job again after a restart and watches it. In order: a calc this executor
 * already holds; the job named by the calc's intent file (or the stored handle), with the
 * handle's job id when it names the same job, else the newest job of that name squeue lists;
 * when squeue does not know the name (sbatch never ran, or the job ended long ago), the calc's
 * own directory decides: undefined only when it never started. An adopted job whose id is not
 * known is UNKNOWN to SLURM: it is never sent round again on a guess.
 *
 * Throws {@link ExecutorUnavailableError} when the cluster does not answer: a job that may be
 * alive is never given up as not started.
 */
export async function adoptCalc(
  ctx: AdoptContext,
  job: ExecutorJob,
  handle: JobHandle | undefined,
): Promise<RunningJob | undefined> {
  const remoteDir = typeof handle?.remote_dir === 'string' ? handle.remote_dir : ctx.remoteDir(job);
  const known = ctx.book.member(remoteDir);
  if (known !== undefined) return { handle: known.handle, exit: known.exit };
  const intent = readIntent(job.workdir);
  const name =
    intent?.job_name ?? (typeof handle?.job_name === 'string' ? handle.job_name : undefined);
  if (name === undefined) return undefined;
  const index = intent?.index ?? (typeof handle?.index === 'number' ? handle.index : 0);
  const mode = intent?.mode ?? ctx.mode;
  let jobId =
    handle?.job_name === name && typeof handle.job_id === 'string'
      ? handle.job_id.split('_')[0]
      : undefined;
  if (jobId === undefined) {
    const rows = await reachOrUnavailable(
      ctx,
      'list its jobs with squeue',
      () => ctx.view.squeue(SNAPSHOT_TTL_MS),
      'exec',
    );
    // The newest job of that name (a single calc sent round again keeps its name).
    jobId = rows
      .filter((r) => r.name === name)
      .map((r) => r.arrayJobId)
      .sort((a, b) => Number(a) - Number(b))
      .at(-1);
    if (jobId === undefined) {
      const [state] = await reachOrUnavailable(
        ctx,
        `check the calc directory ${remoteDir}`,
        () => ctx.view.calcStates([remoteDir]),
        'exec',
      );
      if (state === undefined || state.kind === 'none') return undefined;
    }
  }
  const slurm = ctx.book.jobFor(name, mode, jobId);
  if (jobId === undefined) slurm.state = 'UNKNOWN';
  const member = ctx.book.place(job, remoteDir, slurm, index);
  member.startedAt = typeof handle?.started_at === 'string' ? handle.started_at : member.startedAt;
  ctx.pollSoon();
  return { handle: member.handle, exit: member.exit };
}
