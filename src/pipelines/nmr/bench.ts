import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Resources } from '../../core/calc-spec.js';
import { InfrastructureError } from '../../core/errors.js';
import type { ItemStatus } from '../../core/item-status.js';
import type { RunState } from '../../core/run-state.js';
import type { Campaign } from '../../runtime/campaign.js';
import type { CalcRunner } from '../../runtime/calc-request.js';
import { RollingEta } from '../../runtime/control/rolling-eta.js';
import type { ItemCodec } from '../../store/item-store.js';
import type { Decoder } from '../../store/stored-json.js';
import { BENCH_DIR, writeBenchStatus, type BenchStatus, type BenchTask } from './bench-status.js';
import type { Delta50Molecule } from './delta50.js';
import { shieldingSpec, shieldingsOf, type AtomShielding } from './levels.js';

/** The bench's name in the store (`items.pipeline`, `batches.pipeline`). */
export const NMR_BENCH_PIPELINE = 'nmr-bench';

/**
 * A task of the bench matrix (`items.payload_json`): the DELTA50 molecule's id and the level of
 * its shielding calc (functional upper case, basis as given, solvent NWChem's COSMO name or
 * `vacuum`). Its item id is `molecule/functional/nmr_basis/solvent`.
 */
export interface BenchCell {
  readonly molecule: string;
  readonly functional: string;
  readonly nmr_basis: string;
  readonly solvent: string;
}

/**
 * What a task gave (`items.result_json`): the shielding calc's key, every atom's isotropic
 * shielding (ppm, 1-based index) when it succeeded, else null and the failure's message.
 */
export interface BenchResult {
  readonly key: string;
  readonly shieldings: readonly AtomShielding[] | null;
  readonly error: string | null;
}

/** A bench task with its shieldings (the OK tasks of the store). */
export interface BenchShieldings {
  readonly cell: BenchCell;
  readonly shieldings: readonly AtomShielding[];
}

/** The matrix a bench batch was started for (`batches.settings_json`). */
export interface BenchSettings {
  readonly functionals: readonly string[];
  readonly solvents: readonly string[];
  readonly nmr_basis: string;
}

function objectOf<T>(what: string): Decoder<T> {
  return (value: unknown): T => {
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw new InfrastructureError(`expected a JSON object for ${what}`, { retryable: false });
    return value as T;
  };
}

export const BENCH_CODEC: ItemCodec<BenchCell, BenchResult> = {
  pipeline: NMR_BENCH_PIPELINE,
  payload: objectOf<BenchCell>('an NMR bench task'),
  result: objectOf<BenchResult>('an NMR bench result'),
};
export const decodeBenchSettings = objectOf<BenchSettings>('NMR bench settings');

export function cellId(c: BenchCell): string {
  return `${c.molecule}/${c.functional}/${c.nmr_basis}/${c.solvent}`;
}

/** Automatic reruns of a failed task by later bench runs before it is given up (Skip). */
export const BENCH_MAX_RETRIES = 3;

export interface BenchRunOptions {
  readonly campaign: Campaign;
  readonly runner: CalcRunner;
  readonly molecules: readonly Delta50Molecule[];
  readonly functionals: readonly string[];
  readonly solvents: readonly string[];
  readonly nmrBasis: string;
  readonly workers: number;
  readonly resources: Resources;
  readonly command: string;
  readonly logFile: string | null;
  /** A task ended (`status` OK, Rerun or Skip), for progress lines. */
  readonly onTask?: (event: BenchTaskEvent) => void;
}

export interface BenchTaskEvent {
  readonly task: BenchTask;
  readonly status: ItemStatus;
  readonly cached: boolean;
  readonly seconds: number;
  readonly done: number;
  readonly total: number;
  readonly ok: number;
  readonly failed: number;
  readonly eta_s: number | null;
  readonly error: string | null;
}

/** What a bench run did. */
export interface BenchRunResult {
  readonly total: number;
  readonly done: number;
  readonly ok: number;
  readonly failed: number;
  /** Tasks left for the next run (the run stopped, paused or failed first). */
  readonly left: number;
}

/**
 * Runs the bench matrix molecules × functionals × solvents at one shielding basis, one NWChem
 * shielding calc per task on DELTA50's geometry, `workers` tasks at once:
 *
 * - tasks not in the store yet are added (Pending) and taken into a new batch with the matrix's
 *   Pending and Rerun tasks; tasks an earlier run left To run or Running (stopped, or killed)
 *   are taken again from their batch. OK and Skip tasks are not run again; a calc a task asked
 *   for before is answered from the store, so nothing finished is computed twice;
 * - a task whose calc succeeds is OK with its shieldings; one whose calc fails is Rerun (Skip
 *   after {@link BENCH_MAX_RETRIES}); the runner groups failures by molecule, so its failure
 *   threshold counts distinct molecules;
 * - when the run stops or pauses no task starts; tasks not run go back to To run;
 * - `nmr-bench/status.json` is rewritten after every change (bench-status.ts).
 */
export async function runBench(options: BenchRunOptions): Promise<BenchRunResult> {
  const { campaign, runner } = options;
  const root = campaign.paths.root;
  mkdirSync(join(root, BENCH_DIR), { recursive: true });
  const items = campaign.items.of(BENCH_CODEC);
  const batches = campaign.batches.of(NMR_BENCH_PIPELINE, decodeBenchSettings);
  const byId = new Map(options.molecules.map((m) => [m.id, m]));
  const cells: BenchCell[] = options.molecules.flatMap((m) =>
    options.functionals.flatMap((functional) =>
      options.solvents.map((solvent) => ({
        molecule: m.id,
        functional,
        nmr_basis: options.nmrBasis,
        solvent,
      })),
    ),
  );
  const ids = cells.map(cellId);
  const inMatrix = new Set(ids);
  const fresh = cells.filter((c) => items.get(cellId(c)) === undefined);
  if (fresh.length > 0) {
    items.add(
      fresh.map((c) => ({ item_id: cellId(c), payload: c, status: 'Pending', skip_reason: null })),
    );
  }
  const involved: string[] = [];
  for (const batch of batches.all()) {
    if (batch.status !== 'Running' && batch.status !== 'Stopped') continue;
    items.returnInterrupted(batch.batch_id);
    batches.setStatus(batch.batch_id, 'Running');
    involved.push(batch.batch_id);
  }
  const candidates = items.candidates().filter((c) => inMatrix.has(c.item_id));
  if (candidates.length > 0) {
    const { batch } = items.createBatch(
      batches,
      {
        size: candidates.length,
        strategy: 'rerun_first_then_easy',
        seed: null,
        policy: 'partial_ok',
        max_retries: BENCH_MAX_RETRIES,
        workers: options.workers,
        settings: {
          functionals: options.functionals,
          solvents: options.solvents,
          nmr_basis: options.nmrBasis,
        },
      },
      (list) => list.filter((c) => inMatrix.has(c.item_id)).map((c) => c.item_id),
    );
    involved.push(batch.batch_id);
  }

  const statusOf = () => new Map(ids.map((id) => [id, items.get(id)?.status ?? 'Pending']));
  const counts = () => {
    let ok = 0;
    let failed = 0;
    for (const s of statusOf().values()) {
      if (s === 'OK') ok++;
      else if (s === 'Skip' || s === 'Rerun') failed++;
    }
    return { ok, failed };
  };
  const queue = ids.filter((id) => items.get(id)?.status === 'To run');
  const eta = new RollingEta(10);
  const startedAt = new Date().toISOString();
  const current = new Map<string, BenchTask & { started_at: string }>();
  const failures: (BenchTask & { message: string; at: string })[] = [];
  let tally = counts();
  const taskOf = (c: BenchCell): BenchTask => ({
    ...c,
    name: byId.get(c.molecule)?.name ?? c.molecule,
  });

  const report = (state: RunState): void => {
    const total = ids.length;
    const done = tally.ok + tally.failed;
    const remaining = total - done;
    const etaS = eta.etaS(remaining, options.workers);
    const status: BenchStatus = {
      state,
      pid: process.pid,
      command: options.command,
      log_file: options.logFile,
      started_at: startedAt,
      updated_at: new Date().toISOString(),
      total,
      done,
      ok: tally.ok,
      failed: tally.failed,
      percent: total === 0 ? 100 : Math.round((1000 * done) / total) / 10,
      current: [...current.values()],
      rolling_avg_s: eta.averageS(),
      eta_s: etaS,
      eta_hours: etaS === null ? null : Math.round((etaS / 3600) * 100) / 100,
      recent_failures: failures.slice(0, 10),
      message: null,
    };
    writeBenchStatus(root, status);
  };
  report(runner.currentState);

  let left = 0;
  const runOne = async (id: string): Promise<void> => {
    const item = items.get(id);
    if (item === undefined) return;
    const cell = item.payload;
    const molecule = byId.get(cell.molecule);
    if (molecule === undefined) return;
    const task = taskOf(cell);
    items.setStatus(id, 'Running', { phase: 'shielding' });
    current.set(id, { ...task, started_at: new Date().toISOString() });
    report(runner.currentState);
    const began = Date.now();
    const spec = shieldingSpec(
      { atoms: molecule.atoms, charge: 0, multiplicity: 1 },
      cell,
      options.resources,
      `${cell.molecule} ${cell.functional} ${cell.nmr_basis} ${cell.solvent}`,
    );
    const asked = await runner.request(spec, cell.molecule);
    current.delete(id);
    const seconds = (Date.now() - began) / 1000;
    if (asked.status === 'not_run') {
      items.setStatus(id, 'To run', { phase: 'pending' });
      left++;
      report(runner.currentState);
      return;
    }
    if (!asked.cached) eta.add(seconds);
    let status: ItemStatus;
    let error: string | null = null;
    if (asked.status === 'succeeded') {
      status = 'OK';
      items.setStatus(id, status, {
        phase: 'done',
        last_error_message: null,
        result: { key: asked.key, shieldings: shieldingsOf(asked.result), error: null },
      });
    } else {
      const retryCount = item.retry_count + 1;
      status = retryCount < item.max_retries ? 'Rerun' : 'Skip';
      error = `${asked.failure.class}: ${asked.failure.message}`;
      items.setStatus(id, status, {
        phase: 'done',
        retry_count: retryCount,
        last_error_message: error,
        ...(status === 'Skip' ? { skip_reason: 'RETRIES_EXHAUSTED' } : {}),
        result: { key: asked.key, shieldings: null, error },
      });
      failures.unshift({ ...task, message: error, at: new Date().toISOString() });
    }
    tally = counts();
    report(runner.currentState);
    options.onTask?.({
      task,
      status,
      cached: asked.cached,
      seconds,
      done: tally.ok + tally.failed,
      total: ids.length,
      ok: tally.ok,
      failed: tally.failed,
      eta_s: eta.etaS(ids.length - tally.ok - tally.failed, options.workers),
      error,
    });
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      if (runner.currentState !== 'running') return;
      const id = queue.shift();
      if (id === undefined) return;
      await runOne(id);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.workers) }, worker));
  if (queue.length > 0) runner.workLeft();
  left += queue.length;

  for (const batchId of involved) {
    const open = items
      .ofBatch(batchId)
      .some((i) => i.status === 'To run' || i.status === 'Running');
    batches.setStatus(batchId, open ? 'Stopped' : 'Completed');
  }
  tally = counts();
  return {
    total: ids.length,
    done: tally.ok + tally.failed,
    ok: tally.ok,
    failed: tally.failed,
    left,
  };
}

/** Writes the bench status once more with the run's final state and message. */
export function finalBenchStatus(
  root: string,
  status: BenchStatus,
  state: RunState,
  message: string | null,
): void {
  writeBenchStatus(root, {
    ...status,
    state,
    message,
    current: [],
    updated_at: new Date().toISOString(),
  });
}

/** The OK tasks of the campaign's bench with their shieldings, in order of addition. */
export function benchShieldings(campaign: Campaign): BenchShieldings[] {
  return campaign.items
    .of(BENCH_CODEC)
    .all()
    .flatMap((i) =>
      i.status === 'OK' && i.result?.shieldings != null
        ? [{ cell: i.payload, shieldings: i.result.shieldings }]
        : [],
    );
}
