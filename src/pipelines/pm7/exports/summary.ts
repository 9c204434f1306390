import type { BatchStatus } from '../../../core/batch-status.js';
import { InfrastructureError } from '../../../core/errors.js';
import type { Campaign } from '../../../runtime/campaign.js';
import { moleculesOf } from '../molecules.js';
import { batchCsvPath } from './batch-csv.js';
import { pm7MinusReference, referenceColumn, referenceValue } from './reference.js';
import { errorStats, type ErrorStats } from './stats.js';

/** The four rows of the results table: `Pending` counts the batch's molecules not run yet (To run, Running). */
export const SUMMARY_STATUSES = ['OK', 'Rerun', 'Skip', 'Pending'] as const;
export type SummaryStatus = (typeof SUMMARY_STATUSES)[number];

/**
 * What is shown when a batch ends or is stopped, and stored with the batch
 * (`batches.summary_json`) for `retort batch summary ID`.
 * Energies in kcal/mol, times in seconds. Percentages are over the batch's molecules, counted
 * when the run ended (before an all_or_nothing reset).
 */
export interface BatchSummaryData {
  readonly batch_id: string;
  readonly batch_status: BatchStatus;
  /** Molecules in the batch now (a Rerun molecule taken by a later batch has left it). */
  readonly molecules: number;
  readonly started_at: string;
  readonly ended_at: string;
  readonly duration_s: number;
  readonly results: readonly {
    readonly status: SummaryStatus;
    readonly count: number;
    readonly percent: number;
  }[];
  readonly timing: {
    readonly total_s: number;
    /** Molecules of the batch that ran to an outcome (OK, Rerun, Skip). */
    readonly processed: number;
    /** Wall time per processed molecule (workers included: this is the throughput). */
    readonly per_molecule_s: number | null;
    readonly molecules_per_hour: number | null;
    /** Molecules of the whole dataset still to run (Pending, To run, Running, Rerun). */
    readonly remaining_in_dataset: number;
    readonly remaining_estimate_s: number | null;
  };
  /** Most stable heat of formation over the batch's OK molecules. */
  readonly hof: {
    readonly n: number;
    readonly min: number;
    readonly max: number;
    readonly range: number;
  } | null;
  /** PM7 − reference over the batch's OK molecules with a reference value; null without one. */
  readonly reference: (ErrorStats & { readonly column: string }) | null;
  readonly next_steps: {
    readonly to_retry: number;
    readonly skipped: number;
    readonly csv: string;
  };
  /** What happened after the counts were taken (the all_or_nothing reset), one line each. */
  readonly notes: readonly string[];
}

/** Reads a stored summary back (`batches.summary_json`). */
export function decodeBatchSummary(value: unknown): BatchSummaryData {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new InfrastructureError('expected a JSON object for a PM7 batch summary', {
      retryable: false,
    });
  return value as BatchSummaryData;
}

/**
 * A batch's summary from the store. `startedAt`/`endedAt` default to the batch's own times
 * (its end to now while it is Running).
 */
export function batchSummary(
  campaign: Campaign,
  batchId: string,
  options: { startedAt?: Date; endedAt?: Date } = {},
): BatchSummaryData {
  const store = moleculesOf(campaign);
  const batch = store.batch(batchId);
  if (batch === undefined)
    throw new InfrastructureError(`batch ${batchId} is not in the store`, { retryable: false });
  const startedAt = options.startedAt ?? new Date(batch.started_at ?? batch.created_at);
  const endedAt =
    options.endedAt ?? (batch.ended_at === null ? new Date() : new Date(batch.ended_at));
  const durationS = Math.max(0, (endedAt.getTime() - startedAt.getTime()) / 1000);

  const molecules = store.ofBatch(batchId);
  const count: Record<SummaryStatus, number> = { OK: 0, Rerun: 0, Skip: 0, Pending: 0 };
  const hofs: number[] = [];
  const column = referenceColumn(store);
  const errors: { value: number; label: string }[] = [];
  for (const row of molecules) {
    const s =
      row.status === 'OK' || row.status === 'Rerun' || row.status === 'Skip'
        ? row.status
        : 'Pending';
    count[s]++;
    if (row.status !== 'OK' || row.most_stable_hof_kcal_mol === null) continue;
    hofs.push(row.most_stable_hof_kcal_mol);
    if (column === undefined) continue;
    const diff = pm7MinusReference(
      row.most_stable_hof_kcal_mol,
      referenceValue(row.reference, column),
    );
    if (diff !== undefined) errors.push({ value: diff, label: row.mol_id });
  }

  const n = molecules.length;
  const processed = count.OK + count.Rerun + count.Skip;
  const perMolecule = processed > 0 ? durationS / processed : null;
  const all = store.counts();
  const remaining = all.Pending + all['To run'] + all.Running + all.Rerun;
  const stats = errorStats(errors);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const h of hofs) {
    min = Math.min(min, h);
    max = Math.max(max, h);
  }

  return {
    batch_id: batchId,
    batch_status: batch.status,
    molecules: n,
    started_at: startedAt.toISOString(),
    ended_at: endedAt.toISOString(),
    duration_s: durationS,
    results: SUMMARY_STATUSES.map((status) => ({
      status,
      count: count[status],
      percent: n === 0 ? 0 : (100 * count[status]) / n,
    })),
    timing: {
      total_s: durationS,
      processed,
      per_molecule_s: perMolecule,
      molecules_per_hour:
        perMolecule !== null && durationS > 0 ? (3600 * processed) / durationS : null,
      remaining_in_dataset: remaining,
      remaining_estimate_s: perMolecule === null ? null : remaining * perMolecule,
    },
    hof: hofs.length === 0 ? null : { n: hofs.length, min, max, range: max - min },
    reference: column === undefined || stats === undefined ? null : { column, ...stats },
    next_steps: { to_retry: count.Rerun, skipped: count.Skip, csv: batchCsvPath(campaign.paths) },
    notes: [],
  };
}

/** The summary as text: a headline, then aligned tables (see the example in the tests). */
export function formatSummary(data: BatchSummaryData): string {
  const out: string[] = [];
  const mols = (k: number): string => `${k.toLocaleString('en-US')} molecule${k === 1 ? '' : 's'}`;
  out.push(
    `${data.batch_id} — ${mols(data.molecules)} in ${duration(data.duration_s)} (${data.batch_status})`,
  );
  out.push(
    ...align(
      [
        ['status', 'count', '%'],
        ...data.results.map((r) => [r.status, String(r.count), r.percent.toFixed(1)]),
      ],
      [false, true, true],
    ).map((l) => `  ${l}`),
  );

  const t = data.timing;
  out.push('', '  timing');
  const timing: string[][] = [
    ['total', duration(t.total_s)],
    ['per molecule', t.per_molecule_s === null ? '—' : duration(t.per_molecule_s)],
    [
      'molecules per hour',
      t.molecules_per_hour === null
        ? '—'
        : t.molecules_per_hour.toLocaleString('en-US', { maximumFractionDigits: 1 }),
    ],
    [
      'rest of the dataset',
      t.remaining_in_dataset === 0
        ? 'nothing left to run'
        : `${mols(t.remaining_in_dataset)}${t.remaining_estimate_s === null ? '' : `, about ${duration(t.remaining_estimate_s)}`}`,
    ],
  ];
  out.push(...align(timing, [false, false]).map((l) => `    ${l}`));

  if (data.hof !== null) {
    out.push('', `  heat of formation (kcal/mol, ${data.hof.n} OK)`);
    const rows = [
      ['min', data.hof.min.toFixed(3)],
      ['max', data.hof.max.toFixed(3)],
      ['range', data.hof.range.toFixed(3)],
    ];
    out.push(...align(rows, [false, true]).map((l) => `    ${l}`));
  }

  const ref = data.reference;
  if (ref !== null) {
    out.push('', `  PM7 − ${ref.column} (kcal/mol, n = ${ref.n})`);
    const rows = [
      ['MAE', ref.mae.toFixed(3), ''],
      ['MSE (mean signed)', ref.mse.toFixed(3), ''],
      ['RMSE', ref.rmse.toFixed(3), ''],
      ['max |error|', ref.max_abs.toFixed(3), ref.max_abs_label],
    ];
    out.push(...align(rows, [false, true, false]).map((l) => `    ${l}`));
  }

  const next = data.next_steps;
  out.push('', '  next steps');
  if (data.batch_status === 'Stopped' || data.batch_status === 'Running')
    out.push(
      `    ${mols(count(data, 'Pending'))} of the batch not run yet: continue with \`retort batch resume ${data.batch_id}\``,
    );
  if (next.to_retry > 0)
    out.push(
      `    ${mols(next.to_retry)} to retry (Rerun): the next batch takes them first with rerun_first_then_easy`,
    );
  else out.push('    nothing to retry');
  if (next.skipped > 0)
    out.push(`    ${mols(next.skipped)} skipped (retries exhausted or invalid input)`);
  if (t.remaining_in_dataset > 0)
    out.push(`    ${mols(t.remaining_in_dataset)} of the dataset still to run`);
  out.push(`    tracking CSV: ${next.csv}`);
  if (data.notes.length > 0) out.push('', ...data.notes);
  return `${out.join('\n')}\n`;
}

function count(data: BatchSummaryData, status: SummaryStatus): number {
  return data.results.find((r) => r.status === status)?.count ?? 0;
}

/** Columns padded to their widest cell; right-aligned where `right` says so. */
function align(rows: readonly (readonly string[])[], right: readonly boolean[]): string[] {
  const widths = right.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) =>
    r
      .map((c, i) => (right[i] === true ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('   ')
      .trimEnd(),
  );
}

/**
 * Seconds as `250ms`, `12.3s`, `4m12s`, `3h05m`, `2d07h`. (cli/format.ts has one too, but pipelines do
 * not import from the interface layer.)
 */
export function duration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const s = Math.round(seconds);
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s - m * 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m - h * 60).padStart(2, '0')}m`;
  const d = Math.floor(h / 24);
  return `${d}d${String(h - d * 24).padStart(2, '0')}h`;
}
