import type { BatchStatus, Policy, Strategy } from '../../core/batch-status.js';
import { InputError } from '../../core/errors.js';
import { ITEM_STATUSES } from '../../core/item-status.js';
import type { Campaign } from '../../runtime/campaign.js';
import type { CalcRunner } from '../../runtime/calc-request.js';
import { runBatch, type BatchProgress, type MoleculeEvent } from './batch-run.js';
import { crestOnPath } from './conformer-search.js';
import { writeBatchCsv } from './exports/batch-csv.js';
import { ThrottledExport } from './exports/csv-throttle.js';
import { writeParityPlot } from './exports/parity-plot.js';
import { batchSummary, decodeBatchSummary, formatSummary } from './exports/summary.js';
import { describeAgain } from './import-dataset.js';
import type { Pm7Batch, Pm7BatchSettings } from './molecule-item.js';
import { moleculesOf } from './molecules.js';

/** What `retort batch run` asks for (every value already validated by the caller). */
export interface NewBatchOptions extends Pm7BatchSettings {
  readonly size: number;
  readonly strategy: Strategy;
  /** Seed of the random strategy (ignored by the others). */
  readonly seed: number;
  readonly policy: Policy;
  readonly max_retries: number;
  readonly workers: number;
  /** Only these molecules (each must be Pending or Rerun), all of them: `--molecules`. */
  readonly only?: readonly string[];
}

/** A batch to run, or why there is none (with the command's exit status). */
export type BatchStart =
  | { readonly kind: 'batch'; readonly batch: Pm7Batch }
  | { readonly kind: 'nothing'; readonly message: string; readonly exitCode: number };

/**
 * Starts a new batch: refuses while a batch is Running (interrupted: it must be resumed),
 * describes again the molecules RDKit failed on at import, then selects the batch.
 */
export async function startBatch(
  campaign: Campaign,
  options: NewBatchOptions,
): Promise<BatchStart> {
  const store = moleculesOf(campaign);
  const running = store.runningBatch();
  if (running !== undefined) {
    throw new InputError(
      'retort batch run',
      `${running.batch_id} is still Running (its run was interrupted); continue it with \`retort batch resume ${running.batch_id}\``,
    );
  }
  await describeAgain(campaign);
  if (options.only !== undefined) checkSelectable(store, options.only);
  const counts = store.counts();
  if (counts.Pending + counts.Rerun === 0) {
    const total = ITEM_STATUSES.reduce((n, s) => n + counts[s], 0);
    return total === 0
      ? {
          kind: 'nothing',
          message:
            'the campaign has no molecules yet: import a dataset with `retort import FILE.csv`',
          exitCode: 1,
        }
      : {
          kind: 'nothing',
          message: `nothing to run: no molecule is Pending or Rerun (${counts.OK} OK, ${counts.Skip} Skip)`,
          exitCode: 0,
        };
  }
  const { batch } = store.createBatch(
    {
      size: options.only?.length ?? options.size,
      strategy: options.strategy,
      seed: options.strategy === 'random' ? options.seed : null,
      policy: options.policy,
      max_retries: options.max_retries,
      workers: options.workers,
      settings: {
        crest_timeout_min: options.crest_timeout_min,
        mopac_timeout_min: options.mopac_timeout_min,
        max_conformers: options.max_conformers,
        ...(options.obabel_seed === undefined ? {} : { obabel_seed: options.obabel_seed }),
        ...(options.dynamics === false ? { dynamics: false } : {}),
      },
    },
    options.only === undefined ? undefined : new Set(options.only),
  );
  return { kind: 'batch', batch };
}

/** `--molecules`: every one known and waiting in the queue (Pending or Rerun). */
function checkSelectable(store: ReturnType<typeof moleculesOf>, ids: readonly string[]): void {
  for (const id of ids) {
    const status = store.get(id)?.status;
    if (status === undefined) throw new InputError(`--molecules ${id}`, 'no such molecule');
    if (status !== 'Pending' && status !== 'Rerun') {
      throw new InputError(
        `--molecules ${id}`,
        `is ${status}; only Pending or Rerun molecules can join a batch (\`retort batch requeue ${id}\` puts an OK or Skip one back)`,
      );
    }
  }
}

/**
 * `retort batch requeue MOL_ID…`: OK and Skip molecules back to Pending with their retries
 * counted from 0 again, and the tracking CSV rewritten. Returns the line to print.
 */
export function requeueMolecules(campaign: Campaign, molIds: readonly string[]): string {
  const n = moleculesOf(campaign).requeue(molIds);
  writeBatchCsv(campaign, { withReference: false });
  const same = molIds.length - n;
  return `${n} molecule${n === 1 ? '' : 's'} back to Pending${same === 0 ? '' : ` (${same} already queued)`}`;
}

const RESUMABLE: readonly BatchStatus[] = ['Running', 'Stopped'];
const RESUMABLE_TEXT = 'a Running (interrupted) or Stopped batch can be resumed';

/** Refuses (InputError, one line) a batch that does not exist or cannot be resumed. */
export function checkResumable(campaign: Campaign, batchId: string): Pm7Batch {
  return batchIn(campaign, batchId, RESUMABLE, RESUMABLE_TEXT);
}

/**
 * Takes over a Running (interrupted) or Stopped batch: its molecules left Running go back to
 * To run, and a Stopped batch is Running again. `returned` counts the molecules sent back.
 */
export function resumeBatch(
  campaign: Campaign,
  batchId: string,
): { readonly batch: Pm7Batch; readonly returned: number } {
  const batch = checkResumable(campaign, batchId);
  const store = moleculesOf(campaign);
  const returned = store.returnInterrupted(batchId);
  if (batch.status === 'Stopped') store.setBatchStatus(batchId, 'Running');
  return { batch, returned };
}

/** How a batch is driven and what it reports. */
export interface DriveOptions {
  readonly campaign: Campaign;
  readonly runner: CalcRunner;
  readonly batch: Pm7Batch;
  readonly workers: number;
  readonly cores: number;
  readonly failureThreshold: number;
  readonly withReference: boolean;
  /** One line of the batch's own progress. */
  readonly print: (line: string) => void;
  readonly onProgress: (progress: BatchProgress) => void;
}

/**
 * Runs the batch's To run molecules with the tracking CSV kept current (throttled, exact at
 * the end). Returns whether the run stopped before every molecule ran.
 */
export async function driveBatch(
  options: DriveOptions,
): Promise<{ readonly interrupted: boolean }> {
  const { campaign, batch } = options;
  const csv = new ThrottledExport(() => {
    writeBatchCsv(campaign, { withReference: options.withReference });
  });
  const crest = crestOnPath();
  const toRun = moleculesOf(campaign)
    .ofBatch(batch.batch_id)
    .filter((m) => m.status === 'To run').length;
  options.print(
    `${batch.batch_id}: ${toRun} molecules, ${batch.strategy}, ${batch.policy}, conformers by ${crest ? 'CREST' : 'the built-in search (Open Babel + GFN2-xTB)'}`,
  );
  try {
    const result = await runBatch({
      campaign,
      runner: options.runner,
      batch,
      workers: options.workers,
      crest,
      cores: options.cores,
      failureThreshold: options.failureThreshold,
      onMolecule: (e) => {
        options.print(moleculeLine(e));
      },
      onChange: () => {
        csv.markDirty();
      },
      onProgress: options.onProgress,
    });
    return { interrupted: result.interrupted };
  } finally {
    csv.close();
  }
}

function moleculeLine(e: MoleculeEvent): string {
  const what =
    e.status === 'OK'
      ? `OK HOF ${e.most_stable_hof?.toFixed(2) ?? '?'} kcal/mol (grade ${e.grade ?? '?'})`
      : e.status === 'interrupted'
        ? 'interrupted: back to To run'
        : `${e.status}: ${e.error ?? ''}`;
  return `[${e.done}/${e.total}] ${e.mol_id} ${what}`;
}

/**
 * Records the end of a batch run (Stopped when molecules are left, else Completed, then the
 * all_or_nothing reset when a molecule failed), writes the exports, stores the summary (made
 * before the reset, so that it counts the molecules as they ran) and returns its text and the
 * exit status: 0 when every molecule of the batch is OK.
 */
export async function closeBatch(
  campaign: Campaign,
  batch: Pm7Batch,
  run: { readonly interrupted: boolean; readonly started: Date; readonly withReference: boolean },
): Promise<{ readonly text: string; readonly exitCode: number }> {
  const ended = new Date();
  const store = moleculesOf(campaign);
  store.returnInterrupted(batch.batch_id);
  const molecules = store.ofBatch(batch.batch_id);
  const left = molecules.filter((m) => m.status === 'To run');
  const failed = molecules.filter((m) => m.status === 'Rerun' || m.status === 'Skip');
  const stopped = run.interrupted || left.length > 0;
  store.setBatchStatus(batch.batch_id, stopped ? 'Stopped' : 'Completed');
  const reset = !stopped && batch.policy === 'all_or_nothing' && failed.length > 0;
  const counted = batchSummary(campaign, batch.batch_id, {
    startedAt: run.started,
    endedAt: ended,
  });
  const notes: string[] = [];
  if (reset) {
    const n = store.resetBatch(batch.batch_id).ok;
    notes.push(
      `all_or_nothing: ${failed.length} molecules failed, so the batch's ${n} OK molecules went back to Pending`,
    );
  }
  const summary = { ...counted, notes };
  store.setBatchSummary(batch.batch_id, summary);
  writeBatchCsv(campaign, { withReference: run.withReference });
  await writeParityPlot(campaign);
  return {
    text: formatSummary(summary),
    exitCode: failed.length === 0 && left.length === 0 ? 0 : 1,
  };
}

/**
 * `retort batch summary ID`: the summary stored when the batch's last run ended, as it was
 * printed then. Refuses (one line) a batch that does not exist or has no stored summary.
 */
export function storedSummary(campaign: Campaign, batchId: string): string {
  const batch = existingBatch(campaign, batchId);
  const summary = moleculesOf(campaign).batchSummary(batchId, decodeBatchSummary);
  if (summary === undefined) {
    throw new InputError(
      batchId,
      batch.status === 'Running'
        ? 'is Running and has no summary yet; `retort batch status` shows its counts'
        : 'has no stored summary (its last run ended before retort stored summaries); `retort batch status` shows its counts',
    );
  }
  return formatSummary(summary);
}

/**
 * `retort batch reset`: applies the all_or_nothing reset to a Completed or Stopped batch (a
 * Stopped batch's molecules not run yet go back to Pending too, free for the next batch) and
 * rewrites the tracking CSV. Returns the line to print.
 */
export function resetBatch(campaign: Campaign, batchId: string): string {
  batchIn(campaign, batchId, ['Completed', 'Stopped'], 'a Completed or Stopped batch can be reset');
  const { ok, notRun } = moleculesOf(campaign).resetBatch(batchId);
  writeBatchCsv(campaign, { withReference: false });
  const left = notRun === 0 ? '' : ` and ${notRun} not run yet`;
  return `${batchId} reset: ${ok} OK molecules${left} back to Pending (retry counts kept)`;
}

/** The rows of `retort batch status`: molecules by status, overall and per batch. */
export const STATUS_COLUMNS = ['OK', 'Rerun', 'Skip', 'Pending', 'To run', 'Running'] as const;

export function batchStatusRows(campaign: Campaign): string[][] {
  const store = moleculesOf(campaign);
  const overall = store.counts();
  const perBatch = store.countsByBatch();
  return [
    [
      'all',
      '',
      ...STATUS_COLUMNS.map((s) => String(overall[s])),
      String(ITEM_STATUSES.reduce((n, s) => n + overall[s], 0)),
    ],
    ...store.batches().map((b) => {
      const c = perBatch.get(b.batch_id);
      return [
        b.batch_id,
        b.status,
        ...STATUS_COLUMNS.map((s) => String(c?.[s] ?? 0)),
        String(b.size),
      ];
    }),
  ];
}

/** The batch, when it exists and is in one of `allowed`; else one line saying why not. */
function batchIn(
  campaign: Campaign,
  batchId: string,
  allowed: readonly BatchStatus[],
  what: string,
): Pm7Batch {
  const batch = existingBatch(campaign, batchId);
  if (!allowed.includes(batch.status))
    throw new InputError(batchId, `is ${batch.status}; only ${what}`);
  return batch;
}

/** The batch, when it exists; else one line saying so. */
function existingBatch(campaign: Campaign, batchId: string): Pm7Batch {
  const batch = moleculesOf(campaign).batch(batchId);
  if (batch === undefined)
    throw new InputError(batchId, 'no such batch; `retort batch status` lists them');
  return batch;
}
