import { CampaignError } from '../core/errors.js';
import { END_STATES, RUN_TRANSITIONS, type RunState } from '../core/run-state.js';
import { assertTransition } from '../core/transitions.js';
import type { Db } from './database.js';
import { nowIso } from './calc-store.js';
import { parseStringList } from './stored-json.js';

/** A runner process and its state (the `runs` table, see migrations.ts), fields parsed. */
export interface Run {
  readonly id: string;
  readonly pid: number;
  readonly hostname: string;
  /** The command line that started it. */
  readonly command: readonly string[];
  readonly executor: string;
  readonly workers: number;
  readonly state: RunState;
  readonly startedAt: string;
  /** Null while the run goes on, or when its runner died without recording its end. */
  readonly endedAt: string | null;
  readonly message: string | null;
}

export interface NewRun {
  readonly id: string;
  readonly pid: number;
  readonly hostname: string;
  readonly command: readonly string[];
  readonly executor: string;
  readonly workers: number;
}

interface RunRow {
  readonly id: string;
  readonly pid: number;
  readonly hostname: string;
  readonly command: string;
  readonly executor: string;
  readonly workers: number;
  readonly state: RunState;
  readonly started_at: string;
  readonly ended_at: string | null;
  readonly message: string | null;
}

/** Runner processes and their states (core/run-state.ts), one statement per operation. */
export class RunStore {
  private readonly stmt;

  constructor(private readonly db: Db) {
    this.stmt = {
      insert: db.prepare(
        `INSERT INTO runs (id, pid, hostname, command, executor, workers, state, started_at)
         VALUES (@id, @pid, @hostname, @command, @executor, @workers, 'running', @now)`,
      ),
      get: db.prepare<[string], RunRow>('SELECT * FROM runs WHERE id = ?'),
      setState: db.prepare('UPDATE runs SET state = @state, message = @message WHERE id = @id'),
      end: db.prepare(
        'UPDATE runs SET state = @state, ended_at = @endedAt, message = @message WHERE id = @id',
      ),
      latest: db.prepare<[], RunRow>(
        'SELECT * FROM runs ORDER BY started_at DESC, rowid DESC LIMIT 1',
      ),
      unfinished: db.prepare<[], RunRow>(
        'SELECT * FROM runs WHERE ended_at IS NULL ORDER BY started_at',
      ),
    };
  }

  create(run: NewRun): void {
    this.stmt.insert.run({ ...run, command: JSON.stringify(run.command), now: nowIso() });
  }

  get(id: string): Run | undefined {
    const row = this.stmt.get.get(id);
    return row === undefined ? undefined : runOf(row);
  }

  latest(): Run | undefined {
    const row = this.stmt.latest.get();
    return row === undefined ? undefined : runOf(row);
  }

  /** Runs without a recorded end: their runner is running, or died (killed, crashed). */
  unfinished(): Run[] {
    return this.stmt.unfinished.all().map(runOf);
  }

  /** A change of state while the run goes on. */
  setState(id: string, state: RunState, message?: string): void {
    this.db.transaction(() => {
      const row = this.mustGet(id);
      if (row.state !== state) assertTransition('run', RUN_TRANSITIONS, row.state, state);
      this.stmt.setState.run({ id, state, message: message ?? null });
    })();
  }

  /**
   * The end of a run, in one of END_STATES. A run that died without recording its end is
   * closed as `failed` by the next runner, whatever state it was in.
   */
  end(id: string, state: RunState, message?: string): void {
    if (!END_STATES.includes(state))
      throw new CampaignError(`run ${id}: ${state} is not an end state`);
    this.db.transaction(() => {
      const row = this.mustGet(id);
      if (row.state !== state && state !== 'failed')
        assertTransition('run', RUN_TRANSITIONS, row.state, state);
      this.stmt.end.run({ id, state, endedAt: nowIso(), message: message ?? null });
    })();
  }

  private mustGet(id: string): RunRow {
    const row = this.stmt.get.get(id);
    if (row === undefined) throw new CampaignError(`run ${id} is not in the store`);
    return row;
  }
}

function runOf(row: RunRow): Run {
  return {
    id: row.id,
    pid: row.pid,
    hostname: row.hostname,
    command: parseStringList(row.command, `run ${row.id}: command`),
    executor: row.executor,
    workers: row.workers,
    state: row.state,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    message: row.message,
  };
}
