import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobExit, JobOutputs } from '../../core/job-spec.js';
import type { SlurmHostSettings } from '../../runtime/host-settings.js';
import { BOOKKEEPING_DIR } from '../calc-wrapper.js';
import { collectOutputs } from '../calc-dir/collect.js';
import type { Executor, ExecutorJob, JobHandle, RunningJob, SchedulerJob } from '../executor.js';
import {
  fetchCalc,
  remoteCalcDir,
  remoteExit,
  remoteProbe,
  stageCalc,
} from '../remote/remote-calc.js';
import { POLL, parsePoll, scriptArgv, type RemoteState } from '../remote/remote-scripts.js';
import { PollTimer } from '../remote/poll-timer.js';
import { Reachability } from '../remote/reachability.js';
import { TransportError, type ExecResult, type Transport } from '../remote/transport.js';
import { PACK_MARGIN_S, planJob } from './job-plan.js';
import { finalStateFailure, isActiveState, normaliseState } from './job-states.js';
import { classifySbatchError, parseSbatchParsable } from './sbatch.js';
import { parseJobcomp, type JobcompRecord } from './jobcomp.js';
import { parseScontrolJobs, scontrolShowJobArgs } from './scontrol.js';
import { parseSqueue, squeueArgs, type SqueueRow } from './squeue.js';
import {
  INTENT_FILE,
  campaignJobPrefix,
  memberJobId,
  memberState,
  packJobName,
  singleJobName,
  type Member,
  type SlurmIntent,
  type SlurmJob,
} from './slurm-job.js';

export interface SlurmExecutorOptions {
  /** `slurm:NAME`. */
  readonly name: string;
  /** Where sbatch/squeue run: this machine, or the cluster's login node over ssh. */
  readonly transport: Transport;
  readonly host: SlurmHostSettings;
  readonly campaignId: string;
  /** Local directory for the files of array and packed jobs (the campaign's work/slurm). */
  readonly localJobRoot: string;
  readonly killGraceS: number;
  /** How long a partly filled pack waits for more calcs before it is submitted (default 2 s). */
  readonly packWaitMs?: number;
  readonly notice?: (line: string) => void;
  /** Hears that a job's SLURM state changed, to show it (status.json). */
  readonly jobsChanged?: () => void;
}

/** What a final-state lookup needs of a scontrol or completion-log record. */
type FinalRecord = Pick<JobcompRecord, 'jobId' | 'arrayJobId' | 'arrayTaskId' | 'state'>;

interface Waiting {
  readonly job: ExecutorJob;
  readonly remoteDir: string;
  readonly submitted: (member: Member) => void;
  readonly failed: (error: Error) => void;
  /** An earlier member that goes round again (its pack ended before starting it). */
  readonly again?: Member;
}

/** A never-started calc goes into a new pack at most this often before it counts as lost. */
const MAX_REQUEUES = 2;
/** Jobs asked of scontrol in one poll cycle, at most (the others wait for the next cycle). */
const SCONTROL_PER_CYCLE = 20;
/** A squeue answer this fresh is reused by a burst of `adopt` calls after a restart. */
const SNAPSHOT_TTL_MS = 5000;

/**
 * Runs calcs on a SLURM cluster through its own commands (sbatch, squeue, scontrol, scancel),
 * here or on a login node over ssh. Calcs are submitted as single jobs, job arrays or packed
 * allocations (`submit:`), at most `max_jobs` of the campaign's jobs in the queue at once.
 *
 * Durability: the runner records the calc `submitted` before `submit`; the executor writes
 * `.retort/slurm-intent.json` (the job name) before sbatch; the handle (job id) is stored after.
 * On a restart, `adopt` finds jobs by handle, or by name in squeue when the handle was never
 * stored, or, when squeue has forgotten the name, by the calc's own markers: a calc is only
 * given back for resubmission when it provably never started.
 *
 * Polling: one squeue call per cycle lists every job of the user (finished ones included, while
 * the controller remembers them); jobs it has forgotten are asked of scontrol; the calcs of
 * finished jobs are checked with one remote command. The cycle starts at `poll_s` and grows by
 * half each quiet cycle up to six times that, back to `poll_s` on any change.
 */
export class SlurmExecutor implements Executor {
  readonly name: string;
  readonly slots: number;
  readonly #o: SlurmExecutorOptions;
  readonly #jobs = new Map<string, SlurmJob>();
  readonly #members = new Map<string, Member>();
  #waiting: Waiting[] = [];
  #lingerTimer: NodeJS.Timeout | undefined;
  #lingerDue = false;
  #flushing: Promise<void> | undefined;
  #flushAgain = false;
  readonly #pollTimer = new PollTimer(() => {
    void this.#cycle();
  });
  #pollIntervalMs: number;
  #polling = false;
  #snapshot: { at: number; rows: SqueueRow[] } | undefined;
  #scancelIds = new Set<string>();
  #scancelTimer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #reachability: Reachability;
  /** The completion log's path; null when the cluster keeps none; undefined: not asked yet. */
  #jobcompLog: string | null | undefined;

  constructor(options: SlurmExecutorOptions) {
    this.#reachability = new Reachability({
      name: options.name,
      meanwhile: 'jobs go on in SLURM',
      notice: options.notice,
    });
    this.#o = options;
    this.name = options.name;
    const { host } = options;
    this.slots = host.submit === 'single' ? host.max_jobs : host.max_jobs * host.pack_size;
    this.#pollIntervalMs = host.poll_s * 1000;
  }

  // ── Executor ──────────────────────────────────────────────────────────────

  async submit(job: ExecutorJob): Promise<RunningJob> {
    const { host } = this.#o;
    const need = job.job.resources.walltime_s + (host.submit === 'packed' ? PACK_MARGIN_S : 0);
    if (need > host.max_walltime_s) {
      throw new Error(
        `its walltime (${String(job.job.resources.walltime_s)} s${host.submit === 'packed' ? ` + ${String(PACK_MARGIN_S)} s kept free in a pack` : ''}) is longer than hosts.${host.name}.max_walltime_s (${String(host.max_walltime_s)} s)`,
      );
    }
    const remoteDir = this.#remoteDir(job);
    const walltime =
      host.submit === 'packed'
        ? { seconds: job.job.resources.walltime_s, graceS: this.#o.killGraceS }
        : undefined;
    await this.#reachability.reach(() => stageCalc(this.#o.transport, job, remoteDir, walltime));
    const member = await new Promise<Member>((submitted, failed) => {
      this.#enqueue({ job, remoteDir, submitted, failed });
    });
    return { handle: member.handle, exit: member.exit };
  }

  async adopt(job: ExecutorJob, handle: JobHandle | undefined): Promise<RunningJob | undefined> {
    const remoteDir =
      typeof handle?.remote_dir === 'string' ? handle.remote_dir : this.#remoteDir(job);
    const known = this.#members.get(remoteDir);
    if (known !== undefined) return { handle: known.handle, exit: known.exit };
    // The intent file is written before every sbatch, so it names the newest job of the calc
    // (a calc its pack never started goes into another job); the stored handle may be older.
    const intent = readIntent(job.workdir);
    const name =
      intent?.job_name ?? (typeof handle?.job_name === 'string' ? handle.job_name : undefined);
    if (name === undefined) return undefined;
    const index = intent?.index ?? (typeof handle?.index === 'number' ? handle.index : 0);
    const mode = intent?.mode ?? this.#o.host.submit;
    let jobId =
      handle?.job_name === name && typeof handle.job_id === 'string'
        ? handle.job_id.split('_')[0]
        : undefined;
    if (jobId === undefined) {
      const rows = await this.#reachability.reach(() => this.#squeueSnapshot(SNAPSHOT_TTL_MS));
      // The newest job of that name (a single calc sent round again keeps its name).
      jobId = rows
        .filter((r) => r.name === name)
        .map((r) => r.arrayJobId)
        .sort((a, b) => Number(a) - Number(b))
        .at(-1);
      if (jobId === undefined) {
        // squeue does not know the name: sbatch never ran, or the job ended long ago. The
        // calc's own directory says whether it ever started.
        const [state] = await this.#reachability.reach(() => this.#pollDirs([remoteDir]));
        if (state === undefined || state.kind === 'none') return undefined;
      }
    }
    const slurm = this.#jobFor(name, mode, jobId);
    if (jobId === undefined) slurm.state = 'UNKNOWN';
    const member = this.#member(job, remoteDir, slurm, index);
    member.startedAt =
      typeof handle?.started_at === 'string' ? handle.started_at : member.startedAt;
    this.#schedulePoll(0);
    return { handle: member.handle, exit: member.exit };
  }

  /** Both ways are scancel: SLURM sends TERM, then KILL after the cluster's KillWait. */
  cancel(handle: JobHandle): Promise<void> {
    const remoteDir = handle.remote_dir;
    const member = typeof remoteDir === 'string' ? this.#members.get(remoteDir) : undefined;
    if (member === undefined) {
      if (typeof handle.job_id === 'string') this.#scancel(handle.job_id);
      return Promise.resolve();
    }
    member.cancelled = true;
    const waiting = this.#waiting.findIndex((w) => w.again === member);
    if (waiting >= 0) {
      this.#waiting.splice(waiting, 1);
      this.#resolveMember(member, { kind: 'none' }, 'CANCELLED');
      return Promise.resolve();
    }
    const id = member.slurm.mode === 'packed' ? member.slurm.jobId : memberJobId(member);
    if (member.slurm.mode === 'packed') member.slurm.cancelled = true;
    if (id !== undefined) this.#scancel(id);
    return Promise.resolve();
  }

  async collect(job: ExecutorJob, exit: JobExit): Promise<JobOutputs> {
    const outputs = collectOutputs(job, exit);
    if (this.#o.host.cleanup && this.#o.host.scratch !== undefined) {
      await this.#exec(['rm', '-rf', '--', this.#remoteDir(job)]).catch(() => undefined);
    }
    return outputs;
  }

  probe(
    argv: readonly string[],
  ): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
    return remoteProbe(this.#o.transport, argv);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#pollTimer.stop();
    for (const timer of [this.#lingerTimer, this.#scancelTimer]) {
      if (timer !== undefined) clearTimeout(timer);
    }
    if (this.#scancelIds.size > 0) await this.#flushScancel();
    await this.#o.transport.close();
  }

  /** The campaign's jobs as the last poll saw them, for status.json. */
  jobs(): SchedulerJob[] {
    return [...this.#jobs.values()]
      .filter((job) => job.members.some((m) => !m.ending))
      .map((job) => ({
        job_id: job.jobId ?? null,
        name: job.name,
        mode: job.mode,
        state: job.mode === 'array' ? taskSummary(job) : (job.state ?? 'SUBMITTED'),
        calcs: job.members.filter((m) => !m.ending).length,
      }));
  }

  // ── submitting ────────────────────────────────────────────────────────────

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

  #packSize(): number {
    return this.#o.host.submit === 'single' ? 1 : this.#o.host.pack_size;
  }

  #enqueue(waiting: Waiting): void {
    this.#waiting.push(waiting);
    void this.#flush();
  }

  /**
   * Submits full packs, and the last partial one once it has waited `packWaitMs` for more
   * calcs, within max_jobs. Called on every change that may allow a submission (a calc
   * queued, a job ended); a call while a flush runs makes that flush look again when done.
   */
  #flush(): Promise<void> {
    if (this.#flushing !== undefined) {
      this.#flushAgain = true;
      return this.#flushing;
    }
    const run = async (): Promise<void> => {
      const size = this.#packSize();
      do {
        this.#flushAgain = false;
        while (this.#waiting.length > 0 && this.#inQueue() < this.#o.host.max_jobs) {
          if (this.#waiting.length < size && !this.#lingerDue) break;
          const batch = this.#waiting.splice(0, size);
          await this.#submitJob(batch);
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

  /** Whether #flush was called again while it ran (a method: the flag changes across awaits). */
  #askedAgain(): boolean {
    return this.#flushAgain;
  }

  #armLinger(): void {
    if (this.#lingerTimer !== undefined || this.#closed) return;
    this.#lingerTimer = setTimeout(() => {
      this.#lingerTimer = undefined;
      this.#lingerDue = true;
      void this.#flush();
    }, this.#o.packWaitMs ?? 2000);
  }

  /** Jobs of this run still in SLURM's queue (submitted, not finished). */
  #inQueue(): number {
    let count = 0;
    for (const job of this.#jobs.values()) if (job.members.some((m) => !m.ending)) count++;
    return count;
  }

  async #submitJob(batch: readonly Waiting[]): Promise<void> {
    const first = batch[0];
    if (first === undefined) return;
    const { host, campaignId } = this.#o;
    const mode = host.submit;
    const name =
      mode === 'single' ? singleJobName(campaignId, first.job) : packJobName(campaignId, first.job);
    // A calc going round again leaves its old job first, so that a single calc's new job (it
    // keeps its name) gets a record of its own.
    for (const w of batch) {
      if (w.again === undefined) continue;
      this.#members.delete(w.again.remoteDir);
      this.#forgetIfDone(w.again.slurm);
    }
    const slurm = this.#jobFor(name, mode, undefined);
    const members = batch.map((w, index) =>
      this.#member(w.job, w.remoteDir, slurm, index, w.again),
    );
    try {
      for (const member of members) writeIntent(member);
      const jobId = await this.#sbatch(slurm, members);
      slurm.jobId = jobId;
      for (const member of members) {
        member.handle = handleOf(member);
      }
    } catch (error) {
      for (const member of members) this.#members.delete(member.remoteDir);
      this.#jobs.delete(name);
      const failure = error instanceof Error ? error : new Error(String(error));
      batch.forEach((w, i) => {
        const member = members[i];
        if (w.again !== undefined && member !== undefined) {
          member.resolve(
            remoteExit(
              member.job,
              { kind: 'none' },
              {
                startedAt: member.startedAt,
                cancelled: false,
                lostBecause: `could not be submitted again: ${failure.message}`,
              },
            ),
          );
        } else {
          w.failed(failure);
        }
      });
      return;
    }
    batch.forEach((w, i) => {
      const member = members[i];
      if (member !== undefined && w.again === undefined) w.submitted(member);
    });
    this.#pollIntervalMs = host.poll_s * 1000;
    this.#schedulePoll(host.poll_s * 1000);
  }

  /** Writes the batch script (and list), runs sbatch once, and returns the job id. */
  async #sbatch(slurm: SlurmJob, members: readonly Member[]): Promise<string> {
    const plan = planJob({
      name: slurm.name,
      mode: slurm.mode,
      host: this.#o.host,
      calcs: members.map((m) => ({
        remoteDir: m.remoteDir,
        localDir: m.job.workdir,
        resources: m.job.job.resources,
      })),
      jobDir: this.#jobDir(slurm.name),
    });
    mkdirSync(plan.dir.local, { recursive: true });
    for (const [name, text] of Object.entries(plan.files)) {
      writeFileSync(join(plan.dir.local, name), text);
    }
    await this.#reachability.reach(() =>
      this.#o.transport.upload(plan.dir.local, plan.dir.remote, Object.keys(plan.files)),
    );
    const { argv } = plan;
    let delay = 2000;
    for (let tries = 1; ; tries++) {
      let result: ExecResult | undefined;
      let problem: { retryable: boolean; message: string };
      try {
        result = await this.#exec(argv);
        if (result.exitCode === 0) return parseSbatchParsable(result.stdout);
        problem = classifySbatchError(result.stderr);
      } catch (error) {
        if (!(error instanceof TransportError) || !error.retryable) throw error;
        problem = { retryable: true, message: error.message };
      }
      if (!problem.retryable || tries >= 8) {
        throw new Error(`sbatch refused job ${slurm.name}: ${problem.message}`);
      }
      // The job may exist although sbatch did not say so (a timeout after the controller
      // took it): look for its name before submitting again.
      const existing = await this.#reachability
        .reach(() => this.#squeueSnapshot(0))
        .then((rows) => rows.find((r) => r.name === slurm.name));
      if (existing !== undefined) return existing.arrayJobId;
      this.#o.notice?.(`${this.name}: sbatch failed (${problem.message}); trying again`);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 60_000);
    }
  }

  #jobFor(name: string, mode: SlurmJob['mode'], jobId: string | undefined): SlurmJob {
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

  #member(
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

  // ── polling ───────────────────────────────────────────────────────────────

  #schedulePoll(delayMs: number): void {
    this.#pollTimer.schedule(delayMs);
  }

  async #cycle(): Promise<void> {
    if (this.#polling) return;
    const open = [...this.#jobs.values()].filter((j) => j.members.some((m) => !m.ending));
    if (open.length === 0) return;
    this.#polling = true;
    let changed = false;
    try {
      const rows = await this.#squeueSnapshot(0);
      this.#reachability.reachable();
      const forgotten: SlurmJob[] = [];
      for (const job of open) {
        if (job.jobId === undefined) continue;
        const mine = rows.filter((r) => r.arrayJobId === job.jobId || r.jobId === job.jobId);
        if (mine.length === 0) {
          forgotten.push(job);
          continue;
        }
        for (const row of mine) {
          if (row.arrayTaskId !== undefined && job.mode === 'array') {
            if (job.taskStates.get(row.arrayTaskId) !== row.state) changed = true;
            job.taskStates.set(row.arrayTaskId, row.state);
          } else {
            if (job.state !== row.state) changed = true;
            job.state = row.state;
          }
        }
        // An array task squeue does not list (forgotten, or not shown yet): ask scontrol.
        if (job.mode === 'array') {
          const listed = new Set(mine.map((r) => r.arrayTaskId));
          if (job.members.some((m) => !m.ending && !listed.has(m.index))) forgotten.push(job);
        }
      }
      if (forgotten.length > 0) changed = (await this.#askScontrol(forgotten)) || changed;
      const ended = open.flatMap((job) =>
        job.members.filter((m) => {
          const state = memberState(m);
          return !m.ending && state !== undefined && !isActiveState(state);
        }),
      );
      if (ended.length > 0) {
        changed = true;
        const states = await this.#pollDirs(ended.map((m) => m.remoteDir));
        ended.forEach((member, i) => {
          const state = states[i];
          if (state !== undefined) this.#settle(member, state);
        });
      }
    } catch (error) {
      this.#reachability.lost(error);
    } finally {
      this.#polling = false;
      const base = this.#o.host.poll_s * 1000;
      this.#pollIntervalMs = changed ? base : Math.min(this.#pollIntervalMs * 1.5, base * 6);
      if (changed) this.#o.jobsChanged?.();
      this.#schedulePoll(this.#pollIntervalMs);
    }
  }

  /**
   * States of jobs (or array tasks) squeue did not list, from scontrol, and for jobs scontrol
   * has forgotten too, from the completion log; UNKNOWN when neither knows.
   */
  async #askScontrol(jobs: readonly SlurmJob[]): Promise<boolean> {
    // One call per job (scontrol takes one id); jobs squeue forgot are few: it lists finished
    // jobs as long as scontrol does. At most SCONTROL_PER_CYCLE a cycle; the rest next cycle.
    const ids = [...new Set(jobs.map((j) => j.jobId).filter((id) => id !== undefined))].slice(
      0,
      SCONTROL_PER_CYCLE,
    );
    let known: readonly FinalRecord[] = [];
    for (const id of ids) {
      const result = await this.#exec(scontrolShowJobArgs(id));
      known = [...known, ...parseScontrolJobs(result.stdout)];
    }
    const missing = ids.filter((id) => !known.some((k) => k.jobId === id || k.arrayJobId === id));
    if (missing.length > 0) known = [...known, ...(await this.#fromJobcomp(missing))];
    for (const job of jobs.filter((j) => j.jobId !== undefined && ids.includes(j.jobId))) {
      // In file order: a job that ran twice has its newest record last.
      const records = known.filter((k) => k.jobId === job.jobId || k.arrayJobId === job.jobId);
      if (job.mode !== 'array') {
        job.state = records.at(-1)?.state ?? 'UNKNOWN';
        continue;
      }
      const whole = records.findLast((r) => r.arrayTaskId === undefined);
      for (const record of records) {
        if (record.arrayTaskId !== undefined) job.taskStates.set(record.arrayTaskId, record.state);
      }
      for (const member of job.members) {
        if (records.every((r) => r.arrayTaskId !== member.index)) {
          job.taskStates.set(member.index, whole?.state ?? 'UNKNOWN');
        }
      }
    }
    return true;
  }

  /**
   * The completion log (`JobCompType=jobcomp/filetxt`, at `JobCompLoc`), read where the
   * scheduler commands run; [] when the cluster keeps none or it cannot be read from there.
   */
  async #fromJobcomp(ids: readonly string[]): Promise<JobcompRecord[]> {
    if (this.#jobcompLog === undefined) {
      const config = await this.#exec(['scontrol', 'show', 'config']);
      const type = /^JobCompType\s*=\s*(\S+)/m.exec(config.stdout)?.[1];
      const path = /^JobCompLoc\s*=\s*(\S+)/m.exec(config.stdout)?.[1];
      this.#jobcompLog = type === 'jobcomp/filetxt' && path !== undefined ? path : null;
    }
    const numeric = ids.filter((id) => /^\d+$/.test(id));
    if (this.#jobcompLog === null || numeric.length === 0) return [];
    const pattern = `(^| )(JobId|ArrayJobId)=(${numeric.join('|')}) `;
    const result = await this.#exec(['grep', '-E', '--', pattern, this.#jobcompLog]);
    return parseJobcomp(result.stdout);
  }

  /** A member whose job (or task) has ended: fetch and resolve, or send it round again. */
  #settle(member: Member, remote: RemoteState): void {
    const state = memberState(member) ?? 'UNKNOWN';
    if (remote.kind === 'alive' && state !== 'UNKNOWN') {
      // SLURM says it ended but the wrapper still runs here (COMPLETING): look again later.
      return;
    }
    // A pack that ended (or failed, or lost its node) before starting a calc sends it round
    // again; a job someone cancelled does not.
    const neverStarted = remote.kind === 'none' || remote.kind === 'launched';
    // UNKNOWN: SLURM has forgotten the job; it is not sent round again on a guess.
    const cancelled =
      member.cancelled || member.slurm.cancelled || normaliseState(state) === 'CANCELLED';
    if (neverStarted && !cancelled && state !== 'UNKNOWN') {
      if (member.requeued < MAX_REQUEUES) {
        member.requeued++;
        member.ending = true;
        this.#waiting.push({
          job: member.job,
          remoteDir: member.remoteDir,
          submitted: () => undefined,
          failed: () => undefined,
          again: member,
        });
        this.#lingerDue = true;
        void this.#flush();
        return;
      }
    }
    member.ending = true;
    void this.#fetchAndResolve(member, remote, state);
  }

  async #fetchAndResolve(member: Member, remote: RemoteState, state: string): Promise<void> {
    if (remote.kind !== 'none') {
      try {
        await this.#reachability.reach(() =>
          fetchCalc(this.#o.transport, member.job, member.remoteDir),
        );
      } catch (error) {
        member.ending = false;
        this.#reachability.lost(error);
        return;
      }
    }
    this.#resolveMember(member, remote, state);
  }

  #resolveMember(member: Member, remote: RemoteState, state: string): void {
    const cancelledByUs = member.cancelled || member.slurm.cancelled;
    const verdict = finalStateFailure(state, cancelledByUs);
    const base = remoteExit(member.job, remote, {
      startedAt: member.startedAt,
      cancelled: cancelledByUs,
      lostBecause:
        remote.kind === 'none'
          ? `SLURM job ${memberJobId(member) ?? member.slurm.name} ended (${state}) without starting the calc`
          : `SLURM job ${memberJobId(member) ?? member.slurm.name} ended (${state}) without the calc recording its exit`,
    });
    let exit: JobExit = base;
    const failed = !(remote.kind === 'exit' && remote.status === 0);
    if (verdict.timedOut) {
      exit = { ...base, timedOut: true, ...(verdict.failure ? { failure: verdict.failure } : {}) };
    } else if (verdict.failure !== undefined && failed && !cancelledByUs) {
      exit = { ...base, failure: verdict.failure };
    }
    this.#members.delete(member.remoteDir);
    this.#forgetIfDone(member.slurm);
    member.resolve(exit);
    if (this.#waiting.length > 0) void this.#flush();
  }

  /**
   * Drops a job whose calcs have all been resolved or moved to another job, so that polls,
   * the queue count and status look only at live jobs (a 30,000-calc run in single mode would
   * otherwise scan every job it ever submitted on each submission).
   */
  #forgetIfDone(job: SlurmJob): void {
    if (job.members.some((m) => this.#members.get(m.remoteDir) === m)) return;
    if (this.#jobs.get(job.name) === job) this.#jobs.delete(job.name);
  }

  // ── scheduler and remote commands ─────────────────────────────────────────

  async #squeueSnapshot(maxAgeMs: number): Promise<SqueueRow[]> {
    const now = Date.now();
    if (this.#snapshot !== undefined && now - this.#snapshot.at <= maxAgeMs) {
      return this.#snapshot.rows;
    }
    const result = await this.#exec(squeueArgs());
    if (result.exitCode !== 0) {
      throw new TransportError(`squeue failed: ${result.stderr.trim()}`, { retryable: true });
    }
    const prefix = campaignJobPrefix(this.#o.campaignId);
    const rows = parseSqueue(result.stdout).filter((r) => r.name.startsWith(prefix));
    this.#snapshot = { at: now, rows };
    return rows;
  }

  async #pollDirs(dirs: readonly string[]): Promise<RemoteState[]> {
    const states: RemoteState[] = [];
    for (let i = 0; i < dirs.length; i += 200) {
      const chunk = dirs.slice(i, i + 200);
      const result = await this.#exec(scriptArgv(POLL, 'retort-poll', chunk));
      if (result.exitCode !== 0) {
        throw new TransportError(`the calc status check failed: ${result.stderr.trim()}`, {
          retryable: true,
        });
      }
      states.push(...parsePoll(result.stdout, chunk.length));
    }
    return states;
  }

  #scancel(id: string): void {
    this.#scancelIds.add(id);
    this.#scancelTimer ??= setTimeout(() => {
      this.#scancelTimer = undefined;
      void this.#flushScancel();
    }, 100);
  }

  async #flushScancel(): Promise<void> {
    const ids = [...this.#scancelIds];
    this.#scancelIds.clear();
    if (ids.length === 0) return;
    await this.#exec(['scancel', ...ids]).catch((error: unknown) => {
      this.#reachability.lost(error);
    });
    this.#schedulePoll(0);
  }

  #exec(argv: readonly string[]): Promise<ExecResult> {
    return this.#o.transport.exec(argv);
  }
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

function handleOf(member: Member): JobHandle {
  return {
    job_id: memberJobId(member) ?? null,
    job_name: member.slurm.name,
    mode: member.slurm.mode,
    index: member.index,
    remote_dir: member.remoteDir,
    started_at: member.startedAt,
  };
}

function writeIntent(member: Member): void {
  const intent: SlurmIntent = {
    job_name: member.slurm.name,
    mode: member.slurm.mode,
    index: member.index,
    remote_dir: member.remoteDir,
  };
  writeFileSync(join(member.job.workdir, BOOKKEEPING_DIR, INTENT_FILE), JSON.stringify(intent));
}

function readIntent(workdir: string): SlurmIntent | undefined {
  try {
    return JSON.parse(
      readFileSync(join(workdir, BOOKKEEPING_DIR, INTENT_FILE), 'utf8'),
    ) as SlurmIntent;
  } catch {
    return undefined;
  }
}
