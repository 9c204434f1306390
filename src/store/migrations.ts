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
 *
 * Migration 2 — datasets of molecules and the batches that run them (the PM7 pipeline):
 *
 * `molecules` — one row per molecule of the imported dataset (an item: core/molecule-status.ts).
 *   mol_id            `MOL{index:05d}` from the file's index column, or its own mol_id column
 *   seq               import order (ties in every ordering are broken by it)
 *   smiles, charge (e), multiplicity (2S+1)
 *   nheavy, nrotbonds, tpsa (Å²), aromatic_rings, has_heteroatoms (0/1): RDKit descriptors,
 *                     null for an invalid SMILES
 *   reference_json    the file's other columns, name → text (e.g. H298_cbs)
 *   status            Pending | To run | Running | OK | Rerun | Skip
 *   skip_reason       INVALID_SMILES | RETRIES_EXHAUSTED when Skip
 *   phase             where its pipeline is: pending, geometry, conformers, mopac, done
 *   retry_count, max_retries, last_error_message
 *   batch_id, batch_order   the batch it was selected into and its place there
 *   detail_json       the last pipeline outcome (pipelines/pm7/molecule-detail.ts)
 *   most_stable_hof_kcal_mol  copied from the detail for statistics
 *   updated_at
 *
 * `batches` — one row per batch (core/batch-status.ts).
 *   batch_id (`batch_0001` …), seq, status, size, strategy, seed, policy,
 *   crest_timeout_min, mopac_timeout_min, max_retries, workers, max_conformers,
 *   created_at, started_at, ended_at, summary_json (the last summary printed)
 *
 * `dataset` — key → value facts about the import: source file, reference column.
 *
 * Migration 3 — `campaign`: key → value facts about the campaign itself. `id` is 8 random hex
 * digits made once; remote executors name scratch directories and SLURM jobs with it so that
 * two campaigns never take each other's jobs for their own.
 *
 * Migration 4 — generic work items: `molecules` becomes `items` (pipeline `pm7`), `batches`
 * becomes generic, `dataset` becomes `item_facts`. Every value is carried over; the PM7 columns
 * move into the JSON payload/result (pipelines/pm7/molecule-item.ts documents their fields).
 *
 * `items` — one row per work item of a pipeline (core/item-status.ts).
 *   pipeline, item_id   the pipeline (`pm7` …) and the item's id in it (a molecule's mol_id)
 *   seq                 order of addition within the pipeline (ties in every ordering go to it)
 *   status              Pending | To run | Running | OK | Rerun | Skip
 *   skip_reason         core/item-status.ts SkipReason when Skip
 *   phase               where its pipeline is (the pipeline's own words; `pending` when idle)
 *   priority            higher runs first, before any strategy's order (default 0)
 *   retry_count, max_retries, last_error_message
 *   payload_json        the pipeline's input for the item (JSON object)
 *   result_json         the pipeline's last outcome for it (JSON object), null before any
 *   batch_id, batch_order   the batch it was selected into and its place there
 *   updated_at
 *
 * `batches` — one row per batch of one pipeline (core/batch-status.ts).
 *   batch_id (`batch_0001` …, numbered across pipelines), pipeline, seq, status, size,
 *   strategy, seed, policy, max_retries, workers, settings_json (the pipeline's own batch
 *   settings, a JSON object), created_at, started_at, ended_at
 *
 * `item_facts` — pipeline, key → value facts (e.g. about the last import of a dataset).
 *
 * Migration 5 — `batches.summary_json`: the summary of the batch's last run, as its pipeline
 * made it when the run ended (a JSON object; for PM7 pipelines/pm7/exports/summary.ts
 * BatchSummaryData), shown again by `retort batch summary ID`; null until a run of it ends.
 *
 * Migration 6 — scheduling:
 *   calcs.retry_not_before   ISO time before which a calc queued again for an automatic retry
 *                            is not submitted (the retry backoff, runtime/runner/retry-policy.ts);
 *                            null when it may go at once. Cleared when it is submitted.
 *   attempts.predicted_s     the wall time the cost model predicted for the attempt when it was
 *                            submitted (runtime/scheduling/learned-cost.ts), s; null before
 *                            migration 6 or without a prediction.
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
  `
  CREATE TABLE batches (
    batch_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('Running','Stopped','Completed','Reset')),
    size INTEGER NOT NULL,
    strategy TEXT NOT NULL,
    seed INTEGER,
    policy TEXT NOT NULL,
    crest_timeout_min REAL NOT NULL,
    mopac_timeout_min REAL NOT NULL,
    max_retries INTEGER NOT NULL,
    workers INTEGER NOT NULL,
    max_conformers INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    started_at TEXT,
    ended_at TEXT,
    summary_json TEXT
  ) STRICT;

  CREATE TABLE molecules (
    mol_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    smiles TEXT NOT NULL,
    charge INTEGER NOT NULL,
    multiplicity INTEGER NOT NULL,
    nheavy INTEGER,
    nrotbonds INTEGER,
    tpsa REAL,
    aromatic_rings INTEGER,
    has_heteroatoms INTEGER,
    reference_json TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL CHECK (status IN ('Pending','To run','Running','OK','Rerun','Skip')),
    skip_reason TEXT,
    phase TEXT NOT NULL DEFAULT 'pending',
    retry_count INTEGER NOT NULL DEFAULT 0,
    max_retries INTEGER NOT NULL DEFAULT 3,
    last_error_message TEXT,
    batch_id TEXT REFERENCES batches (batch_id),
    batch_order INTEGER,
    detail_json TEXT,
    most_stable_hof_kcal_mol REAL,
    updated_at TEXT NOT NULL
  ) STRICT;
  CREATE INDEX molecules_by_status ON molecules (status, nheavy, seq);
  CREATE INDEX molecules_by_batch ON molecules (batch_id, batch_order);

  CREATE TABLE dataset (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT;
  `,
  `
  CREATE TABLE campaign (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT;
  INSERT INTO campaign (key, value) VALUES ('id', lower(hex(randomblob(4))));
  `,
  `
  ALTER TABLE batches RENAME TO batches_v3;
  CREATE TABLE batches (
    batch_id TEXT PRIMARY KEY,
    pipeline TEXT NOT NULL,
    seq INTEGER NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('Running','Stopped','Completed','Reset')),
    size INTEGER NOT NULL,
    strategy TEXT NOT NULL,
    seed INTEGER,
    policy TEXT NOT NULL,
    max_retries INTEGER NOT NULL,
    workers INTEGER NOT NULL,
    settings_json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    started_at TEXT,
    ended_at TEXT
  ) STRICT;
  CREATE INDEX batches_by_status ON batches (pipeline, status, seq);
  INSERT INTO batches (batch_id, pipeline, seq, status, size, strategy, seed, policy,
    max_retries, workers, settings_json, created_at, started_at, ended_at)
  SELECT batch_id, 'pm7', seq, status, size, strategy, seed, policy, max_retries, workers,
    json_object('crest_timeout_min', crest_timeout_min, 'mopac_timeout_min', mopac_timeout_min,
      'max_conformers', max_conformers),
    created_at, started_at, ended_at
  FROM batches_v3;

  CREATE TABLE items (
    pipeline TEXT NOT NULL,
    item_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('Pending','To run','Running','OK','Rerun','Skip')),
    skip_reason TEXT,
    phase TEXT NOT NULL DEFAULT 'pending',
    priority INTEGER NOT NULL DEFAULT 0,
    retry_count INTEGER NOT NULL DEFAULT 0,
    max_retries INTEGER NOT NULL DEFAULT 3,
    last_error_message TEXT,
    payload_json TEXT NOT NULL,
    result_json TEXT,
    batch_id TEXT REFERENCES batches (batch_id),
    batch_order INTEGER,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (pipeline, item_id),
    UNIQUE (pipeline, seq)
  ) STRICT;
  CREATE INDEX items_by_status ON items (pipeline, status, seq);
  CREATE INDEX items_by_batch ON items (batch_id, batch_order);
  INSERT INTO items (pipeline, item_id, seq, status, skip_reason, phase, priority, retry_count,
    max_retries, last_error_message, payload_json, result_json, batch_id, batch_order, updated_at)
  SELECT 'pm7', mol_id, seq, status, skip_reason, phase, 0, retry_count, max_retries,
    last_error_message,
    json_object('smiles', smiles, 'charge', charge, 'multiplicity', multiplicity,
      'nheavy', nheavy, 'nrotbonds', nrotbonds, 'tpsa', tpsa, 'aromatic_rings', aromatic_rings,
      'has_heteroatoms', CASE has_heteroatoms WHEN 1 THEN json('true') WHEN 0 THEN json('false') END,
      'reference', json(reference_json), 'descriptors_error', NULL),
    CASE WHEN detail_json IS NULL AND most_stable_hof_kcal_mol IS NULL THEN NULL
      ELSE json_object('most_stable_hof_kcal_mol', most_stable_hof_kcal_mol,
        'detail', json(detail_json)) END,
    batch_id, batch_order, updated_at
  FROM molecules;

  CREATE TABLE item_facts (
    pipeline TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (pipeline, key)
  ) STRICT;
  INSERT INTO item_facts (pipeline, key, value) SELECT 'pm7', key, value FROM dataset;

  DROP TABLE molecules;
  DROP TABLE batches_v3;
  DROP TABLE dataset;
  `,
  `
  ALTER TABLE batches ADD COLUMN summary_json TEXT;
  `,
  `
  ALTER TABLE calcs ADD COLUMN retry_not_before TEXT;
  ALTER TABLE attempts ADD COLUMN predicted_s REAL;
  `,
  // A live view pages calcs by last change and counts completions per minute: both by index,
  // so that one refresh of a 100k-calc store stays a few milliseconds (bench/tui-refresh).
  `
  CREATE INDEX calcs_by_updated ON calcs (updated_at);
  CREATE INDEX attempts_by_ended ON attempts (ended_at);
  `,
];
