import type { JobExit } from '../../core/job-spec.js';
import type { ExecutorJob, JobHandle, SchedulerJob } from '../executor.js';
import { memberJobId, memberState, type Member, type SlurmJob } from './slurm-job.js';

/**
 * The slurm executor's record of what it has in SLURM: jobs by name, and the calc (member) that
 * owns each remote calc directory.
 *
 * Contract: a member is in the book from the moment it is placed in a job (before sbatch) until
 * its exit is resolved or it moves to another job ({@link leave}); a job stays while one of its
 * members is still its directory's owner, so polls, the queue count and status.json look only
 * at live jobs. A job whose members are all `ending` is no longer "in the queue" (it does not
 * count against `max_jobs`).
 */
export class JobBook {
  readonly #jobs = new Map<string, SlurmJob>();
  readonly #members = new Map<string, Member>();

  /** The member owning `remoteDir`, if any. */
  member(remoteDir: string): Member | undefined {
    return this.#members.get(remoteDir);
  }

  /** The job of that name, made (without a job id) when there is none; a known id is kept. */
  jobFor(name: string, mode: SlurmJob['mode'], jobId: string | undefined): SlurmJob {
    const existing = this.#jobs.get(name);
    if (existing !== undefined) {
      existing.jobId ??= jobId;
      return existing;
    }
    const job: SlurmJob = {
      name,
      mode,
      jobId,
      members: [],
      state: undefined,
      taskStates: new Map(),
      cancelled: false,
    };
    this.#jobs.set(name, job);
    return job;
  }

  /**
   * Places a calc in `slurm` at `index`. A calc going round again (`previous`) keeps its exit
   * promise, start time, cancel flag and requeue count.
   */
  place(
    job: ExecutorJob,
    remoteDir: string,
    slurm: SlurmJob,
    index: number,
    previous?: Member,
  ): Member {
    let resolve!: (exit: JobExit) => void;
    const exit =
      previous?.exit ??
      new Promise<JobExit>((r) => {
        resolve = r;
      });
    const member: Member = {
      job,
      remoteDir,
      slurm,
      index,
      startedAt: previous?.startedAt ?? new Date().toISOString(),
      handle: {},
      exit,
      resolve: previous?.resolve ?? resolve,
      cancelled: previous?.cancelled ?? false,
      ending: false,
      requeued: previous?.requeued ?? 0,
    };
    member.handle = handleOf(member);
    slurm.members.push(member);
    this.#members.set(remoteDir, member);
    return member;
  }

  /** Takes a member out (resolved, or moving to another job); its job goes when it was the last. */
  leave(member: Member): void {
    if (this.#members.get(member.remoteDir) === member) this.#members.delete(member.remoteDir);
    const job = member.slurm;
    if (job.members.some((m) => this.#members.get(m.remoteDir) === m)) return;
    if (this.#jobs.get(job.name) === job) this.#jobs.delete(job.name);
  }

  /** Forgets a job sbatch did not take, with its members. */
  unsubmitted(job: SlurmJob): void {
    for (const member of job.members) {
      if (this.#members.get(member.remoteDir) === member) this.#members.delete(member.remoteDir);
    }
    if (this.#jobs.get(job.name) === job) this.#jobs.delete(job.name);
  }

  /** Jobs with a member not yet ending: those still in SLURM's queue for this run. */
  open(): SlurmJob[] {
    return [...this.#jobs.values()].filter((job) => job.members.some((m) => !m.ending));
  }

  /** The campaign's jobs as the last poll saw them, for status.json. */
  summary(): SchedulerJob[] {
    return this.open().map((job) => ({
      job_id: job.jobId ?? null,
      name: job.name,
      mode: job.mode,
      state: job.mode === 'array' ? taskSummary(job) : (job.state ?? 'SUBMITTED'),
      calcs: job.members.filter((m) => !m.ending).length,
    }));
  }
}

/**
 * A calc's handle, stored by the runner: `{ job_id, job_name, mode, index, remote_dir,
 * started_at }`; `job_id` is `123`, `123_4` for an array task, or null before sbatch answered.
 */
export function handleOf(member: Member): JobHandle {
  return {
    job_id: memberJobId(member) ?? null,
    job_name: member.slurm.name,
    mode: member.slurm.mode,
    index: member.index,
    remote_dir: member.remoteDir,
    started_at: member.startedAt,
  };
}

/** An array's open tasks by state, e.g. `RUNNING×8 PENDING×32`. */
function taskSummary(job: SlurmJob): string {
  const counts = new Map<string, number>();
  for (const member of job.members) {
    if (member.ending) continue;
    const state = memberState(member) ?? 'SUBMITTED';
    counts.set(state, (counts.get(state) ?? 0) + 1);
  }
  return [...counts].map(([state, n]) => `${state}×${String(n)}`).join(' ');
}
