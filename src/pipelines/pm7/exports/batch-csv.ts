import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CampaignPaths } from '../../../core/campaign-layout.js';
import { csvLine } from '../../../chem/csv.js';
import { writeFileAtomic } from '../../../runtime/atomic-write.js';
import type { Campaign } from '../../../runtime/campaign.js';
import type { Pm7Batch } from '../molecule-item.js';
import { moleculesOf, type Molecule } from '../molecules.js';
import {
  pm7MinusReference,
  referenceColumn,
  referenceColumnOrder,
  referenceValue,
} from './reference.js';

/**
 * The tracking CSV `exports/crest_pm7_batch_status.csv`: one row per molecule of the dataset,
 * in import order, these 36 columns in this order. Where each value comes from
 * (row = the molecule (molecules.ts), detail = its last attempt's detail (molecule-detail.ts),
 * batch = the batch of row.batch_id, its PM7 settings in batch.settings; a missing source gives
 * an empty cell):
 *
 * | column | value |
 * |---|---|
 * | mol_id, smiles, phase, status, retry_count, max_retries, last_error_message | row |
 * | timestamp | row.updated_at (ISO 8601 UTC): the molecule's last change |
 * | nheavy, nrotbonds, tpsa (Å²), aromatic_rings | row (empty for an invalid SMILES) |
 * | has_heteroatoms | row, `true`/`false` |
 * | crest_status | detail.conformer_search.status (SUCCESS, FAILED, TIMEOUT, NOT_ATTEMPTED); empty if never run |
 * | crest_conformers_generated, crest_error, crest_output_directory, crest_ensemble_file | detail.conformer_search |
 * | crest_time | detail.conformer_search.time_s, seconds |
 * | crest_timeout_max_minutes, mopac_timeout_max_minutes | batch.settings.crest_timeout_min, batch.settings.mopac_timeout_min |
 * | num_conformers_selected, quality_grade, error_message, delta_e_12/13/15 (kcal/mol) | detail |
 * | most_stable_hof | detail.most_stable_hof, else row.most_stable_hof_kcal_mol; kcal/mol |
 * | success | `true` when the last attempt ended OK (detail.status), `false` when it ended otherwise, empty if never run |
 * | total_execution_time | detail.total_execution_time_s, seconds |
 * | actual_crest_timeout_used, actual_mopac_timeout_used | detail.actual_crest_timeout_used_min, detail.actual_mopac_timeout_used_min: minutes the conformer-search and MOPAC calcs actually took (their attempts' durations); both empty for a detail stored before retort recorded them (it held granted walltimes there) |
 * | batch_id, batch_order | row |
 * | batch_sorting_strategy, batch_failure_policy | batch.strategy, batch.policy |
 *
 * With `withReference`, after these: every reference column of the dataset
 * (the dataset fact `reference_columns` in the import's order, then any other `reference` key
 * in order of first appearance; one that clashes with a column above is
 * named `reference_<name>`), then `pm7_minus_reference_kcal_mol` = most_stable_hof − the value
 * of the dataset's reference column (reference.ts), empty unless both are numbers.
 *
 * Cells: numbers with at most 6 decimals, trailing zeros dropped, never an exponent (a non-zero
 * value below 1e-6 in magnitude keeps JavaScript's shortest form so that it does not read as 0);
 * booleans `true`/`false` (lower case, as JSON and most CSV readers take them); null → empty.
 * RFC 4180 as chem/csv.ts writes it: comma-separated, a cell holding a comma, quote, CR or LF
 * (or with a leading or trailing space) is quoted with its quotes doubled; every line, the last
 * included, ends with LF.
 */
export const BATCH_CSV_COLUMNS = [
  'mol_id',
  'smiles',
  'timestamp',
  'phase',
  'nheavy',
  'nrotbonds',
  'tpsa',
  'aromatic_rings',
  'has_heteroatoms',
  'status',
  'retry_count',
  'max_retries',
  'last_error_message',
  'crest_status',
  'crest_conformers_generated',
  'crest_time',
  'crest_error',
  'crest_output_directory',
  'crest_ensemble_file',
  'crest_timeout_max_minutes',
  'mopac_timeout_max_minutes',
  'num_conformers_selected',
  'most_stable_hof',
  'quality_grade',
  'success',
  'error_message',
  'total_execution_time',
  'actual_crest_timeout_used',
  'actual_mopac_timeout_used',
  'delta_e_12',
  'delta_e_13',
  'delta_e_15',
  'batch_id',
  'batch_order',
  'batch_sorting_strategy',
  'batch_failure_policy',
] as const;

export type BatchCsvColumn = (typeof BATCH_CSV_COLUMNS)[number];

/** The name of the PM7 − reference column (added with `withReference`). */
export const PM7_MINUS_REFERENCE_COLUMN = 'pm7_minus_reference_kcal_mol';

/** The tracking CSV's file name in exports/. */
export const BATCH_CSV_FILE = 'crest_pm7_batch_status.csv';

export interface BatchCsvOptions {
  /** Add the dataset's reference columns and the PM7 − reference difference. */
  readonly withReference?: boolean;
  /** The reference column of the dataset (fact `reference_column`), if any. */
  readonly referenceColumn?: string | undefined;
  /** The reference columns in the import's order (fact `reference_columns`), if recorded. */
  readonly referenceColumns?: readonly string[] | undefined;
}

/** The CSV as cells: its header and one row of formatted cells per molecule. */
export interface BatchCsvTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

type Cell = string | number | boolean | null | undefined;

/** Maps molecules (in the order given) to the CSV's cells; see BATCH_CSV_COLUMNS. */
export function batchCsvRows(
  molecules: readonly Molecule[],
  batchesById: ReadonlyMap<string, Pm7Batch>,
  options: BatchCsvOptions = {},
): BatchCsvTable {
  const withReference = options.withReference === true;
  const fields = withReference ? molecules.map((m) => m.reference) : [];
  const referenceNames = withReference
    ? referenceColumnNames(options.referenceColumns ?? [], fields)
    : [];
  const fixed: readonly string[] = BATCH_CSV_COLUMNS;
  const columns = [
    ...fixed,
    ...referenceNames.map((n) => (fixed.includes(n) ? `reference_${n}` : n)),
    ...(withReference ? [PM7_MINUS_REFERENCE_COLUMN] : []),
  ];
  const rows = molecules.map((row, i) => {
    const batch = row.batch_id === null ? undefined : batchesById.get(row.batch_id);
    const cells = moleculeCells(row, batch);
    if (withReference) {
      const own = fields[i] ?? {};
      const hof = cells[BATCH_CSV_COLUMNS.indexOf('most_stable_hof')];
      const reference =
        options.referenceColumn === undefined
          ? undefined
          : referenceValue(own, options.referenceColumn);
      cells.push(
        ...referenceNames.map((n) => own[n]),
        pm7MinusReference(typeof hof === 'number' ? hof : null, reference),
      );
    }
    return cells.map(formatCell);
  });
  return { columns, rows };
}

function moleculeCells(row: Molecule, batch: Pm7Batch | undefined): Cell[] {
  const d = row.detail ?? undefined;
  const search = d?.conformer_search;
  const used = d !== undefined && 'actual_crest_timeout_used_min' in d ? d : undefined;
  const values: Record<BatchCsvColumn, Cell> = {
    mol_id: row.mol_id,
    smiles: row.smiles,
    timestamp: row.updated_at,
    phase: row.phase,
    nheavy: row.nheavy,
    nrotbonds: row.nrotbonds,
    tpsa: row.tpsa,
    aromatic_rings: row.aromatic_rings,
    has_heteroatoms: row.has_heteroatoms,
    status: row.status,
    retry_count: row.retry_count,
    max_retries: row.max_retries,
    last_error_message: row.last_error_message,
    crest_status: search?.status,
    crest_conformers_generated: search?.conformers_generated,
    crest_time: search?.time_s,
    crest_error: search?.error,
    crest_output_directory: search?.output_directory,
    crest_ensemble_file: search?.ensemble_file,
    crest_timeout_max_minutes: batch?.settings.crest_timeout_min,
    mopac_timeout_max_minutes: batch?.settings.mopac_timeout_min,
    num_conformers_selected: d?.num_conformers_selected,
    most_stable_hof: d?.most_stable_hof ?? row.most_stable_hof_kcal_mol,
    quality_grade: d?.quality_grade,
    success: d === undefined ? null : d.status === 'OK',
    error_message: d?.error_message,
    total_execution_time: d?.total_execution_time_s,
    actual_crest_timeout_used: used?.actual_crest_timeout_used_min,
    actual_mopac_timeout_used: used?.actual_mopac_timeout_used_min,
    delta_e_12: d?.delta_e_12,
    delta_e_13: d?.delta_e_13,
    delta_e_15: d?.delta_e_15,
    batch_id: row.batch_id,
    batch_order: row.batch_order,
    batch_sorting_strategy: batch?.strategy,
    batch_failure_policy: batch?.policy,
  };
  return BATCH_CSV_COLUMNS.map((c) => values[c]);
}

function referenceColumnNames(
  order: readonly string[],
  fields: readonly Readonly<Record<string, string>>[],
): string[] {
  const names = new Set<string>(order);
  for (const f of fields) for (const k of Object.keys(f)) names.add(k);
  return [...names];
}

/** A cell's text (see the format at BATCH_CSV_COLUMNS). */
export function formatCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return formatNumber(value);
  return value;
}

/** At most 6 decimals, trailing zeros dropped, no exponent; NaN and ±Infinity → empty. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '';
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return String(value);
  if (value !== 0 && Math.abs(value) < 1e-6) return String(value);
  const text = value.toFixed(6).replace(/\.?0+$/, '');
  return text === '-0' ? '0' : text;
}

/** The whole CSV text (chem/csv.ts quoting: RFC 4180, LF line ends). */
export function batchCsvText(table: BatchCsvTable): string {
  let text = csvLine(table.columns);
  for (const row of table.rows) text += csvLine(row);
  return text;
}

export function batchCsvPath(paths: CampaignPaths): string {
  return join(paths.exports, BATCH_CSV_FILE);
}

/**
 * Writes exports/crest_pm7_batch_status.csv from the store, atomically (one string, then
 * temp file and rename). Returns its path.
 */
export function writeBatchCsv(
  campaign: Campaign,
  options: { withReference?: boolean } = {},
): string {
  const store = moleculesOf(campaign);
  const batches = new Map(store.batches().map((b) => [b.batch_id, b]));
  const table = batchCsvRows(store.all(), batches, {
    withReference: options.withReference === true,
    referenceColumn: referenceColumn(store),
    referenceColumns: referenceColumnOrder(store),
  });
  mkdirSync(campaign.paths.exports, { recursive: true });
  const path = batchCsvPath(campaign.paths);
  writeFileAtomic(path, batchCsvText(table));
  return path;
}
