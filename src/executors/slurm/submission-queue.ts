import { ExecutorUnavailableError, InfrastructureError } from '../../core/errors.js';
import type { JobExit } from '../../core/job-spec.js';
import type { ExecutorJob } from '../executor.js';
import { remoteExit } from '../remote/remote-calc.js';
import { writeIntent } from './intent.js';
import { handleOf, type JobBook } from './job-book.js';
import { sbatchJob, type SbatchContext } from './sbatch-submit.js';
import { packJobName, singleJobName, type Member } from './slurm-job.js';

/** A calc waiting for its place in a job. */
interface Waiting {
  readonly job: ExecutorJob;
  readonly remoteDir: string;
  readonly submitted: (member: Member) => void;
  readonly failed: (error: unknown) => void;
  /** An earlier member that goes round again (its pack ended before starting it). */
  readonly again?: Member;
}

/** What the queue needs of its executor. */
export interface QueueContext extends SbatchContext {
  readonly campaignId: string;
  readonly book: JobBook;
  /** How long a partly filled pack waits for more calcs before it is submitted. */
  readonly packWaitMs: number;
  /** Hears that a job was submitted (a poll is due). */
  readonly jobSubmitted: () => void;
  /** Cancels a member that is in a submitted job. */
  readonly cancel: (member: Member) => void;
}

/**
 * Calcs waiting to be submitted, and the submitting: full packs (`pack_size` calcs; 1 in single
 * mode) go at once, the last partial one once it has waited `packWaitMs` for more calcs, and
 * never more than `max_jobs` of the run's jobs in SLURM's queue, nor an sbatch call sooner than
 * `submit_interval_s` after the previous one ended (calcs that come meanwhile join the pack).
 * Submitting runs on its own: polling (poll-cycle.ts) never waits for it. `flush` is called on every
 * change that may allow a submission (a calc queued, a job ended); a call while a flush runs
 * makes that flush look again when done.
 *
 * Before sbatch each calc's intent file names its job; once sbatch answered, each calc's handle
 * carries the job id. How a failed sbatch ends for the calcs of the job:
 * - the cluster refused what they ask for (`calc` fault): each calc's exit resolves at once with
 *   an `input_error` failure naming sbatch's message;
 * - the executor is unavailable ({@link ExecutorUnavailableError}): `submit` rejects with it
 *   for a calc submitted now; a calc going round again (its `submit` long resolved) goes back
 *   to the head of the queue, and submitting waits `poll_s` × 6 before it tries again (an
 *   infrastructure failure is never its calc's);
 * - any other error: `submit` rejects with it; a calc going round again ends as `lost`.
 *
 * A calc going round again that is cancelled while its sbatch runs is cancelled in its new job
 * once sbatch answered, or ends as cancelled when sbatch failed.
 */
export class SubmissionQueue {
  readonly #ctx: QueueContext;
  #waiting: Waiting[] = [];
  #lingerTimer: NodeJS.Timeout | undefined;
  #lingerDue = false;
  #flushing: Promise<void> | undefined;
  #flushAgain = false;
  #closed = false;
  /** No sbatch before this time (epoch ms): the executor was unavailable. */
  #pausedUntil = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  /** When the last sbatch call ended (epoch ms). */
  #lastSbatchEnd = 0;
  #intervalTimer: { timer: NodeJS.Timeout; done: () => void } | undefined;

  constructor(ctx: QueueContext) {
    this.#ctx = ctx;
  }

  /** Queues a calc whose directory is staged; resolves with its member once sbatch took it. */
  submit(job: ExecutorJob, remoteDir: string): Promise<Member> {
    return new Promise<Member>((submitted, failed) => {
      this.#waiting.push({ job, remoteDir, submitted, failed });
      void this.flush();
    });
  }

  /** Sends a member its pack never started into the next job, without waiting for a full pack. */
  requeue(member: Member): void {
    this.#waiting.push({
      job: member.job,
      remoteDir: member.remoteDir,
      submitted: () => undefined,
      failed: () => undefined,
      again: member,
    });
    this.#lingerDue = true;
    void this.flush();
  }

  /** The member going round again that owns `remoteDir`, while it waits in the queue. */
  waitingFor(remoteDir: string): Member | undefined {
    return this.#waiting.find((w) => w.again?.remoteDir === remoteDir)?.again;
  }

  /** Takes a member going round again out of the queue; false when it is not waiting. */
  withdraw(member: Member): boolean {
    const index = this.#waiting.findIndex((w) => w.again === member);
    if (index < 0) return false;
    this.#waiting.splice(index, 1);
    return true;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  close(): void {
    this.#closed = true;
    if (this.#lingerTimer !== undefined) clearTimeout(this.#lingerTimer);
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    if (this.#intervalTimer !== undefined) {
      clearTimeout(this.#intervalTimer.timer);
      this.#intervalTimer.done();
    }
  }

  flush(): Promise<void> {
    if (this.#flushing !== undefined) {
      this.#flushAgain = true;
      return this.#flushing;
    }
    const run = async (): Promise<void> => {
      const size = this.#ctx.host.submit === 'single' ? 1 : this.#ctx.host.pack_size;
      do {
        this.#flushAgain = false;
        while (this.#waiting.length > 0 && this.#ctx.book.open().length < this.#ctx.host.max_jobs) {
          if (this.#waiting.length < size && !this.#lingerDue) break;
          if (Date.now() < this.#pausedUntil) {
            this.#armRetry();
            break;
          }
          const wait = this.#lastSbatchEnd + this.#ctx.host.submit_interval_s * 1000 - Date.now();
          if (wait > 0) {
            await this.#pause(wait);
            if (this.#closed) return;
            continue;
          }
          try {
            await this.#submitJob(this.#waiting.splice(0, size));
          } finally {
            this.#lastSbatchEnd = Date.now();
          }
        }
      } while (this.#askedAgain());
      if (this.#waiting.length === 0) this.#lingerDue = false;
      else if (this.#waiting.length < size && !this.#lingerDue) this.#armLinger();
    };
    // `finally` runs after the assignment even when `run` finishes without awaiting.
    this.#flushing = run().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  /** Whether flush was called again while it ran (a method: the flag changes across awaits). */
  #askedAgain(): boolean {
    return this.#flushAgain;
  }

  /** Waits `ms` (or until the queue is closed). */
  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.#intervalTimer = undefined;
        resolve();
      };
      this.#intervalTimer = { timer: setTimeout(done, ms), done };
    });
  }

  #armLinger(): void {
    if (this.#lingerTimer !== undefined || this.#closed) return;
    this.#lingerTimer = setTimeout(() => {
      this.#lingerTimer = undefined;
      this.#lingerDue = true;
      void this.flush();
    }, this.#ctx.packWaitMs);
  }

  /** Puts calcs going round again back at the head, and tries again after a pause. */
  #pauseWith(back: readonly Waiting[]): void {
    this.#waiting.unshift(...back);
    this.#lingerDue = true;
    this.#pausedUntil = Date.now() + this.#ctx.host.poll_s * 6 * 1000;
    this.#armRetry();
  }

  #armRetry(): void {
    if (this.#retryTimer !== undefined || this.#closed) return;
    this.#retryTimer = setTimeout(
      () => {
        this.#retryTimer = undefined;
        void this.flush();
      },
      Math.max(0, this.#pausedUntil - Date.now()),
    );
  }

  async #submitJob(batch: readonly Waiting[]): Promise<void> {
    const first = batch[0];
    if (first === undefined) return;
    const { host, campaignId, book } = this.#ctx;
    const mode = host.submit;
    const name =
      mode === 'single' ? singleJobName(campaignId, first.job) : packJobName(campaignId, first.job);
    // A calc going round again leaves its old job first, so that a single calc's new job (it
    // keeps its name) gets a record of its own.
    for (const w of batch) if (w.again !== undefined) book.leave(w.again);
    const slurm = book.jobFor(name, mode, undefined);
    const members = batch.map((w, index) => book.place(w.job, w.remoteDir, slurm, index, w.again));
    let rejected: string | undefined;
    try {
      for (const member of members) writeIntent(member);
      const outcome = await sbatchJob(this.#ctx, slurm, members);
      if (outcome.jobId === undefined) rejected = outcome.rejected;
      else {
        slurm.jobId = outcome.jobId;
        for (const member of members) member.handle = handleOf(member);
      }
    } catch (error) {
      book.unsubmitted(slurm);
      const back: Waiting[] = [];
      batch.forEach((w, i) => {
        const member = members[i];
        if (w.again !== undefined && member !== undefined) {
          if (error instanceof ExecutorUnavailableError && !member.cancelled) {
            back.push({ ...w, again: member });
            return;
          }
          const message = error instanceof Error ? error.message : String(error);
          member.resolve(
            remoteExit(
              member.job,
              { kind: 'none' },
              {
                startedAt: member.startedAt,
                cancelled: member.cancelled,
                lostBecause: `could not be submitted again: ${message}`,
              },
            ),
          );
        } else {
          w.failed(error instanceof Error ? error : new InfrastructureError(String(error)));
        }
      });
      if (back.length > 0) this.#pauseWith(back);
      return;
    }
    if (rejected !== undefined) {
      book.unsubmitted(slurm);
      const r = host.submit === 'single' ? members[0]?.job.job.resources : undefined;
      const asked =
        r === undefined
          ? ''
          : ` (it asks for ${String(r.cores)} cores${r.memory_mb === undefined ? '' : `, ${String(r.memory_mb)} MB`}, ${String(r.walltime_s)} s)`;
      batch.forEach((w, i) => {
        const member = members[i];
        if (member === undefined) return;
        if (w.again === undefined) w.submitted(member);
        member.resolve(refusedExit(member.startedAt, `SLURM refused the job${asked}: ${rejected}`));
      });
      return;
    }
    batch.forEach((w, i) => {
      const member = members[i];
      if (member !== undefined && w.again === undefined) w.submitted(member);
    });
    // A calc going round again may have been cancelled while its sbatch ran.
    for (const member of members) if (member.cancelled) this.#ctx.cancel(member);
    this.#ctx.jobSubmitted();
  }
}

/** How a calc ends that was never started because what it asks for cannot be given. */
export function refusedExit(startedAt: string, message: string): JobExit {
  return {
    exitCode: null,
    signal: null,
    timedOut: false,
    failure: { class: 'input_error', message },
    startedAt,
    endedAt: new Date().toISOString(),
  };
}
