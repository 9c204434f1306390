import type { JobExit } from '../../core/job-spec.js';
import { PollTimer } from '../remote/poll-timer.js';
import { fetchCalc, remoteExit } from '../remote/remote-calc.js';
import type { RemoteState } from '../remote/remote-scripts.js';
import type { Reachability } from '../remote/reachability.js';
import type { Transport } from '../remote/transport.js';
import type { JobBook } from './job-book.js';
import { finalStateFailure, isActiveState, normaliseState } from './job-states.js';
import type { SchedulerView } from './scheduler-view.js';
import { runScriptOf } from './job-plan.js';
import { cancelledInPacks } from './pack-cancel.js';
import { memberJobId, memberState, type Member, type SlurmJob } from './slurm-job.js';

/** What the poll needs of its executor. */
export interface PollContext {
  readonly transport: Transport;
  readonly reachability: Reachability;
  readonly view: SchedulerView;
  readonly book: JobBook;
  readonly pollS: number;
  /** The directory of a packed job, where its runner reads cancel requests, by job name. */
  readonly packDir: (name: string) => string;
  /** Sends a member its pack never started into the next job. */
  readonly requeue: (member: Member) => void;
  /** Hears that a member's exit was resolved (a slot in the queue may be free). */
  readonly resolved: () => void;
  /** Hears that a job's SLURM state changed, to show it (status.json). */
  readonly jobsChanged?: (() => void) | undefined;
}

/** A never-started calc goes into a new pack at most this often before it counts as lost. */
const MAX_REQUEUES = 2;
/** Jobs asked of scontrol in one poll cycle, at most (the others wait for the next cycle). */
const SCONTROL_PER_CYCLE = 20;

/**
 * The poll: one cycle reconciles what SLURM says of the run's open jobs with their calc
 * directories, and ends the calcs whose job (or array task) has ended.
 *
 * One cycle: one squeue call for every job of the user; jobs (or array tasks) it does not list
 * are asked of scontrol and then the completion log (at most {@link SCONTROL_PER_CYCLE} a cycle),
 * UNKNOWN when neither knows; the calcs in a final state are checked with one remote command.
 * Then each such calc is settled ({@link settle}). The cycle starts at `poll_s` and grows by
 * half each quiet cycle up to six times that, back to `poll_s` on any change. A cycle that
 * cannot reach the cluster tells {@link Reachability} and tries again next time: the jobs go on.
 */
export class PollCycle {
  readonly #ctx: PollContext;
  readonly #timer = new PollTimer(() => {
    void this.#cycle();
  });
  #intervalMs: number;
  #polling = false;

  constructor(ctx: PollContext) {
    this.#ctx = ctx;
    this.#intervalMs = ctx.pollS * 1000;
  }

  /** A poll now (an adopted job, a cancel). */
  soon(): void {
    this.#timer.schedule(0);
  }

  /** A job was submitted: back to the shortest interval, a poll after it. */
  submitted(): void {
    this.#intervalMs = this.#ctx.pollS * 1000;
    this.#timer.schedule(this.#intervalMs);
  }

  stop(): void {
    this.#timer.stop();
  }

  async #cycle(): Promise<void> {
    if (this.#polling) return;
    const { book, view, reachability } = this.#ctx;
    const open = book.open();
    if (open.length === 0) return;
    this.#polling = true;
    let changed = false;
    try {
      const rows = await view.squeue(0);
      reachability.reachable();
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
      if (forgotten.length > 0) {
        await this.#askForgotten(forgotten);
        changed = true;
      }
      const ended = open.flatMap((job) =>
        job.members.filter((m) => {
          const state = memberState(m);
          return !m.ending && state !== undefined && !isActiveState(state);
        }),
      );
      // Calcs cancelled alone in a pack that goes on: they end before their pack does.
      const alone = open
        .filter((job) => job.mode === 'packed' && !job.cancelled)
        .flatMap((job) => job.members.filter((m) => m.cancelled && !m.ending))
        .filter((m) => !ended.includes(m));
      const looked = [...ended, ...alone];
      if (looked.length > 0) {
        const states = await view.calcStates(looked.map((m) => m.remoteDir));
        const unstarted = looked.filter(
          (m, i) => m.slurm.mode === 'packed' && neverStarted(states[i]),
        );
        const packs = [...new Set(unstarted.map((m) => this.#ctx.packDir(m.slurm.name)))];
        const withdrawn = await cancelledInPacks((argv) => this.#ctx.transport.exec(argv), packs);
        looked.forEach((member, i) => {
          const state = states[i];
          if (state === undefined) return;
          // Its pack's runner never started it: a cancel asked for it (maybe by an earlier run).
          const notStarted = withdrawn.has(runScriptOf(member.remoteDir));
          if (notStarted) member.cancelled = true;
          if (i < ended.length) {
            changed = true;
            this.#settle(member, state);
          } else if (state.kind === 'exit' || state.kind === 'dead' || notStarted) {
            changed = true;
            member.ending = true;
            void this.#fetchAndResolve(member, state, memberState(member) ?? 'UNKNOWN');
          }
        });
      }
    } catch (error) {
      reachability.lost(error);
    } finally {
      this.#polling = false;
      const base = this.#ctx.pollS * 1000;
      this.#intervalMs = changed ? base : Math.min(this.#intervalMs * 1.5, base * 6);
      if (changed) this.#ctx.jobsChanged?.();
      this.#timer.schedule(this.#intervalMs);
    }
  }

  /** States of jobs (or array tasks) squeue did not list, from scontrol or the completion log. */
  async #askForgotten(jobs: readonly SlurmJob[]): Promise<void> {
    // Jobs squeue forgot are few: it lists finished jobs as long as scontrol does.
    const ids = [...new Set(jobs.map((j) => j.jobId).filter((id) => id !== undefined))].slice(
      0,
      SCONTROL_PER_CYCLE,
    );
    const known = await this.#ctx.view.finalRecords(ids);
    for (const job of jobs.filter((j) => j.jobId !== undefined && ids.includes(j.jobId))) {
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
  }

  /** A member whose job (or task) has ended: fetch and resolve, or send it round again. */
  #settle(member: Member, remote: RemoteState): void {
    const state = memberState(member) ?? 'UNKNOWN';
    if (remote.kind === 'alive' && state !== 'UNKNOWN') {
      // SLURM says it ended but the wrapper still runs here (COMPLETING): look again later.
      return;
    }
    // A pack that ended (or failed, or lost its node) before starting a calc sends it round
    // again; a job someone cancelled does not, nor a pack told to cancel that calc.
    const unstarted = neverStarted(remote);
    // UNKNOWN: SLURM has forgotten the job; it is not sent round again on a guess.
    const cancelled =
      member.cancelled || member.slurm.cancelled || normaliseState(state) === 'CANCELLED';
    if (unstarted && !cancelled && state !== 'UNKNOWN' && member.requeued < MAX_REQUEUES) {
      member.requeued++;
      member.ending = true;
      this.#ctx.requeue(member);
      return;
    }
    member.ending = true;
    void this.#fetchAndResolve(member, remote, state);
  }

  async #fetchAndResolve(member: Member, remote: RemoteState, state: string): Promise<void> {
    if (remote.kind !== 'none') {
      try {
        await this.#ctx.reachability.reach(() =>
          fetchCalc(this.#ctx.transport, member.job, member.remoteDir),
        );
      } catch (error) {
        member.ending = false;
        this.#ctx.reachability.lost(error);
        return;
      }
    }
    this.resolve(member, remote, state);
  }

  /** Ends a member: its exit from its calc's markers and SLURM's final state. */
  resolve(member: Member, remote: RemoteState, state: string): void {
    this.#ctx.book.leave(member);
    member.resolve(memberExit(member, remote, state));
    this.#ctx.resolved();
  }
}

/** Whether the calc never started: nothing in its directory says it did. */
function neverStarted(remote: RemoteState | undefined): boolean {
  return remote?.kind === 'none' || remote?.kind === 'launched';
}

/**
 * How a member ended, from its calc's markers and its job's final SLURM state (or its job's
 * state now, still active, for a calc cancelled alone in a pack that goes on).
 */
function memberExit(member: Member, remote: RemoteState, state: string): JobExit {
  const cancelledByUs = member.cancelled || member.slurm.cancelled;
  const verdict = isActiveState(state)
    ? { timedOut: false }
    : finalStateFailure(state, cancelledByUs);
  const jobName = memberJobId(member) ?? member.slurm.name;
  const base = remoteExit(member.job, remote, {
    startedAt: member.startedAt,
    cancelled: cancelledByUs,
    lostBecause:
      remote.kind === 'none'
        ? `SLURM job ${jobName} ended (${state}) without starting the calc`
        : `SLURM job ${jobName} ended (${state}) without the calc recording its exit`,
  });
  const failed = !(remote.kind === 'exit' && remote.status === 0);
  if (verdict.timedOut) {
    return { ...base, timedOut: true, ...(verdict.failure ? { failure: verdict.failure } : {}) };
  }
  if (verdict.failure !== undefined && failed && !cancelledByUs) {
    return { ...base, failure: verdict.failure };
  }
  return base;
}
