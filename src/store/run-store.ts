import { END_STATES, RUN_TRANSITIONS, type RunState } from '../core/run-state.js';
import { assertTransition } from '../core/transitions.js';
import type { Db } from './database.js';
import { nowIso } from './calc-store.js';

/** A row of `runs` (see migrations.ts). */
export interface RunRow {
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

export interface NewRun {
  readonly id: string;
  readonly pid: number;
  readonly hostname: string;
  readonly command: readonly string[];
  readonly executor: string;
  readonly workers: number;
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

  get(id: string): RunRow | undefined {
    return this.stmt.get.get(id);
  }

  latest(): RunRow | undefined {
    return this.stmt.latest.get();
  }

  /** Runs without a recorded end: their runner is running, or died (killed, crashed). */
  unfinished(): RunRow[] {
    return this.stmt.unfinished.all();
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
    if (!END_STATES.includes(state)) throw new Error(`run ${id}: ${state} is not an end state`);
    this.db.transaction(() => {
      const row = this.mustGet(id);
      if (row.state !== state && state !== 'failed')
        assertTransition('run', RUN_TRANSITIONS, row.state, state);
      this.stmt.end.run({ id, state, endedAt: nowIso(), message: message ?? null });
    })();
  }

  private mustGet(id: string): RunRow {
    const row = this.stmt.get.get(id);
    if (row === undefined) throw new Error(`run ${id} is not in the store`);
    return row;
  }
}
