import {
  BATCH_TRANSITIONS,
  type BatchStatus,
  type Policy,
  type Strategy,
} from '../core/batch-status.js';
import {
  MOLECULE_STATUSES,
  MOLECULE_TRANSITIONS,
  type MoleculeStatus,
  type SkipReason,
} from '../core/molecule-status.js';
import { assertTransition } from '../core/transitions.js';
import { nowIso } from './calc-store.js';
import type { Db } from './database.js';

/** A row of `molecules` (see migrations.ts, migration 2). */
export interface MoleculeRow {
  readonly mol_id: string;
  readonly seq: number;
  readonly smiles: string;
  readonly charge: number;
  readonly multiplicity: number;
  readonly nheavy: number | null;
  readonly nrotbonds: number | null;
  readonly tpsa: number | null;
  readonly aromatic_rings: number | null;
  readonly has_heteroatoms: number | null;
  readonly reference_json: string;
  readonly status: MoleculeStatus;
  readonly skip_reason: string | null;
  readonly phase: string;
  readonly retry_count: number;
  readonly max_retries: number;
  readonly last_error_message: string | null;
  readonly batch_id: string | null;
  readonly batch_order: number | null;
  readonly detail_json: string | null;
  readonly most_stable_hof_kcal_mol: number | null;
  readonly updated_at: string;
}

/** A row of `batches`. */
export interface BatchRow {
  readonly batch_id: string;
  readonly seq: number;
  readonly status: BatchStatus;
  readonly size: number;
  readonly strategy: Strategy;
  readonly seed: number | null;
  readonly policy: Policy;
  readonly crest_timeout_min: number;
  readonly mopac_timeout_min: number;
  readonly max_retries: number;
  readonly workers: number;
  readonly max_conformers: number;
  readonly created_at: string;
  readonly started_at: string | null;
  readonly ended_at: string | null;
  readonly summary_json: string | null;
}

/** A molecule as the import hands it over. Invalid SMILES arrive as `Skip`/INVALID_SMILES. */
export interface NewMolecule {
  readonly mol_id: string;
  readonly smiles: string;
  readonly charge: number;
  readonly multiplicity: number;
  readonly nheavy: number | null;
  readonly nrotbonds: number | null;
  readonly tpsa: number | null;
  readonly aromatic_rings: number | null;
  readonly has_heteroatoms: boolean | null;
  readonly reference: Readonly<Record<string, string>>;
  readonly status: 'Pending' | 'Skip';
  readonly skip_reason: SkipReason | null;
}

/** The settings a batch is created with. */
export interface NewBatch {
  readonly size: number;
  readonly strategy: Strategy;
  readonly seed: number | null;
  readonly policy: Policy;
  readonly crest_timeout_min: number;
  readonly mopac_timeout_min: number;
  readonly max_retries: number;
  readonly workers: number;
  readonly max_conformers: number;
}

/** Fields that change together with a molecule's status. */
export interface MoleculeUpdate {
  readonly phase?: string;
  readonly retry_count?: number;
  readonly last_error_message?: string | null;
  readonly skip_reason?: string | null;
  readonly detail_json?: string | null;
  readonly most_stable_hof_kcal_mol?: number | null;
}

/**
 * Molecules and batches, one statement or one short transaction per operation, every status
 * change checked against the transition tables of core/. The cost of one molecule's
 * bookkeeping does not grow with the dataset: every per-molecule statement goes through the
 * primary key, and selection uses the (status, nheavy, seq) index.
 */
export class MoleculeStore {
  private readonly stmt;

  constructor(private readonly db: Db) {
    this.stmt = {
      get: db.prepare<[string], MoleculeRow>('SELECT * FROM molecules WHERE mol_id = ?'),
      exists: db.prepare<[string], { n: number }>(
        'SELECT COUNT(*) AS n FROM molecules WHERE mol_id = ?',
      ),
      maxSeq: db.prepare<[], { m: number | null }>('SELECT MAX(seq) AS m FROM molecules'),
      insert: db.prepare(
        `INSERT INTO molecules (mol_id, seq, smiles, charge, multiplicity, nheavy, nrotbonds, tpsa,
           aromatic_rings, has_heteroatoms, reference_json, status, skip_reason, updated_at)
         VALUES (@mol_id, @seq, @smiles, @charge, @multiplicity, @nheavy, @nrotbonds, @tpsa,
           @aromatic_rings, @has_heteroatoms, @reference_json, @status, @skip_reason, @now)`,
      ),
      update: db.prepare(
        `UPDATE molecules SET status = @status, phase = COALESCE(@phase, phase),
           retry_count = COALESCE(@retry_count, retry_count),
           last_error_message = CASE WHEN @set_error THEN @last_error_message ELSE last_error_message END,
           skip_reason = CASE WHEN @set_skip THEN @skip_reason ELSE skip_reason END,
           detail_json = CASE WHEN @set_detail THEN @detail_json ELSE detail_json END,
           most_stable_hof_kcal_mol = CASE WHEN @set_hof THEN @hof ELSE most_stable_hof_kcal_mol END,
           updated_at = @now
         WHERE mol_id = @mol_id`,
      ),
      phase: db.prepare(
        'UPDATE molecules SET phase = @phase, updated_at = @now WHERE mol_id = @mol_id',
      ),
      counts: db.prepare<[], { status: MoleculeStatus; n: number }>(
        'SELECT status, COUNT(*) AS n FROM molecules GROUP BY status',
      ),
      countsByBatch: db.prepare<[], { batch_id: string; status: MoleculeStatus; n: number }>(
        'SELECT batch_id, status, COUNT(*) AS n FROM molecules WHERE batch_id IS NOT NULL GROUP BY batch_id, status',
      ),
      eligibleEasy: db.prepare<[number], { mol_id: string }>(
        `SELECT mol_id FROM molecules WHERE status IN ('Pending','Rerun')
         ORDER BY status = 'Rerun' DESC, nheavy, seq LIMIT ?`,
      ),
      eligibleByNheavy: db.prepare<[number], { mol_id: string }>(
        `SELECT mol_id FROM molecules WHERE status IN ('Pending','Rerun') ORDER BY nheavy, seq LIMIT ?`,
      ),
      eligibleByNrot: db.prepare<[number], { mol_id: string }>(
        `SELECT mol_id FROM molecules WHERE status IN ('Pending','Rerun') ORDER BY nrotbonds, nheavy, seq LIMIT ?`,
      ),
      eligibleAll: db.prepare<[], { mol_id: string }>(
        `SELECT mol_id FROM molecules WHERE status IN ('Pending','Rerun') ORDER BY seq`,
      ),
      select: db.prepare(
        `UPDATE molecules SET status = 'To run', batch_id = @batch_id, batch_order = @batch_order,
           max_retries = @max_retries, phase = 'pending', updated_at = @now WHERE mol_id = @mol_id`,
      ),
      batchMolecules: db.prepare<[string], MoleculeRow>(
        'SELECT * FROM molecules WHERE batch_id = ? ORDER BY batch_order',
      ),
      all: db.prepare<[], MoleculeRow>('SELECT * FROM molecules ORDER BY seq'),
      clearBatch: db.prepare(
        `UPDATE molecules SET batch_id = NULL, batch_order = NULL, updated_at = @now WHERE mol_id = @mol_id`,
      ),
      insertBatch: db.prepare(
        `INSERT INTO batches (batch_id, seq, status, size, strategy, seed, policy, crest_timeout_min,
           mopac_timeout_min, max_retries, workers, max_conformers, created_at, started_at)
         VALUES (@batch_id, @seq, 'Running', @size, @strategy, @seed, @policy, @crest_timeout_min,
           @mopac_timeout_min, @max_retries, @workers, @max_conformers, @now, @now)`,
      ),
      maxBatchSeq: db.prepare<[], { m: number | null }>('SELECT MAX(seq) AS m FROM batches'),
      getBatch: db.prepare<[string], BatchRow>('SELECT * FROM batches WHERE batch_id = ?'),
      batches: db.prepare<[], BatchRow>('SELECT * FROM batches ORDER BY seq'),
      running: db.prepare<[], BatchRow>(
        `SELECT * FROM batches WHERE status = 'Running' ORDER BY seq`,
      ),
      setBatch: db.prepare(
        `UPDATE batches SET status = @status, ended_at = @ended_at,
           started_at = COALESCE(@started_at, started_at),
           summary_json = COALESCE(@summary_json, summary_json) WHERE batch_id = @batch_id`,
      ),
      setMeta: db.prepare('INSERT OR REPLACE INTO dataset (key, value) VALUES (?, ?)'),
      getMeta: db.prepare<[string], { value: string }>('SELECT value FROM dataset WHERE key = ?'),
    };
  }

  get(molId: string): MoleculeRow | undefined {
    return this.stmt.get.get(molId);
  }

  /**
   * Adds a dataset's molecules in one transaction, after the ones already there. Refuses the
   * whole import (inserting nothing) when an id is already in the store; returns the ids found
   * twice so the caller can name them.
   */
  insertMany(molecules: readonly NewMolecule[]): { readonly duplicates: readonly string[] } {
    const duplicates = molecules
      .filter((m) => this.stmt.exists.get(m.mol_id)?.n === 1)
      .map((m) => m.mol_id);
    if (duplicates.length > 0) return { duplicates };
    this.db.transaction(() => {
      let seq = this.stmt.maxSeq.get()?.m ?? 0;
      const now = nowIso();
      for (const m of molecules) {
        seq++;
        this.stmt.insert.run({
          ...m,
          seq,
          has_heteroatoms: m.has_heteroatoms === null ? null : m.has_heteroatoms ? 1 : 0,
          reference_json: JSON.stringify(m.reference),
          now,
        });
      }
    })();
    return { duplicates: [] };
  }

  /**
   * Changes a molecule's status (checked against MOLECULE_TRANSITIONS) together with the
   * fields given. Fields not given keep their value.
   */
  setStatus(molId: string, status: MoleculeStatus, update: MoleculeUpdate = {}): void {
    this.db.transaction(() => {
      const row = this.stmt.get.get(molId);
      if (row === undefined) throw new Error(`molecule ${molId} is not in the store`);
      if (row.status !== status)
        assertTransition('molecule', MOLECULE_TRANSITIONS, row.status, status);
      this.stmt.update.run({
        mol_id: molId,
        status,
        phase: update.phase ?? null,
        retry_count: update.retry_count ?? null,
        set_error: update.last_error_message === undefined ? 0 : 1,
        last_error_message: update.last_error_message ?? null,
        set_skip: update.skip_reason === undefined ? 0 : 1,
        skip_reason: update.skip_reason ?? null,
        set_detail: update.detail_json === undefined ? 0 : 1,
        detail_json: update.detail_json ?? null,
        set_hof: update.most_stable_hof_kcal_mol === undefined ? 0 : 1,
        hof: update.most_stable_hof_kcal_mol ?? null,
        now: nowIso(),
      });
    })();
  }

  /** Records how far a running molecule's pipeline is (no status change). */
  setPhase(molId: string, phase: string): void {
    this.stmt.phase.run({ mol_id: molId, phase, now: nowIso() });
  }

  counts(): Record<MoleculeStatus, number> {
    const counts = Object.fromEntries(MOLECULE_STATUSES.map((s) => [s, 0])) as Record<
      MoleculeStatus,
      number
    >;
    for (const { status, n } of this.stmt.counts.all()) counts[status] = n;
    return counts;
  }

  countsByBatch(): Map<string, Record<MoleculeStatus, number>> {
    const out = new Map<string, Record<MoleculeStatus, number>>();
    for (const { batch_id, status, n } of this.stmt.countsByBatch.all()) {
      let counts = out.get(batch_id);
      if (counts === undefined) {
        counts = Object.fromEntries(MOLECULE_STATUSES.map((s) => [s, 0])) as Record<
          MoleculeStatus,
          number
        >;
        out.set(batch_id, counts);
      }
      counts[status] = n;
    }
    return out;
  }

  /**
   * Creates a batch and selects its molecules in one transaction: up to `size` molecules that
   * are Pending or Rerun, in the strategy's order, become `To run` with the batch id, their
   * place in it and the batch's max_retries. Returns the batch and its molecules.
   *
   * Orders: `rerun_first_then_easy` — Rerun first, then fewest heavy atoms; `by_nheavy`;
   * `by_nrotbonds` (then heavy atoms); `random` — a shuffle seeded by `seed`, repeatable.
   * Ties go to import order.
   */
  createBatch(batch: NewBatch): {
    readonly batch: BatchRow;
    readonly molecules: readonly MoleculeRow[];
  } {
    return this.db.transaction(() => {
      const running = this.stmt.running.get();
      if (running !== undefined) throw new Error(`batch ${running.batch_id} is still Running`);
      const ids = this.pick(batch);
      const seq = (this.stmt.maxBatchSeq.get()?.m ?? 0) + 1;
      const batchId = `batch_${String(seq).padStart(4, '0')}`;
      const now = nowIso();
      this.stmt.insertBatch.run({ ...batch, batch_id: batchId, seq, now });
      ids.forEach((molId, i) => {
        const row = this.stmt.get.get(molId);
        if (row === undefined) throw new Error(`molecule ${molId} vanished`);
        assertTransition('molecule', MOLECULE_TRANSITIONS, row.status, 'To run');
        this.stmt.select.run({
          mol_id: molId,
          batch_id: batchId,
          batch_order: i + 1,
          max_retries: batch.max_retries,
          now,
        });
      });
      const created = this.stmt.getBatch.get(batchId);
      if (created === undefined) throw new Error(`batch ${batchId} vanished`);
      return { batch: created, molecules: this.stmt.batchMolecules.all(batchId) };
    })();
  }

  private pick(batch: NewBatch): string[] {
    switch (batch.strategy) {
      case 'rerun_first_then_easy':
        return this.stmt.eligibleEasy.all(batch.size).map((r) => r.mol_id);
      case 'by_nheavy':
        return this.stmt.eligibleByNheavy.all(batch.size).map((r) => r.mol_id);
      case 'by_nrotbonds':
        return this.stmt.eligibleByNrot.all(batch.size).map((r) => r.mol_id);
      case 'random': {
        const ids = this.stmt.eligibleAll.all().map((r) => r.mol_id);
        const random = mulberry32(batch.seed ?? 0);
        for (let i = ids.length - 1; i > 0; i--) {
          const j = Math.floor(random() * (i + 1));
          const swap = ids[i];
          const other = ids[j];
          if (swap === undefined || other === undefined) continue;
          ids[i] = other;
          ids[j] = swap;
        }
        return ids.slice(0, batch.size);
      }
    }
  }

  batch(batchId: string): BatchRow | undefined {
    return this.stmt.getBatch.get(batchId);
  }

  batches(): BatchRow[] {
    return this.stmt.batches.all();
  }

  /** The batch that is Running (being run, or left by a runner that died), if any. */
  runningBatch(): BatchRow | undefined {
    return this.stmt.running.get();
  }

  moleculesOfBatch(batchId: string): MoleculeRow[] {
    return this.stmt.batchMolecules.all(batchId);
  }

  /** Every molecule in import order, for exports. */
  all(): MoleculeRow[] {
    return this.stmt.all.all();
  }

  setBatchStatus(batchId: string, status: BatchStatus, summaryJson?: string): void {
    this.db.transaction(() => {
      const row = this.stmt.getBatch.get(batchId);
      if (row === undefined) throw new Error(`batch ${batchId} is not in the store`);
      assertTransition('batch', BATCH_TRANSITIONS, row.status, status);
      const now = nowIso();
      this.stmt.setBatch.run({
        batch_id: batchId,
        status,
        ended_at: status === 'Running' ? null : now,
        started_at: status === 'Running' ? now : null,
        summary_json: summaryJson ?? null,
      });
    })();
  }

  /**
   * Molecules of a batch left `Running` by an interrupted run go back to `To run`
   * (their finished calcs stay in the calc cache, so they resume where they were).
   */
  returnInterrupted(batchId: string): number {
    return this.db.transaction(() => {
      let n = 0;
      for (const row of this.stmt.batchMolecules.all(batchId)) {
        if (row.status === 'Running') {
          this.setStatus(row.mol_id, 'To run', { phase: 'pending' });
          n++;
        }
      }
      return n;
    })();
  }

  /**
   * The all_or_nothing reset: the batch's OK molecules go back to Pending; OK and Rerun
   * molecules leave the batch (Skip ones keep it, to show where they failed); retry counts are
   * kept. Returns how many molecules went back to Pending.
   */
  resetBatch(batchId: string): number {
    return this.db.transaction(() => {
      let n = 0;
      const now = nowIso();
      for (const row of this.stmt.batchMolecules.all(batchId)) {
        if (row.status === 'OK') {
          this.setStatus(row.mol_id, 'Pending', {
            phase: 'pending',
            detail_json: null,
            most_stable_hof_kcal_mol: null,
          });
          n++;
        }
        if (row.status === 'OK' || row.status === 'Rerun')
          this.stmt.clearBatch.run({ mol_id: row.mol_id, now });
      }
      this.setBatchStatus(batchId, 'Reset');
      return n;
    })();
  }

  /** Runs `fn` as one transaction: its writes land together, or none when it throws. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  setMeta(key: string, value: string): void {
    this.stmt.setMeta.run(key, value);
  }

  meta(key: string): string | undefined {
    return this.stmt.getMeta.get(key)?.value;
  }
}

/** A small seeded PRNG (mulberry32): the same seed gives the same random batch. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
