import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
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
import type { CalcResolution, CalcRunner, RequestOptions, RunSummary } from '../calc-request.js';
import type { Campaign } from '../campaign.js';
import { FailureThreshold } from '../control/failure-threshold.js';
import type { ItemTotals, Relaunch } from '../control/status-file.js';
import {
  CANCELLED_BY_USER,
  cancelRequests,
  clearCancelRequest,
} from '../control/cancel-request.js';
import { clearStopRequest, isStopRequested } from '../control/stop-request.js';
import type { CalcEvent, RunObserver } from '../run-observer.js';
import { RunLog } from '../run-log.js';
import { CostModel } from '../scheduling/learned-cost.js';
import type { LogLevel } from '../settings.js';
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
import { RetryPolicy, type RetryBackoff } from './retry-policy.js';
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
  /** How to start the same run again (written to status.json for live views). */
  readonly relaunch?: Relaunch;
  /** Pause after this many distinct items failed in this run (0: never). */
  readonly failureThreshold: number;
  /** Automatic retries of failures that repeating can fix (killed, lost). */
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
  /** The wait before an automatic retry (default retry-policy.ts DEFAULT_BACKOFF). */
  readonly backoff?: RetryBackoff;
  /** What logs/<run id>.jsonl records (default info). */
  readonly logLevel?: LogLevel;
  /** Predicts calcs' wall times (default: learned from the campaign's store when the run starts). */
  readonly cost?: CostModel;
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
 * Order: calcs asked for together (in one turn of the event loop) are started by priority,
 * then longest predicted wall time first (scheduling/learned-cost.ts), then in the order asked
 * — longest-processing-time-first keeps a long calc from starting last and running alone. A
 * calc retried automatically waits for its backoff (retry-policy.ts) without holding a worker;
 * the time is in the store, so a restarted runner keeps to it. Every event goes to
 * logs/<run id>.jsonl (run-log.ts).
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
  private readonly log: RunLog;
  private readonly cost: CostModel;
  /** The queue is sorted when this is false. */
  private queueSorted = true;
  private dispatchSoon: NodeJS.Immediate | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private requests = 0;
  private stopPolling: () => void = () => undefined;
  /** Calcs whose job is being killed for a cancel request (control/cancel-request.ts). */
  private readonly cancelling = new Set<string>();
  /** The run has failed (a store error, or `fail`): nothing more is recorded or started. */
  private failed = false;
  private ended = false;
  /** A pipeline left items unstarted when the run stopped ({@link workLeft}). */
  private itemsLeft = false;
  private items: (() => Readonly<Record<string, ItemTotals>>) | undefined;

  private constructor(private readonly options: RunnerOptions) {
    const { campaign, executor } = options;
    this.runId = newRunId();
    this.threshold = new FailureThreshold(options.failureThreshold);
    this.policy = new RetryPolicy(options.retries, options.retryFailed, options.backoff);
    this.log = new RunLog(
      join(campaign.paths.logs, `${this.runId}.jsonl`),
      this.runId,
      options.logLevel ?? 'info',
      (line) => options.observer?.notice?.(line),
    );
    this.cost = options.cost ?? CostModel.learn(campaign.calcs.timings(LEARN_FROM));
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
      {
        runId: this.runId,
        command: options.command,
        executor,
        workers: this.workers,
        ...(options.relaunch === undefined ? {} : { relaunch: options.relaunch }),
      },
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
        items: this.items?.(),
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
    const { campaign } = options;
    await storeStep(campaign, async () => {
      closeDeadRuns(campaign.runs);
      if (isStopRequested(campaign.paths.stop)) {
        clearStopRequest(campaign.paths.stop);
        runner.notice('removed a STOP file left by an earlier run');
      }
      campaign.runs.create({
        id: runner.runId,
        pid: process.pid,
        hostname: hostname(),
        command: options.command,
        executor: options.executor.name,
        workers: runner.workers,
      });
      runner.log.write('info', 'run_started', {
        command: options.command,
        executor: options.executor.name,
        workers: runner.workers,
      });
      const recovery = await readopt(runner.attempts, options.retries, {
        notice: (line) => {
          runner.notice(line);
        },
      });
      for (const { active, running } of recovery.adopted) {
        const { key } = active.pending;
        runner.pending.set(key, active.pending);
        runner.tally.add(key);
        runner.active.set(key, active);
        runner.guard(runner.follow(active, running));
      }
      if (recovery.unavailable !== undefined) runner.executorFailed(recovery.unavailable);
    });
    const pollMs = options.stopPollMs ?? 250;
    const stopStopPolling = pollStopFile(campaign.paths.stop, pollMs, runner);
    // Requests left by a runner that died are obeyed before any calc is requested.
    runner.obeyCancels();
    const cancelTimer = setInterval(() => {
      runner.obeyCancels();
    }, pollMs);
    cancelTimer.unref();
    runner.stopPolling = () => {
      stopStopPolling();
      clearInterval(cancelTimer);
    };
    runner.reporter.write();
    return runner;
  }

  /** The run's structured log, logs/<run id>.jsonl (run-log.ts). */
  get logPath(): string {
    return this.log.path;
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
  request(spec: CalcSpec, item?: string, options: RequestOptions = {}): Promise<CalcResolution> {
    const engine = getEngine(spec.program);
    const job = engine.prepare(spec);
    const key = calcKey(spec, engine.adapterVersion);
    if (this.failed) return Promise.resolve(this.notRun(key));
    this.tally.add(key);
    const existing = this.pending.get(key);
    if (existing !== undefined) {
      // The most urgent of those who asked decides.
      if ((options.priority ?? 0) > existing.priority && !this.active.has(key)) {
        existing.priority = options.priority ?? 0;
        this.queueSorted = false;
      }
      return new Promise((resolve) => existing.waiters.push(resolve));
    }
    try {
      return this.lookUp(spec, item ?? key, engine, job, key, options.priority ?? 0);
    } catch (error) {
      this.failWith(error);
      return Promise.resolve(this.notRun(key));
    }
  }

  /**
   * Shows a pipeline's own counts (a workflow's instances and steps) in status.json from now
   * on: `totals` is read at every write; the pipeline calls `statusChanged` when they change.
   */
  countItems(totals: () => Readonly<Record<string, ItemTotals>>): void {
    this.items = totals;
    this.statusChanged();
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
  workLeft(): void {
    this.itemsLeft = true;
  }

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
      this.notice(reason);
    } else {
      this.setState('stopping', reason);
    }
    for (const active of this.active.values()) {
      active.returnOnExit = true;
      if (active.running !== undefined) this.cancel(active.running.handle, 'kill');
    }
    this.checkIdle();
  }

  /**
   * Obeys the cancel requests in the campaign's cancel/ (control/cancel-request.ts): a calc
   * running here is killed (TERM, then KILL after the executor's grace period) and ends
   * `failed`, class `cancelled`, when its job has ended; a queued one ends so at once, whether
   * this run has asked for it yet or not. A request for a calc in flight on another executor
   * waits for the run that re-adopts it; one for a calc already finished is dropped.
   */
  private obeyCancels(): void {
    if (this.ended || this.failed) return;
    const { campaign } = this.options;
    try {
      for (const key of cancelRequests(campaign.paths.cancel)) {
        if (this.cancelling.has(key)) continue;
        const active = this.active.get(key);
        if (active !== undefined) {
          this.cancelling.add(key);
          active.cancelled = true;
          if (active.running !== undefined) this.cancel(active.running.handle, 'graceful');
          this.logCalc('warn', 'calc_cancel_requested', active.pending, {});
          this.notice(
            `${active.pending.spec.label ?? key.slice(0, 12)}: cancel requested; killing it`,
          );
          continue;
        }
        const calc = campaign.calcs.get(key);
        if (calc === undefined || calc.status === 'succeeded' || calc.status === 'failed') {
          clearCancelRequest(campaign.paths.cancel, key);
          continue;
        }
        if (calc.status !== 'queued') continue;
        campaign.calcs.cancelQueued(key, CANCELLED_BY_USER);
        clearCancelRequest(campaign.paths.cancel, key);
        this.notice(`${calc.label ?? key.slice(0, 12)}: cancelled before it started`);
        const pending = this.pending.get(key);
        if (pending === undefined) continue;
        const at = this.queue.indexOf(pending);
        if (at >= 0) this.queue.splice(at, 1);
        this.logCalc('warn', 'calc_cancelled', pending, {});
        this.endCancelled(pending, 0);
        this.reporter.schedule();
      }
    } catch (error) {
      this.failWith(error);
    }
  }

  /** A calc the user cancelled has its outcome: failed, not retried, not counted for a pause. */
  private endCancelled(pending: Pending, durationS: number): void {
    this.tally.record(pending.key, 'failed');
    this.reporter.failed(
      { key: pending.key, label: pending.spec.label ?? null, program: pending.spec.program },
      CANCELLED_BY_USER,
    );
    this.emitPending(pending, 'failed', durationS, CANCELLED_BY_USER);
    this.settle(pending, {
      status: 'failed',
      key: pending.key,
      cached: false,
      failure: CANCELLED_BY_USER,
    });
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
    this.clearTimers();
    const finalState: RunState = this.failed
      ? 'failed'
      : this.state === 'paused'
        ? 'paused'
        : this.tally.anyUnrun || this.itemsLeft
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
    this.log.write(this.state === 'failed' ? 'error' : 'info', 'run_ended', {
      state: this.state,
      message: this.message,
      totals: this.tally.totals(this.failed ? 0 : this.active.size),
    });
    this.log.close();
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
    priority: number,
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
    const notBefore = found.retryNotBefore === null ? 0 : Date.parse(found.retryNotBefore);
    const pending: Pending = {
      key,
      spec,
      engine,
      job,
      item,
      waiters: [],
      retriesLeft: this.policy.retries,
      priority,
      predictedS: this.cost.predict(spec).seconds,
      notBefore: notBefore > Date.now() ? notBefore : 0,
      seq: this.requests++,
    };
    const promise = new Promise<CalcResolution>((resolve) => pending.waiters.push(resolve));
    this.pending.set(key, pending);
    this.enqueue(pending);
    this.logCalc('debug', 'calc_queued', pending, {
      priority,
      not_before: pending.notBefore === 0 ? null : new Date(pending.notBefore).toISOString(),
    });
    // Requests made together are ordered together: the dispatch waits for the end of the turn.
    this.dispatchSoon ??= setImmediate(() => {
      this.dispatchSoon = undefined;
      this.dispatch();
    });
    this.reporter.schedule();
    return promise;
  }

  private enqueue(pending: Pending): void {
    this.queue.push(pending);
    this.queueSorted = false;
  }

  /**
   * Starts queued calcs while workers are free: by priority, then longest predicted first,
   * then in order of asking; a calc waiting for its retry backoff is passed over, and a timer
   * comes back for the first of them.
   */
  private dispatch(): void {
    if (!this.queueSorted) {
      this.queue.sort(
        (a, b) => b.priority - a.priority || b.predictedS - a.predictedS || a.seq - b.seq,
      );
      this.queueSorted = true;
    }
    const now = Date.now();
    let waitUntil = Infinity;
    for (let i = 0; i < this.queue.length;) {
      if (this.state !== 'running' || this.active.size >= this.workers) break;
      const next = this.queue[i];
      if (next === undefined) break;
      if (next.notBefore > now) {
        waitUntil = Math.min(waitUntil, next.notBefore);
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      this.guard(this.launch(next));
    }
    if (waitUntil < Infinity && this.state === 'running') this.wakeAt(waitUntil);
    this.checkIdle();
  }

  /** Dispatches again at `at` (epoch ms), for a calc whose backoff ends then. */
  private wakeAt(at: number): void {
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = undefined;
        this.dispatch();
        this.reporter.schedule();
      },
      Math.max(0, at - Date.now()),
    );
  }

  private clearTimers(): void {
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    if (this.dispatchSoon !== undefined) clearImmediate(this.dispatchSoon);
    this.retryTimer = undefined;
    this.dispatchSoon = undefined;
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
    if (started.active.returnOnExit) this.cancel(started.running.handle, 'kill');
    else if (started.active.cancelled) this.cancel(started.running.handle, 'graceful');
    this.logCalc('info', 'calc_started', pending, this.attemptFields(started.active));
    this.options.observer?.calcStarted?.({
      key: pending.key,
      label: pending.spec.label ?? null,
      program: pending.spec.program,
    });
    await this.follow(started.active, started.running);
  }

  /** Waits for a started or re-adopted job to end and acts on its outcome. */
  private async follow(active: Active, running: RunningJob): Promise<void> {
    const end = await awaitAttempt(this.attempts, active, running);
    this.active.delete(active.pending.key);
    this.attemptEnded(active.pending, end, this.attemptFields(active));
  }

  private attemptEnded(
    pending: Pending,
    end: AttemptEnd,
    attempt: Readonly<Record<string, unknown>> = {},
  ): void {
    // A cancelled calc that succeeded first keeps its result; one given back is cancelled from
    // the queue by the next look at the requests.
    if (end.kind !== 'failed' && this.cancelling.delete(pending.key) && end.kind === 'succeeded')
      clearCancelRequest(this.options.campaign.paths.cancel, pending.key);
    switch (end.kind) {
      case 'abandoned':
        return;
      case 'returned':
        break;
      case 'unavailable':
        // Not the calc's failure: it goes back to the queue for the next run.
        this.enqueue(pending);
        this.executorFailed(end.error, end.workdir);
        break;
      case 'succeeded':
        this.tally.record(pending.key, 'succeeded');
        this.reporter.calcEnded(end.durationS);
        this.logCalc('info', 'calc_finished', pending, { ...attempt, duration_s: end.durationS });
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
        this.afterFailure(pending, end.failure, end.durationS, attempt);
        break;
    }
    this.dispatch();
    this.reporter.schedule();
  }

  private afterFailure(
    pending: Pending,
    failure: Failure,
    durationS: number,
    attempt: Readonly<Record<string, unknown>>,
  ): void {
    const failureFields = { failure_class: failure.class, failure_message: failure.message };
    if (this.cancelling.delete(pending.key)) {
      clearCancelRequest(this.options.campaign.paths.cancel, pending.key);
      if (failure.class === 'cancelled') {
        this.logCalc('warn', 'calc_cancelled', pending, {
          ...attempt,
          duration_s: durationS,
        });
        this.endCancelled(pending, durationS);
        return;
      }
    }
    if (this.state === 'running' && this.policy.retryNow(failure, pending.retriesLeft)) {
      pending.retriesLeft--;
      const retry = this.policy.retries - pending.retriesLeft;
      const delayS = this.policy.delayS(retry);
      pending.notBefore = Date.now() + delayS * 1000;
      const notBefore = new Date(pending.notBefore).toISOString();
      this.options.campaign.calcs.requeue(pending.key, notBefore);
      this.enqueue(pending);
      this.logCalc('warn', 'retry_scheduled', pending, {
        ...attempt,
        ...failureFields,
        duration_s: durationS,
        retry,
        delay_s: delayS,
        not_before: notBefore,
      });
      this.notice(
        `${pending.spec.label ?? pending.key.slice(0, 12)}: ${failure.class} (${failure.message}); retry ${retry} in ${delayS.toFixed(1)} s`,
      );
      return;
    }
    this.logCalc('warn', 'calc_failed', pending, {
      ...attempt,
      ...failureFields,
      duration_s: durationS,
    });
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
    else if (this.message !== line) this.notice(line);
  }

  private cancel(handle: JobHandle, how: 'graceful' | 'kill'): void {
    this.options.executor.cancel(handle, how).catch((error: unknown) => {
      this.notice(executorFailureLine(this.options.executor.name, error));
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
    this.clearTimers();
    this.log.write('error', 'run_state', { state: 'failed', message: line });
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
    this.log.write('warn', 'run_state', { state, message });
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

  /** A note for the user: to the observer and the structured log. */
  private notice(message: string): void {
    this.log.write('info', 'notice', { message });
    this.options.observer?.notice?.(message);
  }

  /** Writes a calc's event to the structured log (run-log.ts documents the fields). */
  private logCalc(
    level: LogLevel,
    event: string,
    pending: Pending,
    fields: Readonly<Record<string, unknown>>,
  ): void {
    const { key, spec } = pending;
    this.log.write(level, event, {
      key,
      label: spec.label ?? null,
      program: spec.program,
      task: spec.task,
      predicted_s: pending.predictedS,
      ...fields,
    });
  }

  private attemptFields(active: Active): Readonly<Record<string, unknown>> {
    return {
      executor: this.options.executor.name,
      attempt: active.execJob.attempt,
      submitted_at: active.startedAt,
    };
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

/**
 * The successful attempts the cost model learns from when a run starts, newest first: enough
 * for every program and method a campaign uses, without reading a store of 300,000 calcs.
 */
const LEARN_FROM = 5000;

function newRunId(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}
