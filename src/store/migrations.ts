/**
 * The store's schema, as numbered migrations. `PRAGMA user_version` holds the number of the
 * last migration applied; opening a store applies the missing ones in one transaction each.
 * Never edit a migration that has shipped: add the next one.
 *
 * Tables (all times are ISO 8601 UTC text, durations carry their unit in the name):
 *
 * `calcs` — one row per calc key, the cache and the calc state machine (core/calc-status.ts).
 *   key               sha256 hex of the keyed spec + adapter version (core/calc-key.ts)
 *   program, task     copied from the spec for queries
 *   adapter_version   the engine adapter version that was keyed
 *   spec_json         canonical JSON of the keyed spec (everything that decides the result)
 *   label             the first human label given to the calc (a line label, a molecule id)
 *   status            queued | submitted | running | succeeded | failed
 *   failure_class     core/failure.ts class of the latest failed attempt (null otherwise)
 *   failure_message   one line for people
 *   result_json       the engine's result (succeeded only)
 *   program_version   the version of the program that produced the result, as it reported it
 *   attempts          number of attempts made (returned attempts included)
 *   created_at, updated_at
 *
 * `attempts` — one row per hand-over to an executor; what really ran.
 *   calc_key, attempt  attempt numbers start at 1
 *   run_id             the run (runs.id) that made the attempt
 *   executor           `local`, `ssh:NAME`, `slurm:NAME`
 *   status             core/attempt-status.ts
 *   workdir            local calc directory of this attempt
 *   argv_json          the exact argv run (program path resolved)
 *   env_json           environment added for the program
 *   inputs_json        every input file written, name → content
 *   resources_json     cores, memory_mb, walltime_s actually granted
 *   handle_json        the executor's handle to re-adopt it (pid/pgid, job id)
 *   program_version    as reported by the output or a version probe
 *   submitted_at, started_at, ended_at, duration_s
 *   exit_code, signal, failure_class, failure_message
 *
 * `runs` — one row per runner process (retort run / calc / batch …).
 *   id, pid, hostname, command (argv JSON), executor, workers, state (core/run-state.ts),
 *   started_at, ended_at, message
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    pid INTEGER NOT NULL,
    hostname TEXT NOT NULL,
    command TEXT NOT NULL,
    executor TEXT NOT NULL,
    workers INTEGER NOT NULL,
    state TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    message TEXT
  ) STRICT;

  CREATE TABLE calcs (
    key TEXT PRIMARY KEY,
    program TEXT NOT NULL,
    task TEXT NOT NULL,
    adapter_version TEXT NOT NULL,
    spec_json TEXT NOT NULL,
    label TEXT,
    status TEXT NOT NULL CHECK (status IN ('queued','submitted','running','succeeded','failed')),
    failure_class TEXT,
    failure_message TEXT,
    result_json TEXT,
    program_version TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  ) STRICT;
  CREATE INDEX calcs_by_status ON calcs (status);

  CREATE TABLE attempts (
    calc_key TEXT NOT NULL REFERENCES calcs (key),
    attempt INTEGER NOT NULL,
    run_id TEXT NOT NULL REFERENCES runs (id),
    executor TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('submitted','running','succeeded','failed','returned')),
    workdir TEXT NOT NULL,
    argv_json TEXT NOT NULL,
    env_json TEXT NOT NULL,
    inputs_json TEXT NOT NULL,
    resources_json TEXT NOT NULL,
    handle_json TEXT,
    program_version TEXT,
    submitted_at TEXT NOT NULL,
    started_at TEXT,
    ended_at TEXT,
    duration_s REAL,
    exit_code INTEGER,
    signal TEXT,
    failure_class TEXT,
    failure_message TEXT,
    PRIMARY KEY (calc_key, attempt)
  ) STRICT;
  CREATE INDEX attempts_by_run ON attempts (run_id);
  `,
];
