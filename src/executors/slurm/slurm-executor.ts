import { dirname, join } from 'node:path';
import { errorMessage } from '../../core/errors.js';
import type { JobExit, JobOutputs } from '../../core/job-spec.js';
import type { SlurmHost } from './slurm-host.js';
import { collectOutputs } from '../calc-dir/collect.js';
import type {
  CheckLine,
  Executor,
  ExecutorJob,
  JobHandle,
  ProgramToCheck,
  RunningJob,
  SchedulerJob,
} from '../executor.js';
import { remoteCalcDir, remoteProbe, stageCalc } from '../remote/remote-calc.js';
import { Reachability } from '../remote/reachability.js';
import type { Transport } from '../remote/transport.js';
import { adoptCalc, type AdoptContext } from './adoption.js';
import { JobBook } from './job-book.js';
import { PACK_MARGIN_S } from './job-plan.js';
import { requestPackCancel } from './pack-cancel.js';
import { PollCycle } from './poll-cycle.js';
import { reachOrUnavailable } from './sbatch-submit.js';
import { ScancelBatch } from './scancel-batch.js';
import { SchedulerView } from './scheduler-view.js';
import { checkSlurm } from './slurm-check.js';
import { memberJobId } from './slurm-job.js';
import { SubmissionQueue, refusedExit } from './submission-queue.js';

export interface SlurmExecutorOptions {
  /** `slurm:NAME`. */
  readonly name: string;
  /** Where sbatch/squeue run: this machine, or the cluster's login node over ssh. */
  readonly transport: Transport;
  readonly host: SlurmHost;
  readonly campaignId: string;
  /**
   * Local directory for the files of array and packed jobs: the campaign's `work/slurm` (its
   * parent, the campaign's work directory, holds the calc directories).
   */
  readonly localJobRoot: string;
  readonly killGraceS: number;
  /** How long a partly filled pack waits for more calcs before it is submitted (default 2 s). */
  readonly packWaitMs?: number;
  /**
   * How long a step that needs the cluster (staging, sbatch, squeue for `adopt`) waits while it
   * does not answer before the executor is unavailable (default 10 min).
   */
  readonly unreachableGiveUpMs?: number;
  readonly notice?: (line: string) => void;
  /** Hears that a job's SLURM state changed, to show it (status.json). */
  readonly jobsChanged?: () => void;
}

/**
 * Runs calcs on a SLURM cluster through its own commands (sbatch, squeue, scontrol, scancel),
 * here or on a login node over ssh. Calcs are submitted as single jobs, job arrays or packed
 * allocations (`submit:`), at most `max_jobs` of the campaign's jobs in the queue at once.
 *
 * The parts, each documented where it is defined: {@link JobBook} (which calc is in which job),
 * {@link SubmissionQueue} (packing calcs into jobs, sbatch), {@link PollCycle} (what SLURM and
 * the calc directories say, and ending calcs), {@link adoptCalc} (finding jobs again after a
 * restart), {@link ScancelBatch} (cancelling), {@link SchedulerView} (squeue, scontrol, the
 * completion log) and {@link checkSlurm} (`hosts check`).
 *
 * Durability: the runner records the calc `submitted` before `submit`; the executor writes
 * `.retort/slurm-intent.json` (the job name) before sbatch; the handle (job id) is stored after.
 * On a restart, `adopt` finds jobs by handle, or by name in squeue when the handle was never
 * stored, or, when squeue has forgotten the name, by the calc's own markers: a calc is only
 * given back for resubmission when it provably never started.
 *
 * Failures: a cluster that does not answer, settings it refuses (a partition it does not have)
 * and a scratch directory that cannot be written make `submit` and `adopt` throw
 * {@link ExecutorUnavailableError}; a calc asking for more than the cluster can give (its
 * walltime beyond `max_walltime_s`, memory no node has) ends as that calc's `input_error`.
 */
export class SlurmExecutor implements Executor {
  readonly name: string;
  readonly slots: number;
  readonly #o: SlurmExecutorOptions;
  readonly #reachability: Reachability;
  readonly #book = new JobBook();
  readonly #view: SchedulerView;
  readonly #queue: SubmissionQueue;
  readonly #poll: PollCycle;
  readonly #scancel: ScancelBatch;
  readonly #adopt: AdoptContext;

  constructor(options: SlurmExecutorOptions) {
    this.#o = options;
    this.name = options.name;
    const { host, transport } = options;
    this.slots = host.submit === 'single' ? host.max_jobs : host.max_jobs * host.pack_size;
    this.#reachability = new Reachability({
      name: options.name,
      meanwhile: 'jobs go on in SLURM',
      notice: options.notice,
      giveUpMs: options.unreachableGiveUpMs,
    });
    const exec = (argv: readonly string[]) => transport.exec(argv);
    this.#view = new SchedulerView(exec, options.campaignId);
    this.#poll = new PollCycle({
      transport,
      reachability: this.#reachability,
      view: this.#view,
      book: this.#book,
      pollS: host.poll_s,
      packDir: (name) => this.#jobDir(name).remote,
      requeue: (member) => {
        this.#queue.requeue(member);
      },
      resolved: () => {
        if (this.#queue.waiting > 0) void this.#queue.flush();
      },
      jobsChanged: options.jobsChanged,
    });
    this.#queue = new SubmissionQueue({
      name: options.name,
      host,
      transport,
      reachability: this.#reachability,
      view: this.#view,
      jobDir: (name) => this.#jobDir(name),
      giveUpMs: options.unreachableGiveUpMs ?? 600_000,
      killGraceS: options.killGraceS,
      notice: options.notice,
      campaignId: options.campaignId,
      book: this.#book,
      packWaitMs: options.packWaitMs ?? 2000,
      jobSubmitted: () => {
        this.#poll.submitted();
      },
      cancel: (member) => {
        this.cancel(member.handle, 'graceful').catch((error: unknown) => {
          options.notice?.(`${options.name}: ${errorMessage(error)}`);
        });
      },
    });
    this.#scancel = new ScancelBatch({
      exec,
      failed: (error) => {
        this.#reachability.lost(error);
      },
      done: () => {
        this.#poll.soon();
      },
    });
    this.#adopt = {
      name: options.name,
      host,
      reachability: this.#reachability,
      book: this.#book,
      view: this.#view,
      mode: host.submit,
      remoteDir: (job) => this.#remoteDir(job),
      pollSoon: () => {
        this.#poll.soon();
      },
    };
  }

  async submit(job: ExecutorJob): Promise<RunningJob> {
    const { host } = this.#o;
    const packed = host.submit === 'packed';
    const remoteDir = this.#remoteDir(job);
    const need = job.job.resources.walltime_s + (packed ? PACK_MARGIN_S : 0);
    if (need > host.max_walltime_s) {
      const startedAt = new Date().toISOString();
      return {
        handle: { job_id: null, remote_dir: remoteDir },
        exit: Promise.resolve(
          refusedExit(
            startedAt,
            `its walltime (${String(job.job.resources.walltime_s)} s${packed ? ` + ${String(PACK_MARGIN_S)} s kept free in a pack` : ''}) is longer than hosts.${host.name}.max_walltime_s (${String(host.max_walltime_s)} s)`,
          ),
        ),
      };
    }
    const walltime = packed
      ? { seconds: job.job.resources.walltime_s, graceS: this.#o.killGraceS }
      : undefined;
    await reachOrUnavailable(
      { name: this.name, host, reachability: this.#reachability },
      `stage the calc to ${remoteDir}`,
      () => stageCalc(this.#o.transport, job, remoteDir, walltime),
      'write',
    );
    const member = await this.#queue.submit(job, remoteDir);
    return { handle: member.handle, exit: member.exit };
  }

  adopt(job: ExecutorJob, handle: JobHandle | undefined): Promise<RunningJob | undefined> {
    return adoptCalc(this.#adopt, job, handle);
  }

  /**
   * A calc of a packed job cancelled alone (`graceful`, while a pack-mate is not cancelled) is
   * ended by its pack's runner through a request file (pack-cancel.ts): the others go on. Every
   * other cancel is scancel (the whole pack, or the calc's job or array task): SLURM sends TERM,
   * then KILL after the cluster's KillWait.
   */
  async cancel(handle: JobHandle, how: 'graceful' | 'kill'): Promise<void> {
    const remoteDir = handle.remote_dir;
    const member =
      typeof remoteDir === 'string'
        ? (this.#book.member(remoteDir) ?? this.#queue.waitingFor(remoteDir))
        : undefined;
    if (member === undefined) {
      if (typeof handle.job_id === 'string') this.#scancel.add(handle.job_id);
      return;
    }
    member.cancelled = true;
    if (this.#queue.withdraw(member)) {
      this.#poll.resolve(member, { kind: 'none' }, 'CANCELLED');
      return;
    }
    const pack = member.slurm;
    if (pack.mode === 'packed' && !pack.cancelled) {
      const mates = pack.members.filter((m) => !m.ending && this.#book.member(m.remoteDir) === m);
      if (how === 'graceful' && mates.some((m) => !m.cancelled)) {
        const dir = this.#jobDir(pack.name).remote;
        await this.#reachability.reach(() =>
          requestPackCancel((argv) => this.#o.transport.exec(argv), dir, member.index),
        );
        this.#poll.soon();
        return;
      }
      pack.cancelled = true;
    }
    const id = pack.mode === 'packed' ? pack.jobId : memberJobId(member);
    if (id !== undefined) this.#scancel.add(id);
  }

  async collect(job: ExecutorJob, exit: JobExit): Promise<JobOutputs> {
    const outputs = collectOutputs(job, exit);
    if (this.#o.host.cleanup && this.#o.host.scratch !== undefined) {
      await this.#o.transport
        .exec(['rm', '-rf', '--', this.#remoteDir(job)])
        .catch(() => undefined);
    }
    return outputs;
  }

  probe(
    argv: readonly string[],
  ): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
    return remoteProbe(this.#o.transport, argv);
  }

  check(programs: readonly ProgramToCheck[], report: (line: CheckLine) => void): Promise<void> {
    return checkSlurm(
      {
        transport: this.#o.transport,
        host: this.#o.host,
        localWorkDir: dirname(this.#o.localJobRoot),
      },
      programs,
      report,
    );
  }

  async close(): Promise<void> {
    this.#poll.stop();
    this.#queue.close();
    await this.#scancel.close();
    await this.#o.transport.close();
  }

  /** The campaign's jobs as the last poll saw them, for status.json. */
  jobs(): SchedulerJob[] {
    return this.#book.summary();
  }

  #remoteDir(job: ExecutorJob): string {
    const { scratch } = this.#o.host;
    return scratch === undefined ? job.workdir : remoteCalcDir(scratch, this.#o.campaignId, job);
  }

  #jobDir(name: string): { local: string; remote: string } {
    const local = join(this.#o.localJobRoot, name);
    const { scratch } = this.#o.host;
    const remote = scratch === undefined ? local : `${scratch}/${this.#o.campaignId}/jobs/${name}`;
    return { local, remote };
  }
}
