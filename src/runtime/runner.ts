import { existsSync, renameSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { calcWorkdir } from '../core/campaign-layout.js';
import { calcKey, keyedSpec } from '../core/calc-key.js';
import type { CalcSpec, JsonValue, Resources } from '../core/calc-spec.js';
import { canonicalJson } from '../core/canonical-json.js';
import { errorMessage } from '../core/errors.js';
import { FailureClass, isFailureClass, type Failure } from '../core/failure.js';
import type { JobExit, JobOutputs, JobSpec, Outcome } from '../core/job-spec.js';
import { RUN_TRANSITIONS, type RunState } from '../core/run-state.js';
import { assertTransition } from '../core/transitions.js';
import type { Engine } from '../engines/engine.js';
import { getEngine } from '../engines/registry.js';
import type { Executor, ExecutorJob, RunningJob } from '../executors/executor.js';
import type { CalcRow } from '../store/calc-store.js';
import { nowIso } from '../store/calc-store.js';
import type { Campaign } from './campaign.js';
import { FailureThreshold } from './control/failure-threshold.js';
import { RollingEta } from './control/rolling-eta.js';
import { writeStatusFile, type StatusSnapshot } from './control/status-file.js';
import { clearStopRequest, isStopRequested, stopRequest } from './control/stop-request.js';
import type { CalcEvent, RunObserver } from './run-observer.js';

/**
 * How a requested calc ended for the one who asked:
 * - `succeeded`: with its result, `cached` when it came from the store without running;
 * - `failed`: with its classified failure, `cached` when it had failed in an earlier run and
 *   was not queued again (a failure that repeating cannot fix);
 * - `not_run`: the run stopped or paused before it could run; it stays queued for the next run.
 */
export type CalcResolution =
  | {
      readonly status: 'succeeded';
      readonly key: string;
      readonly cached: boolean;
      readonly result: Readonly<Record<string, JsonValue>>;
      readonly programVersion: string | null;
    }
  | {
      readonly status: 'failed';
      readonly key: string;
      readonly cached: boolean;
      readonly failure: Failure;
    }
  | { readonly status: 'not_run'; readonly key: string; readonly reason: string };

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

/** What a run did, when it ends. */
export interface RunSummary {
  readonly runId: string;
  readonly state: RunState;
  readonly message: string | null;
  readonly totals: StatusSnapshot['totals'];
}

interface Pending {
  readonly key: string;
  readonly spec: CalcSpec;
  readonly engine: Engine;
  /** The engine's job for the spec, prepared once. */
  readonly job: JobSpec;
  readonly item: string;
  readonly waiters: ((resolution: CalcResolution) => void)[];
  retriesLeft: number;
}

interface Active {
  readonly pending: Pending;
  readonly execJob: ExecutorJob;
  readonly startedAt: string;
  running: RunningJob | undefined;
  returnOnExit: boolean;
}

/**
 * The runner: the one process that drives a campaign's calcs.
 *
 * Callers (the CLI, pipelines) `request` calcs and get a promise of their outcome; the runner
 * answers from the store when the key is known, dispatches the rest to the executor within
 * `workers`, records every transition in the store before its side effect, re-adopts calcs a
 * previous runner left in flight, and writes status.json after every change. `finish()` waits
 * until every request is settled (or the run is stopped or paused) and records the final state.
 *
 * Control: `stop()` (or the STOP file) drains — running calcs finish, nothing new starts;
 * `kill()` also kills the running calcs and returns them to the queue; reaching the failure
 * threshold pauses (a drain that ends in `paused`).
 */
export class Runner {
  readonly runId: string;
  private state: RunState = 'running';
  private message: string | null = null;
  private readonly queue: Pending[] = [];
  private readonly pending = new Map<string, Pending>();
  private readonly active = new Map<string, Active>();
  private readonly requested = new Set<string>();
  private readonly counts = { cached: 0, succeeded: 0, failed: 0 };
  private readonly eta = new RollingEta(10);
  private readonly threshold: FailureThreshold;
  private readonly failures: StatusSnapshot['recent_failures'][number][] = [];
  private readonly versionProbes = new Map<string, Promise<string | undefined>>();
  private readonly startedAt = nowIso();
  private readonly idleWaiters: (() => void)[] = [];
  private statusTimer: NodeJS.Timeout | undefined;
  private statusWrittenAt = 0;
  private ended = false;
  /** Requests settled `not_run` because the run was draining. */
  private leftUnrun = 0;
  private stopTimer: NodeJS.Timeout | undefined;
  private readonly workers: number;

  private constructor(private readonly options: RunnerOptions) {
    this.runId = newRunId();
    this.threshold = new FailureThreshold(options.failureThreshold);
    this.workers = Math.max(1, Math.min(options.workers, options.executor.slots));
  }

  /**
   * Starts a run: records it, closes the records of runners that died, re-adopts every calc
   * left submitted or running by them, and starts watching the STOP file. The caller holds
   * the campaign's runner lock.
   */
  static async start(options: RunnerOptions): Promise<Runner> {
    const runner = new Runner(options);
    const { campaign } = options;
    // The caller holds the runner lock, so every run without an end was a runner that died.
    for (const run of campaign.runs.unfinished()) {
      campaign.runs.end(run.id, 'failed', `runner pid ${run.pid} ended without recording its end`);
    }
    if (isStopRequested(campaign.paths.stop)) {
      clearStopRequest(campaign.paths.stop);
      options.observer?.notice?.('removed a STOP file left by an earlier run');
    }
    campaign.runs.create({
      id: runner.runId,
      pid: process.pid,
      hostname: hostname(),
      command: options.command,
      executor: options.executor.name,
      workers: runner.workers,
    });
    await runner.recover();
    let killed = false;
    runner.stopTimer = setInterval(() => {
      if (runner.state !== 'running' && runner.state !== 'stopping') return;
      const request = stopRequest(campaign.paths.stop);
      if (request === 'now' && !killed) {
        killed = true;
        runner.kill('retort stop --now: running calcs killed and returned to the queue');
      } else if (request === 'drain' && runner.state === 'running') {
        runner.stop('a stop was requested (STOP file)');
      }
    }, options.stopPollMs ?? 250);
    runner.stopTimer.unref();
    runner.writeStatus();
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
    this.requested.add(key);
    const existing = this.pending.get(key);
    if (existing !== undefined) return new Promise((resolve) => existing.waiters.push(resolve));

    const row = this.options.campaign.calcs.want(
      {
        key,
        program: spec.program,
        task: spec.task,
        adapterVersion: engine.adapterVersion,
        specJson: canonicalJson(keyedSpec(spec)),
        label: spec.label,
      },
      (failed) => this.shouldRequeue(failed, spec),
    );
    if (row.status === 'succeeded') {
      this.counts.cached++;
      const resolution: CalcResolution = {
        status: 'succeeded',
        key,
        cached: true,
        result: JSON.parse(row.result_json ?? '{}') as Record<string, JsonValue>,
        programVersion: row.program_version,
      };
      this.emit(row, 'cached', 0, undefined);
      return Promise.resolve(resolution);
    }
    if (row.status === 'failed') {
      this.counts.cached++;
      const failure: Failure = {
        class: (row.failure_class ?? 'crash') as Failure['class'],
        message: row.failure_message ?? '',
      };
      this.emit(row, 'cached_failure', 0, failure);
      return Promise.resolve({ status: 'failed', key, cached: true, failure });
    }
    if (row.status === 'queued' && this.state !== 'running') {
      // Draining: nothing new starts; the calc stays queued for the next run.
      this.leftUnrun++;
      return Promise.resolve({
        status: 'not_run',
        key,
        reason: this.message ?? 'the run is stopping',
      });
    }
    // queued (new, or left queued by an earlier run), or in flight and already adopted.
    const pending: Pending = {
      key,
      spec,
      engine,
      job,
      item: item ?? key,
      waiters: [],
      retriesLeft: this.options.retries,
    };
    const promise = new Promise<CalcResolution>((resolve) => pending.waiters.push(resolve));
    this.pending.set(key, pending);
    if (row.status === 'queued') {
      this.queue.push(pending);
      this.dispatch();
    }
    this.scheduleStatus();
    return promise;
  }

  /** Rewrites status.json soon: something outside the runner changed (a SLURM job's state). */
  statusChanged(): void {
    if (!this.ended) this.scheduleStatus();
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
    if (this.ended) return;
    if (this.state === 'stopping') {
      this.message = reason;
      this.options.observer?.notice?.(reason);
    } else {
      this.setState('stopping', reason);
    }
    for (const active of this.active.values()) {
      active.returnOnExit = true;
      if (active.running !== undefined) {
        void this.options.executor.cancel(active.running.handle, 'kill');
      }
    }
    this.checkIdle();
  }

  /**
   * Waits until every request has an outcome, or until a stop or pause has let the running
   * calcs finish; records the final state, writes the last status and releases timers.
   * Requests still unsettled resolve `not_run`.
   */
  async finish(): Promise<RunSummary> {
    await new Promise<void>((resolve) => {
      this.idleWaiters.push(resolve);
      this.checkIdle();
    });
    if (this.stopTimer !== undefined) clearInterval(this.stopTimer);
    const finalState: RunState =
      this.state === 'paused' ? 'paused' : this.leftUnrun > 0 ? 'stopped' : 'complete';
    if (finalState !== this.state) assertTransition('run', RUN_TRANSITIONS, this.state, finalState);
    this.state = finalState;
    this.ended = true;
    this.options.campaign.runs.end(this.runId, finalState, this.message ?? undefined);
    this.options.observer?.stateChanged?.(finalState, this.message);
    clearStopRequest(this.options.campaign.paths.stop);
    this.writeStatus();
    return { runId: this.runId, state: this.state, message: this.message, totals: this.totals() };
  }

  /** Marks the run failed after an error the runner cannot handle. */
  fail(message: string): void {
    if (!this.ended) {
      this.ended = true;
      this.state = 'failed';
      this.message = message;
      this.options.campaign.runs.end(this.runId, 'failed', message);
    }
    if (this.stopTimer !== undefined) clearInterval(this.stopTimer);
    this.writeStatus();
  }

  // ── dispatch ──────────────────────────────────────────────────────────────

  private dispatch(): void {
    while (this.state === 'running' && this.active.size < this.workers && this.queue.length > 0) {
      const next = this.queue.shift();
      if (next === undefined) break;
      void this.launch(next);
    }
    this.checkIdle();
  }

  private async launch(pending: Pending): Promise<void> {
    const { calcs, paths } = this.options.campaign;
    const { executor } = this.options;
    const { key } = pending;
    const job = this.resolvePrograms(pending.job);
    const workdir = calcWorkdir(paths, key);
    if (existsSync(workdir)) renameSync(workdir, `${workdir}~${calcs.get(key)?.attempts ?? 0}`);
    const submittedAt = nowIso();
    const attempt = calcs.submit(key, {
      runId: this.runId,
      executor: executor.name,
      workdir,
      argv: job.argv,
      env: job.env,
      inputs: job.files,
      resources: resourcesJson(job.resources),
      submittedAt,
    });
    const execJob: ExecutorJob = { key, attempt, workdir, job };
    const active: Active = {
      pending,
      execJob,
      startedAt: submittedAt,
      running: undefined,
      returnOnExit: false,
    };
    this.active.set(key, active);
    this.scheduleStatus();
    let running: RunningJob;
    try {
      running = await executor.submit(execJob);
    } catch (error) {
      const failure: Failure = {
        class: 'crash',
        message: `could not start: ${errorMessage(error)}`,
      };
      const now = nowIso();
      calcs.failed(key, attempt, failure, {
        endedAt: now,
        startedAt: undefined,
        exitCode: null,
        signal: null,
        programVersion: undefined,
      });
      this.active.delete(key);
      this.afterFailure(pending, failure, 0);
      return;
    }
    active.running = running;
    calcs.started(key, attempt, running.handle, nowIso());
    if (active.returnOnExit) void executor.cancel(running.handle, 'kill');
    await this.follow(active, running);
  }

  /** Waits for a started or adopted job to end and records its outcome. */
  private async follow(active: Active, running: RunningJob): Promise<void> {
    const { calcs } = this.options.campaign;
    const { pending, execJob } = active;
    const exit = await running.exit;
    if (active.returnOnExit) {
      calcs.returned(pending.key, execJob.attempt, 'killed by a hard stop; it will run again');
      this.active.delete(pending.key);
      this.checkIdle();
      this.scheduleStatus();
      return;
    }
    const outcome = await this.outcomeOf(pending, execJob, exit);
    const programVersion = outcome.programVersion ?? (await this.probeVersion(pending.engine));
    const end = {
      endedAt: exit.endedAt,
      startedAt: exit.startedAt,
      exitCode: exit.exitCode,
      signal: exit.signal,
      programVersion,
    };
    const durationS = Math.max(0, (Date.parse(exit.endedAt) - Date.parse(exit.startedAt)) / 1000);
    this.active.delete(pending.key);
    if (outcome.ok) {
      calcs.succeeded(pending.key, execJob.attempt, outcome.result, end);
      this.counts.succeeded++;
      this.eta.add(durationS);
      this.emitPending(pending, 'succeeded', durationS, undefined);
      this.settle(pending, {
        status: 'succeeded',
        key: pending.key,
        cached: false,
        result: outcome.result,
        programVersion: programVersion ?? null,
      });
    } else {
      calcs.failed(pending.key, execJob.attempt, outcome.failure, end);
      this.eta.add(durationS);
      this.afterFailure(pending, outcome.failure, durationS);
    }
    this.dispatch();
    this.scheduleStatus();
  }

  private afterFailure(pending: Pending, failure: Failure, durationS: number): void {
    const { calcs } = this.options.campaign;
    if (
      FailureClass[failure.class].retryable &&
      pending.retriesLeft > 0 &&
      this.state === 'running'
    ) {
      pending.retriesLeft--;
      calcs.requeue(pending.key);
      this.queue.unshift(pending);
      this.options.observer?.notice?.(
        `${pending.spec.label ?? pending.key.slice(0, 12)}: ${failure.class} (${failure.message}); retrying`,
      );
      this.dispatch();
      return;
    }
    this.counts.failed++;
    this.failures.unshift({
      key: pending.key,
      label: pending.spec.label ?? null,
      program: pending.spec.program,
      class: failure.class,
      message: failure.message,
      at: nowIso(),
    });
    this.failures.length = Math.min(this.failures.length, 10);
    this.emitPending(pending, 'failed', durationS, failure);
    this.settle(pending, { status: 'failed', key: pending.key, cached: false, failure });
    if (this.threshold.record(pending.item) && this.state === 'running') {
      this.setState(
        'paused',
        `paused: ${this.threshold.count} items failed (failure threshold ${this.threshold.threshold}); look at the failures, then run again`,
      );
    }
    this.dispatch();
    this.scheduleStatus();
  }

  private async outcomeOf(pending: Pending, execJob: ExecutorJob, exit: JobExit): Promise<Outcome> {
    let outputs: JobOutputs;
    try {
      outputs = await this.options.executor.collect(execJob, exit);
    } catch (error) {
      return {
        ok: false,
        failure: {
          class: 'lost',
          message: `outputs could not be collected: ${errorMessage(error)}`,
        },
      };
    }
    try {
      return pending.engine.parse(outputs, pending.spec);
    } catch (error) {
      return {
        ok: false,
        failure: {
          class: 'parse_error',
          message: `the output could not be read: ${errorMessage(error)}`,
        },
      };
    }
  }

  private probeVersion(engine: Engine): Promise<string | undefined> {
    const probe = engine.versionProbe;
    if (probe === undefined) return Promise.resolve(undefined);
    let version = this.versionProbes.get(engine.program);
    if (version === undefined) {
      const argv = this.resolveArgv(probe.argv);
      version = this.options.executor.probe(argv).then(
        (r) => probe.parse(r.stdout, r.stderr),
        () => undefined,
      );
      this.versionProbes.set(engine.program, version);
    }
    return version;
  }

  // ── recovery ──────────────────────────────────────────────────────────────

  /** Re-adopts every calc an earlier runner left submitted or running. */
  private async recover(): Promise<void> {
    const { calcs } = this.options.campaign;
    const { executor, observer } = this.options;
    for (const row of calcs.inFlight()) {
      const attempt = calcs.latestAttempt(row.key);
      if (attempt === undefined) continue;
      if (attempt.executor !== executor.name) {
        observer?.notice?.(
          `calc ${row.key.slice(0, 12)} is in flight on executor ${attempt.executor}; run with --executor ${attempt.executor} to re-adopt it`,
        );
        continue;
      }
      const engine = getEngine(row.program);
      const spec = specFromStore(row, JSON.parse(attempt.resources_json) as Resources);
      const prepared = engine.prepare(spec);
      const job = this.resolvePrograms(prepared);
      const execJob: ExecutorJob = {
        key: row.key,
        attempt: attempt.attempt,
        workdir: attempt.workdir,
        job,
      };
      const handle =
        attempt.handle_json === null
          ? undefined
          : (JSON.parse(attempt.handle_json) as Record<string, JsonValue>);
      const running = await executor.adopt(execJob, handle);
      if (running === undefined) {
        calcs.returned(
          row.key,
          attempt.attempt,
          'never started: the runner ended before the job began',
        );
        continue;
      }
      if (row.status === 'submitted')
        calcs.started(row.key, attempt.attempt, running.handle, nowIso());
      const pending: Pending = {
        key: row.key,
        spec,
        engine,
        job: prepared,
        item: row.key,
        waiters: [],
        retriesLeft: this.options.retries,
      };
      this.pending.set(row.key, pending);
      this.requested.add(row.key);
      const active: Active = {
        pending,
        execJob,
        startedAt: attempt.started_at ?? attempt.submitted_at,
        running,
        returnOnExit: false,
      };
      this.active.set(row.key, active);
      observer?.notice?.(
        `re-adopted ${row.label ?? row.key.slice(0, 12)} (attempt ${attempt.attempt}, left running by an earlier run)`,
      );
      void this.follow(active, running);
    }
  }

  // ── bookkeeping ───────────────────────────────────────────────────────────

  /**
   * Whether a calc that failed in an earlier run is run again: always with --retry-failed;
   * otherwise when repeating it can help — a retryable failure (killed, lost, cancelled), or a
   * timeout that is now asked for with more walltime than its last attempt had.
   */
  private shouldRequeue(row: CalcRow, spec: CalcSpec): boolean {
    if (this.options.retryFailed) return true;
    const cls = row.failure_class;
    if (cls === null || !isFailureClass(cls)) return false;
    if (FailureClass[cls].retryable) return true;
    if (!FailureClass[cls].retryableWithMoreTime) return false;
    const last = this.options.campaign.calcs.latestAttempt(row.key);
    const given =
      last === undefined ? 0 : (JSON.parse(last.resources_json) as Resources).walltime_s;
    return spec.resources.walltime_s > given;
  }

  private resolvePrograms(job: JobSpec): JobSpec {
    return { ...job, argv: this.resolveArgv(job.argv) };
  }

  private resolveArgv(argv: readonly string[]): string[] {
    const [program, ...rest] = argv;
    if (program === undefined) return [];
    const programs = this.options.programs ?? this.options.campaign.settings.programs;
    return [programs[program] ?? program, ...rest];
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
    this.options.campaign.runs.setState(this.runId, state, message ?? undefined);
    this.options.observer?.stateChanged?.(state, message);
    this.writeStatus();
  }

  /**
   * The run is idle when nothing runs and either every request is settled or it is draining;
   * a draining run settles what it will not start as `not_run` at once, so that callers
   * waiting on those requests go on before finish() is called.
   */
  private checkIdle(): void {
    if (this.active.size > 0) return;
    const draining = this.state !== 'running';
    if (!draining && (this.pending.size > 0 || this.queue.length > 0)) return;
    if (draining) {
      this.queue.length = 0;
      for (const p of [...this.pending.values()]) {
        this.leftUnrun++;
        this.pending.delete(p.key);
        const resolution: CalcResolution = {
          status: 'not_run',
          key: p.key,
          reason: this.message ?? 'the run stopped',
        };
        for (const resolve of p.waiters) resolve(resolution);
      }
    }
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Tells the observer that a calc (`who`: its key, label and program) reached an outcome. */
  private emit(
    who: { readonly key: string; readonly label: string | null; readonly program: string },
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
      done: this.completed(),
      total: this.requested.size,
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

  private completed(): number {
    return this.counts.cached + this.counts.succeeded + this.counts.failed;
  }

  private totals(): StatusSnapshot['totals'] {
    const completed = this.completed();
    return {
      total: this.requested.size,
      completed,
      succeeded: this.counts.succeeded,
      failed: this.counts.failed,
      cached: this.counts.cached,
      running: this.active.size,
      queued: Math.max(0, this.requested.size - completed - this.active.size),
    };
  }

  /**
   * Coalesces status writes: at most one every STATUS_INTERVAL_MS, the last change always
   * written. Writing after every single change cost 0.5 ms per calc in bench/overhead (a third
   * of the budget) for updates nobody can read that fast.
   */
  private scheduleStatus(): void {
    if (this.statusTimer !== undefined) return;
    const wait = Math.max(0, this.statusWrittenAt + STATUS_INTERVAL_MS - Date.now());
    this.statusTimer = setTimeout(() => {
      this.statusTimer = undefined;
      // finish() writes the last status itself; after it the campaign may be gone.
      if (!this.ended) this.writeStatus();
    }, wait);
  }

  private writeStatus(): void {
    if (this.statusTimer !== undefined) {
      clearTimeout(this.statusTimer);
      this.statusTimer = undefined;
    }
    this.statusWrittenAt = Date.now();
    const totals = this.totals();
    const etaS = this.eta.etaS(totals.queued + totals.running, this.workers);
    const snapshot: StatusSnapshot = {
      run_id: this.runId,
      pid: process.pid,
      command: this.options.command.join(' '),
      executor: this.options.executor.name,
      workers: this.workers,
      state: this.state,
      started_at: this.startedAt,
      updated_at: nowIso(),
      totals,
      current: [...this.active.values()].map((a) => ({
        key: a.pending.key,
        label: a.pending.spec.label ?? null,
        program: a.pending.spec.program,
        started_at: a.startedAt,
      })),
      recent_failures: this.failures,
      rolling_avg_s: this.eta.averageS(),
      eta_s: etaS,
      eta_at: etaS === null ? null : new Date(Date.now() + etaS * 1000).toISOString(),
      message: this.message,
      ...(this.options.executor.jobs === undefined
        ? {}
        : { scheduler_jobs: this.options.executor.jobs() }),
    };
    writeStatusFile(this.options.campaign.paths.status, snapshot);
    this.options.observer?.status?.(snapshot);
  }
}

function resourcesJson(resources: Resources): JsonValue {
  return {
    cores: resources.cores,
    walltime_s: resources.walltime_s,
    ...(resources.memory_mb === undefined ? {} : { memory_mb: resources.memory_mb }),
  };
}

/** Rebuilds a calc's spec from the store: the keyed spec plus the resources of its attempt. */
function specFromStore(row: CalcRow, resources: Resources): CalcSpec {
  const keyed = JSON.parse(row.spec_json) as Omit<CalcSpec, 'resources'>;
  return { ...keyed, resources, ...(row.label === null ? {} : { label: row.label }) };
}

/** Minimum time between two writes of status.json, ms. */
const STATUS_INTERVAL_MS = 100;

function newRunId(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}
