import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { calcKey } from '../../core/calc-key.js';
import type { CalcSpec } from '../../core/calc-spec.js';
import { CampaignError } from '../../core/errors.js';
import type { Failure } from '../../core/failure.js';
import type { JobSpec } from '../../core/job-spec.js';
import { RUN_TRANSITIONS, type RunState } from '../../core/run-state.js';
import { assertTransition } from '../../core/transitions.js';
import type { Engine } from '../../engines/engine.js';
import { getEngine } from '../../engines/registry.js';
import type { Executor, JobHandle, RunningJob } from '../../executors/executor.js';
import type { Calc } from '../../store/calc-store.js';
import type { CalcResolution, CalcRunner, RunSummary } from '../calc-request.js';
import type { Campaign } from '../campaign.js';
import { FailureThreshold } from '../control/failure-threshold.js';
import { clearStopRequest, isStopRequested } from '../control/stop-request.js';
import type { CalcEvent, RunObserver } from '../run-observer.js';
import {
  awaitAttempt,
  submitAttempt,
  type Active,
  type AttemptContext,
  type AttemptEnd,
  type Pending,
} from './calc-attempt.js';
import { lookUpCalc } from './cache-lookup.js';
import { executorFailureLine, storeFailureLine } from './failure-lines.js';
import { ProgramPaths } from './program-paths.js';
import { closeDeadRuns, readopt } from './recovery.js';
import { RetryPolicy } from './retry-policy.js';
import { RunTally } from './run-tally.js';
import { StatusReporter } from './status-reporter.js';
import { pollStopFile } from './stop-poller.js';
import { VersionProbes } from './version-probes.js';

export interface RunnerOptions {
  readonly campaign: Campaign;
  readonly executor: Executor;
  /** Calcs in flight at once (never more than the executor's slots). */
  readonly workers: number;
  /** The command line that started the run, for status and the runs table. */
  readonly command: readonly string[];
  /** Pause after this many distinct items failed in this run (0: never). */
  readonly failureThreshold: number;
  /** Automatic retries of failures that repeating can fix (killed, lost, cancelled). */
  readonly retries: number;
  /** Queue again calcs that failed in earlier runs even when repeating them cannot help. */
  readonly retryFailed: boolean;
  readonly observer?: RunObserver;
  /**
   * Program paths where the executor runs calcs (a host's `programs:`); default retort.yaml's
   * top-level `programs:`, which are this machine's.
   */
  readonly programs?: Readonly<Record<string, string>>;
  /** How often the STOP file is looked for, ms. */
  readonly stopPollMs?: number;
}

/**
 * The runner: the one process that drives a campaign's calcs.
 *
 * Callers (the CLI, pipelines) `request` calcs and get a promise of their outcome; the runner
 * answers from the store when the key is known, dispatches the rest to the executor within
 * `workers`, records every transition in the store before its side effect, re-adopts calcs a
 * previous runner left in flight (recovery.ts), and writes status.json after every change
 * (status-reporter.ts). `finish()` waits until every request is settled (or the run is
 * stopped, paused or failed) and records the final state.
 *
 * Control: `stop()` (or the STOP file) drains — running calcs finish, nothing new starts;
 * `kill()` also kills the running calcs and returns them to the queue; reaching the failure
 * threshold pauses (a drain that ends in `paused`). An executor method that throws pauses the
 * run too, the calc back in the queue: the place calcs run is broken, not the calc. A store or
 * file-system failure ends the run `failed` with one line saying what to do; calcs still
 * running are left for the next run to re-adopt.
 */
export class Runner implements CalcRunner {
  readonly runId: string;
  private state: RunState = 'running';
  private message: string | null = null;
  private readonly queue: Pending[] = [];
  private readonly pending = new Map<string, Pending>();
  private readonly active = new Map<string, Active>();
  private readonly tally = new RunTally();
  private readonly threshold: FailureThreshold;
  private readonly policy: RetryPolicy;
  private readonly reporter: StatusReporter;
  private readonly attempts: AttemptContext;
  private readonly idleWaiters: (() => void)[] = [];
  private readonly workers: number;
  private stopPolling: () => void = () => undefined;
  /** The run has failed (a store error, or `fail`): nothing more is recorded or started. */
  private failed = false;
  private ended = false;

  private constructor(private readonly options: RunnerOptions) {
    const { campaign, executor } = options;
    this.runId = newRunId();
    this.threshold = new FailureThreshold(options.failureThreshold);
    this.policy = new RetryPolicy(options.retries, options.retryFailed);
    this.workers = Math.max(1, Math.min(options.workers, executor.slots));
    const programs = new ProgramPaths(options.programs ?? campaign.settings.programs);
    this.attempts = {
      runId: this.runId,
      calcs: campaign.calcs,
      paths: campaign.paths,
      executor,
      programs,
      versions: new VersionProbes(executor, programs),
      live: () => !this.failed,
    };
    this.reporter = new StatusReporter(
      campaign.paths.status,
      { runId: this.runId, command: options.command, executor, workers: this.workers },
      () => ({
        state: this.state,
        message: this.message,
        totals: this.tally.totals(this.active.size),
        current: [...this.active.values()].map((a) => ({
          key: a.pending.key,
          label: a.pending.spec.label ?? null,
          program: a.pending.spec.program,
          started_at: a.startedAt,
        })),
      }),
      options.observer,
      (error) => {
        this.failWith(error);
      },
    );
  }

  /**
   * Starts a run: records it, closes the records of runners that died, re-adopts every calc
   * left submitted or running by them, and starts watching the STOP file. The caller holds
   * the campaign's runner lock. A store that cannot be written is a CampaignError saying so.
   */
  static async start(options: RunnerOptions): Promise<Runner> {
    const runner = new Runner(options);
    const { campaign, observer } = options;
    await storeStep(campaign, async () => {
      closeDeadRuns(campaign.runs);
      if (isStopRequested(campaign.paths.stop)) {
        clearStopRequest(campaign.paths.stop);
        observer?.notice?.('removed a STOP file left by an earlier run');
      }
      campaign.runs.create({
        id: runner.runId,
        pid: process.pid,
        hostname: hostname(),
        command: options.command,
        executor: options.executor.name,
        workers: runner.workers,
      });
      const recovery = await readopt(runner.attempts, options.retries, observer);
      for (const { active, running } of recovery.adopted) {
        const { key } = active.pending;
        runner.pending.set(key, active.pending);
        runner.tally.add(key);
        runner.active.set(key, active);
        runner.guard(runner.follow(active, running));
      }
      if (recovery.unavailable !== undefined) runner.executorFailed(recovery.unavailable);
    });
    runner.stopPolling = pollStopFile(campaign.paths.stop, options.stopPollMs ?? 250, runner);
    runner.reporter.write();
    return runner;
  }

  /** The run's state now. */
  get currentState(): RunState {
    return this.state;
  }

  /**
   * Asks for a calc's outcome. Throws (synchronously, before recording anything) when the
   * spec cannot be run: unknown program, or the engine's `prepare` refuses it.
   * `item` groups calcs for the failure threshold (default: the calc key).
   */
  request(spec: CalcSpec, item?: string): Promise<CalcResolution> {
    const engine = getEngine(spec.program);
    const job = engine.prepare(spec);
    const key = calcKey(spec, engine.adapterVersion);
    if (this.failed) return Promise.resolve(this.notRun(key));
    this.tally.add(key);
    const existing = this.pending.get(key);
    if (existing !== undefined) return new Promise((resolve) => existing.waiters.push(resolve));
    try {
      return this.lookUp(spec, item ?? key, engine, job, key);
    } catch (error) {
      this.failWith(error);
      return Promise.resolve(this.notRun(key));
    }
  }

  /** Rewrites status.json soon: something outside the runner changed (a SLURM job's state). */
  statusChanged(): void {
    if (!this.ended) this.reporter.schedule();
  }

  /** Drain: running calcs finish, nothing new starts; the run ends `stopped`. */
  stop(reason: string): void {
    if (this.state !== 'running' && this.state !== 'paused') return;
    this.setState('stopping', reason);
    this.checkIdle();
  }

  /**
   * Pause: as when the failure threshold is reached — running calcs finish, nothing new
   * starts, the run ends `paused`. For pipelines that count failures their own way.
   */
  pause(message: string): void {
    if (this.state !== 'running') return;
    this.setState('paused', message);
    this.checkIdle();
  }

  /**
   * Hard stop: kill every running calc's process group and return the calcs to the queue
   * (not failed: they will run again next time).
   */
  kill(reason: string): void {
    if (this.ended || this.failed) return;
    if (this.state === 'stopping') {
      this.message = reason;
      this.options.observer?.notice?.(reason);
    } else {
      this.setState('stopping', reason);
    }
    for (const active of this.active.values()) {
      active.returnOnExit = true;
      if (active.running !== undefined) this.cancel(active.running.handle);
    }
    this.checkIdle();
  }

  /**
   * Waits until every request has an outcome, or until a stop or pause has let the running
   * calcs finish (a failed run does not wait for them); records the final state, writes the
   * last status and releases timers. Requests still unsettled resolve `not_run`.
   */
  async finish(): Promise<RunSummary> {
    await new Promise<void>((resolve) => {
      this.idleWaiters.push(resolve);
      this.checkIdle();
    });
    this.stopPolling();
    const finalState: RunState = this.failed
      ? 'failed'
      : this.state === 'paused'
        ? 'paused'
        : this.tally.anyUnrun
          ? 'stopped'
          : 'complete';
    const changed = finalState !== this.state;
    if (changed) assertTransition('run', RUN_TRANSITIONS, this.state, finalState);
    this.state = finalState;
    const { campaign, observer } = this.options;
    try {
      campaign.runs.end(this.runId, finalState, this.message ?? undefined);
      clearStopRequest(campaign.paths.stop);
    } catch (error) {
      // The run's end is recorded by the next runner, which finds it unfinished.
      this.failWith(error);
    }
    this.ended = true;
    // A pause or failure was shown when it happened.
    if (changed && !this.failed) observer?.stateChanged?.(finalState, this.message);
    this.reporter.close();
    return {
      runId: this.runId,
      state: this.state,
      message: this.message,
      totals: this.tally.totals(this.failed ? 0 : this.active.size),
    };
  }

  /**
   * Ends the run `failed` after an error the caller cannot handle: nothing new starts, every
   * request not settled resolves `not_run`, calcs still running are left for the next run to
   * re-adopt. `finish()` then records it.
   */
  fail(message: string): void {
    this.failRun(message);
  }

  // ── the request path ──────────────────────────────────────────────────────

  /** Answers from the store when it can, else queues the calc. */
  private lookUp(
    spec: CalcSpec,
    item: string,
    engine: Engine,
    job: JobSpec,
    key: string,
  ): Promise<CalcResolution> {
    const found = lookUpCalc(this.options.campaign.calcs, this.tally, this.policy, {
      spec,
      engine,
      key,
    });
    if (found.kind === 'answered') {
      const { event } = found;
      if (event !== undefined) this.emit(event.calc, event.outcome, 0, event.failure);
      return Promise.resolve(found.resolution);
    }
    if (found.kind === 'in_flight') {
      this.tally.leftUnrun(key);
      return Promise.resolve({
        status: 'not_run',
        key,
        reason: `left ${found.status} by an earlier run on another executor or an unreachable one; run again with that executor to re-adopt it`,
      });
    }
    if (this.state !== 'running') {
      // Draining: nothing new starts; the calc stays queued for the next run.
      this.tally.leftUnrun(key);
      return Promise.resolve(this.notRun(key));
    }
    const pending: Pending = {
      key,
      spec,
      engine,
      job,
      item,
      waiters: [],
      retriesLeft: this.policy.retries,
    };
    const promise = new Promise<CalcResolution>((resolve) => pending.waiters.push(resolve));
    this.pending.set(key, pending);
    this.queue.push(pending);
    this.dispatch();
    this.reporter.schedule();
    return promise;
  }

  private dispatch(): void {
    while (this.state === 'running' && this.active.size < this.workers && this.queue.length > 0) {
      const next = this.queue.shift();
      if (next === undefined) break;
      this.guard(this.launch(next));
    }
    this.checkIdle();
  }

  private async launch(pending: Pending): Promise<void> {
    const started = await submitAttempt(this.attempts, pending, (active) => {
      this.active.set(pending.key, active);
      this.reporter.schedule();
    });
    if ('kind' in started) {
      this.active.delete(pending.key);
      this.attemptEnded(pending, started);
      return;
    }
    if (started.active.returnOnExit) this.cancel(started.running.handle);
    await this.follow(started.active, started.running);
  }

  /** Waits for a started or re-adopted job to end and acts on its outcome. */
  private async follow(active: Active, running: RunningJob): Promise<void> {
    const end = await awaitAttempt(this.attempts, active, running);
    this.active.delete(active.pending.key);
    this.attemptEnded(active.pending, end);
  }

  private attemptEnded(pending: Pending, end: AttemptEnd): void {
    switch (end.kind) {
      case 'abandoned':
        return;
      case 'returned':
        break;
      case 'unavailable':
        // Not the calc's failure: it goes back to the front of the queue for the next run.
        this.queue.unshift(pending);
        this.executorFailed(end.error, end.workdir);
        break;
      case 'succeeded':
        this.tally.record(pending.key, 'succeeded');
        this.reporter.calcEnded(end.durationS);
        this.emitPending(pending, 'succeeded', end.durationS, undefined);
        this.settle(pending, {
          status: 'succeeded',
          key: pending.key,
          cached: false,
          result: end.result,
          programVersion: end.programVersion ?? null,
          durationS: end.durationS,
        });
        break;
      case 'failed':
        this.reporter.calcEnded(end.durationS);
        this.afterFailure(pending, end.failure, end.durationS);
        break;
    }
    this.dispatch();
    this.reporter.schedule();
  }

  private afterFailure(pending: Pending, failure: Failure, durationS: number): void {
    if (this.state === 'running' && this.policy.retryNow(failure, pending.retriesLeft)) {
      pending.retriesLeft--;
      this.options.campaign.calcs.requeue(pending.key);
      this.queue.unshift(pending);
      this.options.observer?.notice?.(
        `${pending.spec.label ?? pending.key.slice(0, 12)}: ${failure.class} (${failure.message}); retrying`,
      );
      return;
    }
    this.tally.record(pending.key, 'failed');
    this.reporter.failed(
      { key: pending.key, label: pending.spec.label ?? null, program: pending.spec.program },
      failure,
    );
    this.emitPending(pending, 'failed', durationS, failure);
    this.settle(pending, { status: 'failed', key: pending.key, cached: false, failure });
    if (this.threshold.record(pending.item) && this.state === 'running') {
      this.setState(
        'paused',
        `paused: ${this.threshold.count} items failed (failure threshold ${this.threshold.threshold}); look at the failures, then run again`,
      );
    }
  }

  // ── infrastructure and store failures ─────────────────────────────────────

  /** An executor method threw: the run pauses with one line naming the executor and the fix. */
  private executorFailed(error: unknown, workdir?: string): void {
    const line = executorFailureLine(this.options.executor.name, error, workdir);
    if (this.state === 'running') this.setState('paused', line);
    else if (this.message !== line) this.options.observer?.notice?.(line);
  }

  private cancel(handle: JobHandle): void {
    this.options.executor.cancel(handle, 'kill').catch((error: unknown) => {
      this.options.observer?.notice?.(executorFailureLine(this.options.executor.name, error));
    });
  }

  /** Runs `work`, ending the run `failed` if it throws (a store or file-system failure). */
  private guard(work: Promise<void>): void {
    work.catch((error: unknown) => {
      this.failWith(error);
    });
  }

  private failWith(error: unknown): void {
    this.failRun(storeFailureLine(this.options.campaign.paths.db, error));
  }

  private failRun(line: string): void {
    if (this.failed || this.ended) return;
    this.failed = true;
    this.state = 'failed';
    this.message = line;
    this.queue.length = 0;
    this.options.observer?.stateChanged?.('failed', line);
    this.checkIdle();
  }

  // ── bookkeeping ───────────────────────────────────────────────────────────

  private notRun(key: string): CalcResolution {
    return { status: 'not_run', key, reason: this.message ?? 'the run is stopping' };
  }

  private settle(pending: Pending, resolution: CalcResolution): void {
    this.pending.delete(pending.key);
    for (const resolve of pending.waiters) resolve(resolution);
    this.checkIdle();
  }

  private setState(state: RunState, message: string | null): void {
    if (state !== this.state) assertTransition('run', RUN_TRANSITIONS, this.state, state);
    this.state = state;
    this.message = message;
    try {
      this.options.campaign.runs.setState(this.runId, state, message ?? undefined);
    } catch (error) {
      this.failWith(error);
      return;
    }
    this.options.observer?.stateChanged?.(state, message);
    this.reporter.write();
  }

  /**
   * The run is idle when nothing runs and either every request is settled or it is draining;
   * a draining run settles what it will not start as `not_run` at once, so that callers
   * waiting on those requests go on before finish() is called. A failed run is idle at once:
   * it waits for nothing.
   */
  private checkIdle(): void {
    if (this.active.size > 0 && !this.failed) return;
    const draining = this.state !== 'running';
    if (!draining && (this.pending.size > 0 || this.queue.length > 0)) return;
    if (draining) {
      this.queue.length = 0;
      for (const p of [...this.pending.values()]) {
        this.tally.leftUnrun(p.key);
        this.pending.delete(p.key);
        const resolution = this.notRun(p.key);
        for (const resolve of p.waiters) resolve(resolution);
      }
    }
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Tells the observer that a calc (`who`: its key, label and program) reached an outcome. */
  private emit(
    who: Pick<Calc, 'key' | 'label' | 'program'>,
    outcome: CalcEvent['outcome'],
    durationS: number,
    failure: Failure | undefined,
  ): void {
    this.options.observer?.calcFinished?.({
      key: who.key,
      label: who.label,
      program: who.program,
      outcome,
      durationS,
      ...this.tally.progress(),
      ...(failure === undefined ? {} : { failure }),
    });
  }

  private emitPending(
    pending: Pending,
    outcome: CalcEvent['outcome'],
    durationS: number,
    failure: Failure | undefined,
  ): void {
    const { key, spec } = pending;
    this.emit(
      { key, label: spec.label ?? null, program: spec.program },
      outcome,
      durationS,
      failure,
    );
  }
}

/** Runs a step of starting a run; a store or file-system failure becomes one line. */
async function storeStep(campaign: Campaign, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (error) {
    if (error instanceof CampaignError) throw error;
    throw new CampaignError(storeFailureLine(campaign.paths.db, error), { cause: error });
  }
}

function newRunId(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}
