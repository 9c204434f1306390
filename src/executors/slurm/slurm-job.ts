import type { JobExit } from '../../core/job-spec.js';
import type { BatchMode } from './batch-script.js';
import type { ExecutorJob, JobHandle } from '../executor.js';

/**
 * The slurm executor's bookkeeping: one {@link SlurmJob} per sbatch (a single calc, a job array,
 * or a packed allocation) and one {@link Member} per calc in it.
 *
 * Job names carry what is needed to find a job again after a restart, whatever happened between
 * sbatch and the store recording the job id: `rt-<campaign id>-<key[0:12]>.<attempt>` for a
 * single calc, `rt-<campaign id>-P<key[0:12]>.<attempt>` for an array or pack (named after its
 * first calc). Each calc's local directory holds `.retort/slurm-intent.json` (written before
 * sbatch) naming its job and its place in it.
 */
export interface SlurmJob {
  readonly name: string;
  readonly mode: BatchMode;
  /** SLURM's job id (the array's id for arrays); undefined until sbatch answered. */
  jobId: string | undefined;
  readonly members: Member[];
  /** SLURM's last word on the job (or on each array task, by task index). */
  state: string | undefined;
  readonly taskStates: Map<number, string>;
  /** retort asked scancel for it. */
  cancelled: boolean;
}

export interface Member {
  readonly job: ExecutorJob;
  readonly remoteDir: string;
  readonly slurm: SlurmJob;
  /** Array task index, or place in the pack list. */
  readonly index: number;
  startedAt: string;
  handle: JobHandle;
  readonly exit: Promise<JobExit>;
  readonly resolve: (exit: JobExit) => void;
  cancelled: boolean;
  /** Being fetched or resolved: not looked at again by the poll. */
  ending: boolean;
  /** Times it went back into a new pack because its pack ended before starting it. */
  requeued: number;
}

/** What `.retort/slurm-intent.json` holds. */
export interface SlurmIntent {
  readonly job_name: string;
  readonly mode: BatchMode;
  readonly index: number;
  readonly remote_dir: string;
}

export const INTENT_FILE = 'slurm-intent.json';

export function singleJobName(campaignId: string, job: ExecutorJob): string {
  return `rt-${campaignId}-${job.key.slice(0, 12)}.${String(job.attempt)}`;
}

export function packJobName(campaignId: string, first: ExecutorJob): string {
  return `rt-${campaignId}-P${first.key.slice(0, 12)}.${String(first.attempt)}`;
}

/** Every job of a campaign has a name starting with this. */
export function campaignJobPrefix(campaignId: string): string {
  return `rt-${campaignId}-`;
}

/** The id scancel and squeue use for one calc's part of its job. */
export function memberJobId(member: Member): string | undefined {
  const { jobId, mode } = member.slurm;
  if (jobId === undefined) return undefined;
  return mode === 'array' ? `${jobId}_${String(member.index)}` : jobId;
}

/** The state that decides a member's fate: its array task's, or its job's. */
export function memberState(member: Member): string | undefined {
  return member.slurm.mode === 'array'
    ? (member.slurm.taskStates.get(member.index) ?? member.slurm.state)
    : member.slurm.state;
}
