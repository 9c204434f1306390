import { ATTEMPT_TRANSITIONS, type AttemptStatus } from '../core/attempt-status.js';
import type { CalcSpec, JsonValue, Resources } from '../core/calc-spec.js';
import { CALC_TRANSITIONS, type CalcStatus } from '../core/calc-status.js';
import { canonicalJson } from '../core/canonical-json.js';
import { CampaignError } from '../core/errors.js';
import type { Failure } from '../core/failure.js';
import { assertTransition } from '../core/transitions.js';
import type { Db } from './database.js';
import {
  parseFailure,
  parseJsonObject,
  parseResources,
  parseStringList,
  parseStringMap,
} from './stored-json.js';

/** The part of a CalcSpec that decides its result (core/calc-key.ts `keyedSpec`). */
export type KeyedSpec = Omit<CalcSpec, 'resources' | 'label'>;

/** An engine's result, or an executor's handle: a JSON object. */
export type JsonObject = Readonly<Record<string, JsonValue>>;

/** A calc as the store knows it (the `calcs` table, see migrations.ts), fields parsed. */
export interface Calc {
  readonly key: string;
  readonly program: string;
  readonly task: string;
  readonly adapterVersion: string;
  readonly spec: KeyedSpec;
  readonly label: string | null;
  readonly status: CalcStatus;
  /** The failure of its latest failed attempt, while the calc is `failed`. */
  readonly failure: Failure | null;
  /** The engine's result, once `succeeded`. */
  readonly result: JsonObject | null;
  readonly programVersion: string | null;
  /** Attempts made, returned ones included. */
  readonly attempts: number;
  /** While queued for an automatic retry: not submitted before this ISO time. */
  readonly retryNotBefore: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** One hand-over of a calc to an executor (the `attempts` table), fields parsed. */
export interface Attempt {
  readonly calcKey: string;
  readonly attempt: number;
  readonly runId: string;
  readonly executor: string;
  readonly status: AttemptStatus;
  readonly workdir: string;
  /** The exact argv run, program path resolved. */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Every input file written, name → content. */
  readonly inputs: Readonly<Record<string, string>>;
  /** What was granted: cores, memory, walltime. */
  readonly resources: Resources;
  /** The executor's handle to re-adopt the job, once it started. */
  readonly handle: JsonObject | null;
  readonly programVersion: string | null;
  readonly submittedAt: string;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  readonly durationS: number | null;
  /** The wall time the cost model predicted when it was submitted, s. */
  readonly predictedS: number | null;
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** The classified failure of a `failed` attempt. */
  readonly failure: Failure | null;
  /** Why a `returned` attempt was given back. */
  readonly returnReason: string | null;
}

/** What is known of a calc before it is first recorded. */
export interface NewCalc {
  readonly key: string;
  readonly program: string;
  readonly task: string;
  readonly adapterVersion: string;
  readonly spec: KeyedSpec;
  readonly label: string | undefined;
}

/** What is recorded when a calc is handed to an executor, before the executor is called. */
export interface NewAttempt {
  readonly runId: string;
  readonly executor: string;
  readonly workdir: string;
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly inputs: Readonly<Record<string, string>>;
  readonly resources: Resources;
  readonly submittedAt: string;
  /** The cost model's predicted wall time, s. */
  readonly predictedS?: number;
}

/** How an attempt ended, as recorded with its outcome. */
export interface AttemptEnd {
  readonly endedAt: string;
  readonly startedAt: string | undefined;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly programVersion: string | undefined;
}

/** A failed attempt, with the calc it belongs to, for status displays. */
export interface RecentFailure {
  readonly key: string;
  readonly label: string | null;
  readonly program: string;
  readonly failure: Failure;
  readonly endedAt: string;
}

/** A calc queued again for an automatic retry, waiting for its backoff to pass. */
export interface WaitingRetry {
  readonly key: string;
  readonly label: string | null;
  readonly program: string;
  /** Attempts made so far. */
  readonly attempts: number;
  /** ISO time before which it is not submitted. */
  readonly notBefore: string;
}

/**
 * One finished successful attempt with what its calc was, for the cost model and
 * `retort report timings`.
 */
export interface AttemptTiming {
  readonly key: string;
  readonly program: string;
  readonly task: string;
  readonly spec: KeyedSpec;
  readonly executor: string;
  readonly runId: string;
  readonly durationS: number;
  readonly predictedS: number | null;
  /** Between the hand-over to the executor and the start of the program, s. */
  readonly queueWaitS: number;
  /** When the program started and ended (ISO). */
  readonly startedAt: string;
  readonly endedAt: string;
}

/**
 * One executor's calcs by status, and the scheduler jobs holding those in flight. The field
 * names are those of `retort status --json` (cli/commands/status.ts), which prints it as is.
 */
export interface ExecutorCounts {
  readonly executor: string;
  readonly counts: Readonly<Record<CalcStatus, number>>;
  readonly job_ids: readonly string[];
}

interface CalcRow {
  readonly key: string;
  readonly program: string;
  readonly task: string;
  readonly adapter_version: string;
  readonly spec_json: string;
  readonly label: string | null;
  readonly status: CalcStatus;
  readonly failure_class: string | null;
  readonly failure_message: string | null;
  readonly result_json: string | null;
  readonly program_version: string | null;
  readonly attempts: number;
  readonly retry_not_before: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

interface AttemptRow {
  readonly calc_key: string;
  readonly attempt: number;
  readonly run_id: string;
  readonly executor: string;
  readonly status: AttemptStatus;
  readonly workdir: string;
  readonly argv_json: string;
  readonly env_json: string;
  readonly inputs_json: string;
  readonly resources_json: string;
  readonly handle_json: string | null;
  readonly program_version: string | null;
  readonly submitted_at: string;
  readonly started_at: string | null;
  readonly ended_at: string | null;
  readonly duration_s: number | null;
  readonly predicted_s: number | null;
  readonly exit_code: number | null;
  readonly signal: string | null;
  readonly failure_class: string | null;
  readonly failure_message: string | null;
}

interface RecentFailureRow {
  readonly key: string;
  readonly label: string | null;
  readonly program: string;
  readonly failure_class: string | null;
  readonly failure_message: string | null;
  readonly ended_at: string;
}

const NO_COUNTS: Readonly<Record<CalcStatus, number>> = {
  queued: 0,
  submitted: 0,
  running: 0,
  succeeded: 0,
  failed: 0,
};

/**
 * The calc cache and state machine, one SQL statement (or one short transaction) per
 * operation. Every status change reads the current status inside its transaction and checks it
 * against the transition tables of core/, so an illegal change throws instead of corrupting.
 */
export class CalcStore {
  private readonly db: Db;
  private readonly stmt;

  constructor(db: Db) {
    this.db = db;
    this.stmt = {
      get: db.prepare<[string], CalcRow>('SELECT * FROM calcs WHERE key = ?'),
      insert: db.prepare(
        `INSERT INTO calcs (key, program, task, adapter_version, spec_json, label, status, created_at, updated_at)
         VALUES (@key, @program, @task, @adapterVersion, @specJson, @label, 'queued', @now, @now)`,
      ),
      setStatus: db.prepare(
        'UPDATE calcs SET status = @status, updated_at = @now WHERE key = @key',
      ),
      submit: db.prepare(
        `UPDATE calcs SET status = 'submitted', attempts = attempts + 1, retry_not_before = NULL,
           updated_at = @now WHERE key = @key`,
      ),
      insertAttempt: db.prepare(
        `INSERT INTO attempts (calc_key, attempt, run_id, executor, status, workdir, argv_json, env_json,
           inputs_json, resources_json, submitted_at, predicted_s)
         VALUES (@key, @attempt, @runId, @executor, 'submitted', @workdir, @argv, @env, @inputs, @resources,
           @submittedAt, @predictedS)`,
      ),
      getAttempt: db.prepare<[string, number], AttemptRow>(
        'SELECT * FROM attempts WHERE calc_key = ? AND attempt = ?',
      ),
      attempts: db.prepare<[string], AttemptRow>(
        'SELECT * FROM attempts WHERE calc_key = ? ORDER BY attempt',
      ),
      latestAttempt: db.prepare<[string], AttemptRow>(
        'SELECT * FROM attempts WHERE calc_key = ? ORDER BY attempt DESC LIMIT 1',
      ),
      attemptRunning: db.prepare(
        `UPDATE attempts SET status = 'running', handle_json = @handle, started_at = @startedAt
         WHERE calc_key = @key AND attempt = @attempt`,
      ),
      attemptEnd: db.prepare(
        `UPDATE attempts SET status = @status, started_at = COALESCE(started_at, @startedAt), ended_at = @endedAt,
           duration_s = @duration, exit_code = @exitCode, signal = @signal, failure_class = @failureClass,
           failure_message = @failureMessage, program_version = @programVersion
         WHERE calc_key = @key AND attempt = @attempt`,
      ),
      calcSucceeded: db.prepare(
        `UPDATE calcs SET status = 'succeeded', result_json = @result, program_version = @programVersion,
           failure_class = NULL, failure_message = NULL, updated_at = @now WHERE key = @key`,
      ),
      calcFailed: db.prepare(
        `UPDATE calcs SET status = 'failed', failure_class = @failureClass, failure_message = @failureMessage,
           program_version = COALESCE(@programVersion, program_version), updated_at = @now WHERE key = @key`,
      ),
      inFlight: db.prepare<[], CalcRow>(
        `SELECT * FROM calcs WHERE status IN ('submitted','running') ORDER BY updated_at`,
      ),
      counts: db.prepare<[], { status: CalcStatus; n: number }>(
        'SELECT status, COUNT(*) AS n FROM calcs GROUP BY status',
      ),
      byExecutor: db.prepare<
        [],
        { executor: string; status: CalcStatus; n: number; job_ids: string | null }
      >(
        `SELECT a.executor AS executor, c.status AS status, COUNT(*) AS n,
                GROUP_CONCAT(CASE WHEN c.status IN ('submitted', 'running')
                  THEN json_extract(a.handle_json, '$.job_id') END) AS job_ids
           FROM calcs c JOIN attempts a ON a.calc_key = c.key AND a.attempt = c.attempts
          GROUP BY a.executor, c.status`,
      ),
      retryAfter: db.prepare('UPDATE calcs SET retry_not_before = @notBefore WHERE key = @key'),
      // A range on the primary key (LIKE would scan: keys are not case-folded).
      keysFrom: db
        .prepare<[string, string, number], string>(
          'SELECT key FROM calcs WHERE key >= ? AND key < ? ORDER BY key LIMIT ?',
        )
        .pluck(),
      waitingRetries: db.prepare<[string], CalcRow>(
        `SELECT * FROM calcs WHERE status = 'queued' AND retry_not_before > ?
          ORDER BY retry_not_before`,
      ),
      timings: db.prepare<
        [number],
        {
          key: string;
          program: string;
          task: string;
          spec_json: string;
          executor: string;
          run_id: string;
          duration_s: number;
          predicted_s: number | null;
          submitted_at: string;
          started_at: string;
          ended_at: string;
        }
      >(
        `SELECT c.key, c.program, c.task, c.spec_json, a.executor, a.run_id, a.duration_s,
                a.predicted_s, a.submitted_at, a.started_at, a.ended_at
           FROM attempts a JOIN calcs c ON c.key = a.calc_key
          WHERE a.status = 'succeeded' AND a.duration_s IS NOT NULL AND a.started_at IS NOT NULL
          ORDER BY a.ended_at DESC LIMIT ?`,
      ),
      recentFailures: db.prepare<[number], RecentFailureRow>(
        `SELECT c.key, c.label, c.program, a.failure_class, a.failure_message, a.ended_at
         FROM attempts a JOIN calcs c ON c.key = a.calc_key
         WHERE a.status = 'failed' ORDER BY a.ended_at DESC LIMIT ?`,
      ),
    };
  }

  get(key: string): Calc | undefined {
    const row = this.stmt.get.get(key);
    return row === undefined ? undefined : calcOf(row);
  }

  /**
   * Records that a calc is wanted: a new key is inserted as `queued`; a `failed` one is queued
   * again when `requeueFailed(calc)` says so. Returns the calc as it now is.
   */
  want(calc: NewCalc, requeueFailed: (failed: Calc) => boolean): Calc {
    return this.db.transaction(() => {
      const row = this.stmt.get.get(calc.key);
      const now = nowIso();
      if (row === undefined) {
        this.stmt.insert.run({
          key: calc.key,
          program: calc.program,
          task: calc.task,
          adapterVersion: calc.adapterVersion,
          specJson: canonicalJson(calc.spec),
          label: calc.label ?? null,
          now,
        });
      } else if (row.status === 'failed' && requeueFailed(calcOf(row))) {
        this.setStatus(row, 'queued', now);
      } else {
        return calcOf(row);
      }
      return calcOf(this.mustGet(calc.key));
    })();
  }

  /**
   * failed → queued: an automatic retry within the same run, not submitted before `notBefore`
   * (ISO time; the backoff survives a restart of the runner).
   */
  requeue(key: string, notBefore: string): void {
    this.db.transaction(() => {
      this.setStatus(this.mustGet(key), 'queued', nowIso());
      this.stmt.retryAfter.run({ key, notBefore });
    })();
  }

  /** Calcs queued for an automatic retry whose backoff has not passed at `now` (ISO). */
  waitingRetries(now: string): WaitingRetry[] {
    return this.stmt.waitingRetries.all(now).map((row) => ({
      key: row.key,
      label: row.label,
      program: row.program,
      attempts: row.attempts,
      notBefore: row.retry_not_before ?? now,
    }));
  }

  /**
   * The latest `limit` successful attempts with a duration (all by default), newest first:
   * what the cost model learns from.
   */
  timings(limit = -1): AttemptTiming[] {
    return this.stmt.timings.all(limit).map((row) => ({
      key: row.key,
      program: row.program,
      task: row.task,
      spec: parseJsonObject(row.spec_json, `calc ${row.key}: spec`) as unknown as KeyedSpec,
      executor: row.executor,
      runId: row.run_id,
      durationS: row.duration_s,
      predictedS: row.predicted_s,
      queueWaitS: Math.max(0, (Date.parse(row.started_at) - Date.parse(row.submitted_at)) / 1000),
      startedAt: row.started_at,
      endedAt: row.ended_at,
    }));
  }

  /** queued → submitted, with the attempt recorded. Returns the attempt number. */
  submit(key: string, attempt: NewAttempt): number {
    return this.db.transaction(() => {
      const row = this.mustGet(key);
      assertTransition('calc', CALC_TRANSITIONS, row.status, 'submitted');
      const now = nowIso();
      this.stmt.submit.run({ key, now });
      const n = row.attempts + 1;
      const { resources } = attempt;
      this.stmt.insertAttempt.run({
        key,
        attempt: n,
        runId: attempt.runId,
        executor: attempt.executor,
        workdir: attempt.workdir,
        argv: JSON.stringify(attempt.argv),
        env: JSON.stringify(attempt.env),
        inputs: JSON.stringify(attempt.inputs),
        resources: JSON.stringify({
          cores: resources.cores,
          walltime_s: resources.walltime_s,
          ...(resources.memory_mb === undefined ? {} : { memory_mb: resources.memory_mb }),
        }),
        submittedAt: attempt.submittedAt,
        predictedS: attempt.predictedS ?? null,
      });
      return n;
    })();
  }

  /** submitted → running, with the executor's handle. */
  started(key: string, attempt: number, handle: JsonObject, startedAt: string): void {
    this.db.transaction(() => {
      const row = this.mustGet(key);
      assertTransition('calc', CALC_TRANSITIONS, row.status, 'running');
      this.checkAttempt(key, attempt, 'running');
      this.setStatus(row, 'running', nowIso());
      this.stmt.attemptRunning.run({ key, attempt, handle: JSON.stringify(handle), startedAt });
    })();
  }

  /** submitted|running → succeeded, with the result. */
  succeeded(key: string, attempt: number, result: JsonObject, end: AttemptEnd): void {
    this.db.transaction(() => {
      const row = this.mustGet(key);
      assertTransition('calc', CALC_TRANSITIONS, row.status, 'succeeded');
      this.checkAttempt(key, attempt, 'succeeded');
      const now = nowIso();
      this.endAttempt(key, attempt, 'succeeded', end, undefined);
      this.stmt.calcSucceeded.run({
        key,
        result: JSON.stringify(result),
        programVersion: end.programVersion ?? null,
        now,
      });
    })();
  }

  /** submitted|running → failed, with the classified failure. */
  failed(key: string, attempt: number, failure: Failure, end: AttemptEnd): void {
    this.db.transaction(() => {
      const row = this.mustGet(key);
      assertTransition('calc', CALC_TRANSITIONS, row.status, 'failed');
      this.checkAttempt(key, attempt, 'failed');
      this.endAttempt(key, attempt, 'failed', end, failure);
      this.stmt.calcFailed.run({
        key,
        failureClass: failure.class,
        failureMessage: failure.message,
        programVersion: end.programVersion ?? null,
        now: nowIso(),
      });
    })();
  }

  /** submitted|running → queued: the attempt is given back without an outcome. */
  returned(key: string, attempt: number, reason: string): void {
    this.db.transaction(() => {
      const row = this.mustGet(key);
      assertTransition('calc', CALC_TRANSITIONS, row.status, 'queued');
      this.checkAttempt(key, attempt, 'returned');
      const now = nowIso();
      this.endAttempt(
        key,
        attempt,
        'returned',
        {
          endedAt: now,
          startedAt: undefined,
          exitCode: null,
          signal: null,
          programVersion: undefined,
        },
        undefined,
        reason,
      );
      this.setStatus(row, 'queued', now);
    })();
  }

  /**
   * queued → failed without an attempt: the user cancelled a calc before it started
   * (`retort cancel`). The failure is the calc's; no attempt records it.
   */
  cancelQueued(key: string, failure: Failure): void {
    this.db.transaction(() => {
      const row = this.mustGet(key);
      assertTransition('calc', CALC_TRANSITIONS, row.status, 'failed');
      if (row.status !== 'queued') {
        throw new CampaignError(
          `calc ${key} is ${row.status}: only a queued calc is cancelled here`,
        );
      }
      this.stmt.calcFailed.run({
        key,
        failureClass: failure.class,
        failureMessage: failure.message,
        programVersion: null,
        now: nowIso(),
      });
      this.stmt.retryAfter.run({ key, notBefore: null });
    })();
  }

  /** The keys that start with `prefix` (lower-case hex), at most `limit` of them, in order. */
  keysStartingWith(prefix: string, limit: number): string[] {
    return this.stmt.keysFrom.all(prefix, `${prefix}\uffff`, limit);
  }

  attempt(key: string, attempt: number): Attempt | undefined {
    const row = this.stmt.getAttempt.get(key, attempt);
    return row === undefined ? undefined : attemptOf(row);
  }

  latestAttempt(key: string): Attempt | undefined {
    const row = this.stmt.latestAttempt.get(key);
    return row === undefined ? undefined : attemptOf(row);
  }

  /** Every attempt of a calc, first first. */
  attempts(key: string): Attempt[] {
    return this.stmt.attempts.all(key).map(attemptOf);
  }

  /** Calcs that may have a live process or job somewhere (submitted or running). */
  inFlight(): Calc[] {
    return this.stmt.inFlight.all().map(calcOf);
  }

  counts(): Record<CalcStatus, number> {
    const counts = { ...NO_COUNTS };
    for (const { status, n } of this.stmt.counts.all()) counts[status] = n;
    return counts;
  }

  /**
   * Calcs by the executor of their latest attempt and their status, with the scheduler job ids
   * (`job_id` of the handle) of those in flight: what `retort status` shows per executor.
   */
  byExecutor(): ExecutorCounts[] {
    const byName = new Map<
      string,
      { executor: string; counts: Record<CalcStatus, number>; ids: Set<string> }
    >();
    for (const row of this.stmt.byExecutor.all()) {
      let entry = byName.get(row.executor);
      if (entry === undefined) {
        entry = { executor: row.executor, counts: { ...NO_COUNTS }, ids: new Set() };
        byName.set(row.executor, entry);
      }
      entry.counts[row.status] = row.n;
      for (const id of row.job_ids?.split(',') ?? []) entry.ids.add(id);
    }
    return [...byName.values()].map((e) => ({
      executor: e.executor,
      counts: e.counts,
      job_ids: [...e.ids].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })),
    }));
  }

  recentFailures(limit: number): RecentFailure[] {
    return this.stmt.recentFailures.all(limit).map((row) => ({
      key: row.key,
      label: row.label,
      program: row.program,
      failure: parseFailure(row.failure_class, row.failure_message),
      endedAt: row.ended_at,
    }));
  }

  private mustGet(key: string): CalcRow {
    const row = this.stmt.get.get(key);
    if (row === undefined) throw new CampaignError(`calc ${key} is not in the store`);
    return row;
  }

  private setStatus(row: CalcRow, status: CalcStatus, now: string): void {
    assertTransition('calc', CALC_TRANSITIONS, row.status, status);
    this.stmt.setStatus.run({ key: row.key, status, now });
  }

  private checkAttempt(key: string, attempt: number, to: AttemptStatus): void {
    const row = this.stmt.getAttempt.get(key, attempt);
    if (row === undefined) throw new CampaignError(`calc ${key} has no attempt ${attempt}`);
    assertTransition('attempt', ATTEMPT_TRANSITIONS, row.status, to);
  }

  private endAttempt(
    key: string,
    attempt: number,
    status: AttemptStatus,
    end: AttemptEnd,
    failure: Failure | undefined,
    message?: string,
  ): void {
    const started =
      end.startedAt ?? this.stmt.getAttempt.get(key, attempt)?.started_at ?? undefined;
    const duration =
      started === undefined ? null : (Date.parse(end.endedAt) - Date.parse(started)) / 1000;
    this.stmt.attemptEnd.run({
      key,
      attempt,
      status,
      startedAt: end.startedAt ?? null,
      endedAt: end.endedAt,
      duration,
      exitCode: end.exitCode,
      signal: end.signal,
      failureClass: failure?.class ?? null,
      failureMessage: failure?.message ?? message ?? null,
      programVersion: end.programVersion ?? null,
    });
  }

  /** The programs the campaign's calcs use, each once. */
  programsUsed(): string[] {
    return this.db.prepare('SELECT DISTINCT program FROM calcs').pluck().all() as string[];
  }
}

function calcOf(row: CalcRow): Calc {
  const where = `calc ${row.key}`;
  return {
    key: row.key,
    program: row.program,
    task: row.task,
    adapterVersion: row.adapter_version,
    spec: parseJsonObject(row.spec_json, `${where}: spec`) as unknown as KeyedSpec,
    label: row.label,
    status: row.status,
    failure: row.status === 'failed' ? parseFailure(row.failure_class, row.failure_message) : null,
    result: row.result_json === null ? null : parseJsonObject(row.result_json, `${where}: result`),
    programVersion: row.program_version,
    attempts: row.attempts,
    retryNotBefore: row.retry_not_before,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function attemptOf(row: AttemptRow): Attempt {
  const where = `calc ${row.calc_key} attempt ${row.attempt}`;
  return {
    calcKey: row.calc_key,
    attempt: row.attempt,
    runId: row.run_id,
    executor: row.executor,
    status: row.status,
    workdir: row.workdir,
    argv: parseStringList(row.argv_json, `${where}: argv`),
    env: parseStringMap(row.env_json, `${where}: env`),
    inputs: parseStringMap(row.inputs_json, `${where}: inputs`),
    resources: parseResources(row.resources_json, `${where}: resources`),
    handle: row.handle_json === null ? null : parseJsonObject(row.handle_json, `${where}: handle`),
    programVersion: row.program_version,
    submittedAt: row.submitted_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    durationS: row.duration_s,
    predictedS: row.predicted_s,
    exitCode: row.exit_code,
    signal: row.signal,
    failure: row.status === 'failed' ? parseFailure(row.failure_class, row.failure_message) : null,
    returnReason: row.status === 'returned' ? row.failure_message : null,
  };
}

export function nowIso(): string {
  return new Date().toISOString();
}
