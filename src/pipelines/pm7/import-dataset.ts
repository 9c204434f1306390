import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCsv, type CsvRecord } from '../../chem/csv.js';
import { describeSmiles, loadRdkit, type SmilesDescription } from '../../chem/descriptors.js';
import { InfrastructureError, InputError, errorMessage } from '../../core/errors.js';
import { SkipReason } from '../../core/item-status.js';
import type { Campaign } from '../../runtime/campaign.js';
import { writeDetail } from './exports/details.js';
import { notRunDetail, type MoleculeDetail } from './molecule-detail.js';
import type { MoleculePayload } from './molecule-item.js';
import { moleculesOf, type NewMolecule } from './molecules.js';

/**
 * `retort import FILE.csv`: a dataset of molecules into the campaign's store.
 *
 * The file (CSV, RFC 4180, a header row) has one of two layouts:
 *
 * - ThermoCBS: the first header cell is empty and its column holds the original row index
 *   (non-negative integers, not necessarily consecutive); the molecule's id is
 *   `MOL{index:05d}` (index 8 → `MOL00008`).
 * - a `mol_id` column: its values are the ids, verbatim. When a file has both, `mol_id` wins
 *   and the index column is dropped.
 *
 * Columns (names compared without case and surrounding spaces):
 * - `smiles` (required). A SMILES RDKit cannot read (or an empty one) is kept as a `Skip`
 *   molecule with reason INVALID_SMILES, not an error: its last_error_message says so, and its
 *   detail (issue INVALID_SMILES, grade FAILED) is stored and written to details/. A molecule on which RDKit itself broke
 *   (InfrastructureError from the descriptor function) is kept `Pending` without descriptors
 *   (`descriptors_error` says why); they are computed again before the next batch
 *   (describeAgain), and the import goes on with the next molecule.
 * - `charge` (e) and `multiplicity` (2S+1): integers (`1.0` is read as 1). When the column is
 *   missing or the cell is empty: charge 0; multiplicity the SMILES' unpaired electrons + 1 as
 *   RDKit perceives them (`[O][O]` 3), 1 when RDKit cannot describe it. Anything else is an
 *   InputError naming `file:line` and the column.
 * - `nheavy`: ignored (RDKit's count is stored).
 * - every other column is kept per molecule as reference data (`reference_json`, name → text).
 *
 * The reference column (the value a pipeline's results are compared with) is `--reference
 * COLUMN` when given, else the first reference column whose name starts with `H298` or ends with
 * `_cbs`, `_ref` or `reference` and whose non-empty cells are all numbers.
 *
 * All or nothing: ids found twice in the file, or already in the store, refuse the whole import
 * (an InputError listing them); molecules and dataset facts are written in one transaction.
 *
 * Dataset facts (the store's item facts of pipeline `pm7`): `source` (absolute path of the file), `row_count`,
 * `reference_column` (empty when none), `reference_columns` (the kept columns, a list fact),
 * `id_column` (`index` or `mol_id`), `imported_at`. They describe the last import.
 */
export interface ImportOptions {
  /** The reference column to record, instead of guessing it. */
  readonly reference?: string;
  /** Called after every `progressEvery` molecules described, and once at the end. */
  readonly progress?: (done: number, total: number) => void;
  /** Default 5,000. */
  readonly progressEvery?: number;
  /** What describes a SMILES (default: RDKit, chem/descriptors.ts). */
  readonly describe?: DescribeSmiles;
}

/**
 * Describes one SMILES: `{valid: false}` for a SMILES that cannot be read; throws
 * InfrastructureError when the describing machinery itself failed on it (retry later).
 */
export type DescribeSmiles = (smiles: string) => SmilesDescription | Promise<SmilesDescription>;

/** RDKit's descriptor function, loaded once. */
export async function rdkitDescriber(): Promise<DescribeSmiles> {
  const rdkit = await loadRdkit();
  return (smiles) => describeSmiles(rdkit, smiles);
}

export interface ImportSummary {
  /** Absolute path of the file read. */
  readonly source: string;
  /** Molecules added to the store, Skip ones included. */
  readonly imported: number;
  /** Of those, molecules whose SMILES RDKit could not read (status Skip, INVALID_SMILES). */
  readonly skipped_invalid: number;
  /** Their ids, in file order. */
  readonly invalid_ids: readonly string[];
  /** Molecules RDKit itself failed on: Pending, described again before the next batch. */
  readonly retry_ids: readonly string[];
  readonly reference_column: string | null;
  readonly reference_columns: readonly string[];
  readonly id_column: 'index' | 'mol_id';
  /**
   * Molecules whose stated charge or multiplicity disagrees with their SMILES: the formal
   * charge differs from `charge`, or the number of unpaired electrons RDKit perceives has the
   * other parity than multiplicity − 1 (an odd-electron molecule stated as a singlet). They are
   * imported as stated; this list is for the user to check.
   */
  readonly suspicious: readonly { readonly mol_id: string; readonly why: string }[];
  readonly time_s: number;
}

const DEFAULT_PROGRESS_EVERY = 5000;
const SHOWN_IDS = 5;

const KNOWN = ['smiles', 'charge', 'multiplicity', 'nheavy', 'mol_id'] as const;
type Known = (typeof KNOWN)[number];

export async function importDataset(
  campaign: Campaign,
  file: string,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const started = process.hrtime.bigint();
  const source = resolve(file);
  let text: string;
  try {
    text = readFileSync(source, 'utf8');
  } catch (error) {
    throw new InputError(file, `cannot read the dataset: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  const table = parseCsv(text, file);
  const layout = readHeader(file, table.header, table.headerLine);
  const where = (record: CsvRecord): string => `${file}:${record.line}`;

  // Ids, charge, multiplicity and reference cells: everything that can be wrong in the file is
  // checked before RDKit spends time on it.
  interface Row {
    readonly mol_id: string;
    readonly smiles: string;
    readonly charge: number;
    readonly multiplicity: number | undefined;
    readonly reference: Record<string, string>;
  }
  const rows: Row[] = [];
  for (const record of table.rows) {
    if (record.cells.length !== table.header.length) {
      throw new InputError(
        where(record),
        `${record.cells.length} fields where the header has ${table.header.length}`,
      );
    }
    const cell = (index: number | undefined): string =>
      index === undefined ? '' : (record.cells[index] ?? '').trim();
    const molId =
      layout.idColumn === 'mol_id' ? cell(layout.index.mol_id) : indexId(where(record), cell(0));
    if (molId === '') throw new InputError(where(record), 'column "mol_id" is empty');
    const reference: Record<string, string> = {};
    for (const { name, index } of layout.reference) reference[name] = record.cells[index] ?? '';
    rows.push({
      mol_id: molId,
      smiles: cell(layout.index.smiles),
      charge: integerCell(where(record), 'charge', cell(layout.index.charge), 0),
      multiplicity: integerCell(
        where(record),
        'multiplicity',
        cell(layout.index.multiplicity),
        undefined,
      ),
      reference,
    });
  }
  if (rows.length === 0) throw new InputError(file, 'no molecules: the file has a header only');

  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const row of rows) {
    if (seen.has(row.mol_id)) twice.add(row.mol_id);
    seen.add(row.mol_id);
  }
  if (twice.size > 0) {
    throw new InputError(
      file,
      `ids found more than once in the file: ${idList([...twice])}; nothing was imported`,
    );
  }

  const referenceColumn = chooseReference(
    file,
    layout.reference.map((r) => r.name),
    rows,
    options.reference,
  );

  const describe = options.describe ?? (await rdkitDescriber());
  const every = options.progressEvery ?? DEFAULT_PROGRESS_EVERY;
  const molecules: NewMolecule[] = [];
  const invalidIds: string[] = [];
  const retryIds: string[] = [];
  const suspicious: { mol_id: string; why: string }[] = [];
  for (const row of rows) {
    const described = await describeOne(describe, row.smiles);
    const multiplicity =
      row.multiplicity ?? (described.kind === 'valid' ? described.d.radical_electrons + 1 : 1);
    const stated = { ...row, multiplicity };
    molecules.push({
      mol_id: row.mol_id,
      ...payload(stated, described),
      ...itemStatus(described),
      ...invalidRecord(stated, described),
    });
    if (described.kind === 'invalid') invalidIds.push(row.mol_id);
    else if (described.kind === 'retry') retryIds.push(row.mol_id);
    else {
      const why = mismatch(described.d, row.charge, multiplicity);
      if (why !== undefined) suspicious.push({ mol_id: row.mol_id, why });
    }
    if (options.progress !== undefined && molecules.length % every === 0)
      options.progress(molecules.length, rows.length);
  }
  if (options.progress !== undefined && molecules.length % every !== 0)
    options.progress(molecules.length, rows.length);

  const referenceColumns = layout.reference.map((r) => r.name);
  const { duplicates } = moleculesOf(campaign).insertMany(molecules, {
    source,
    row_count: String(rows.length),
    reference_column: referenceColumn ?? '',
    reference_columns: referenceColumns,
    id_column: layout.idColumn,
    imported_at: new Date().toISOString(),
  });
  if (duplicates.length > 0) {
    throw new InputError(
      file,
      `ids already in the campaign: ${idList(duplicates)}; nothing was imported`,
    );
  }
  for (const m of molecules)
    if (m.detail !== undefined && m.detail !== null) writeDetail(campaign.paths, m.detail);

  return {
    source,
    imported: molecules.length,
    skipped_invalid: invalidIds.length,
    invalid_ids: invalidIds,
    retry_ids: retryIds,
    reference_column: referenceColumn,
    reference_columns: referenceColumns,
    id_column: layout.idColumn,
    suspicious,
    time_s: Number(process.hrtime.bigint() - started) / 1e9,
  };
}

/**
 * Describes again the Pending molecules RDKit failed on before (`descriptors_error` set): a
 * valid one gets its descriptors, an invalid one becomes Skip (INVALID_SMILES), one that fails
 * again stays as it was, with the new error. Returns how many are still waiting.
 */
export async function describeAgain(
  campaign: Campaign,
  describe?: DescribeSmiles,
): Promise<number> {
  const store = moleculesOf(campaign);
  const waiting = store.all().filter((m) => m.status === 'Pending' && m.descriptors_error !== null);
  if (waiting.length === 0) return 0;
  const describeWith = describe ?? (await rdkitDescriber());
  let left = 0;
  for (const m of waiting) {
    const described = await describeOne(describeWith, m.smiles);
    const { status, skip_reason } = itemStatus(described);
    const invalid = invalidRecord(m, described);
    store.setStatus(m.mol_id, status, {
      skip_reason,
      payload: payload(m, described),
      ...(invalid.detail === undefined
        ? {}
        : {
            last_error_message: invalid.last_error_message,
            result: { detail: invalid.detail, most_stable_hof_kcal_mol: null },
          }),
    });
    if (invalid.detail !== undefined) writeDetail(campaign.paths, invalid.detail);
    if (described.kind === 'retry') left++;
  }
  return left;
}

type Described =
  | { readonly kind: 'valid'; readonly d: Extract<SmilesDescription, { valid: true }> }
  | { readonly kind: 'invalid' }
  | { readonly kind: 'retry'; readonly error: string };

async function describeOne(describe: DescribeSmiles, smiles: string): Promise<Described> {
  let d: SmilesDescription;
  try {
    d = await describe(smiles);
  } catch (error) {
    if (error instanceof InfrastructureError) return { kind: 'retry', error: error.message };
    throw error;
  }
  return d.valid ? { kind: 'valid', d } : { kind: 'invalid' };
}

function payload(
  m: {
    readonly smiles: string;
    readonly charge: number;
    readonly multiplicity: number;
    readonly reference: Readonly<Record<string, string>>;
  },
  described: Described,
): MoleculePayload {
  const d = described.kind === 'valid' ? described.d : undefined;
  return {
    smiles: m.smiles,
    charge: m.charge,
    multiplicity: m.multiplicity,
    nheavy: d?.nheavy ?? null,
    nrotbonds: d?.nrotbonds ?? null,
    tpsa: d?.tpsa ?? null,
    aromatic_rings: d?.aromatic_rings ?? null,
    has_heteroatoms: d?.has_heteroatoms ?? null,
    reference: m.reference,
    descriptors_error: described.kind === 'retry' ? described.error : null,
  };
}

function itemStatus(described: Described): Pick<NewMolecule, 'status' | 'skip_reason'> {
  return described.kind === 'invalid'
    ? { status: 'Skip', skip_reason: SkipReason.INVALID_SMILES }
    : { status: 'Pending', skip_reason: null };
}

/** For a SMILES RDKit cannot read: the error and the detail a Skip molecule keeps. */
function invalidRecord(
  m: {
    readonly mol_id: string;
    readonly smiles: string;
    readonly charge: number;
    readonly multiplicity: number;
  },
  described: Described,
): { readonly last_error_message?: string; readonly detail?: MoleculeDetail } {
  if (described.kind !== 'invalid') return {};
  const message =
    m.smiles === ''
      ? 'the SMILES is empty'
      : `RDKit cannot read the SMILES ${JSON.stringify(m.smiles)}`;
  const detail = notRunDetail(m, {
    code: 'INVALID_SMILES',
    message,
    batch_id: null,
    method: 'builtin',
    crest_timeout_min: null,
    mopac_timeout_min: null,
    started_at: new Date().toISOString(),
  });
  return {
    last_error_message: message,
    detail: {
      ...detail,
      status: 'Skip',
      retry_count: 0,
      actual_crest_timeout_used_min: 0,
      actual_mopac_timeout_used_min: 0,
    },
  };
}

/** Why the stated charge or multiplicity disagrees with the SMILES, if it does. */
function mismatch(
  d: Extract<SmilesDescription, { valid: true }>,
  charge: number,
  multiplicity: number,
): string | undefined {
  if (d.formal_charge !== charge)
    return `charge ${charge}, but the SMILES has formal charge ${d.formal_charge}`;
  if (d.radical_electrons % 2 !== (multiplicity - 1) % 2)
    return `multiplicity ${multiplicity}, but the SMILES has ${d.radical_electrons} unpaired electron(s)`;
  return undefined;
}

interface Layout {
  readonly idColumn: 'index' | 'mol_id';
  /** Column index of each known column present. */
  readonly index: Partial<Record<Known, number>>;
  /** The columns kept as reference data, in file order. */
  readonly reference: readonly { readonly name: string; readonly index: number }[];
}

function readHeader(file: string, header: readonly string[], line: number): Layout {
  const where = `${file}:${line}`;
  if (header.length === 0) throw new InputError(file, 'the file is empty; expected a CSV header');
  const names = header.map((h) => h.trim());
  const seen = new Set<string>();
  for (const name of names) {
    if (name !== '' && seen.has(name.toLowerCase()))
      throw new InputError(where, `column "${name}" appears twice in the header`);
    seen.add(name.toLowerCase());
  }
  const index: Partial<Record<Known, number>> = {};
  names.forEach((name, i) => {
    const known = KNOWN.find((k) => k === name.toLowerCase());
    if (known !== undefined) index[known] = i;
  });
  const hasIndex = names[0] === '';
  if (index.mol_id === undefined && !hasIndex) {
    throw new InputError(
      where,
      `cannot tell the molecules' ids: expected either an unnamed first column holding the original row index (the ThermoCBS layout: ",smiles,multiplicity,charge,…") or a "mol_id" column; the header is "${names.slice(0, 8).join(',')}${names.length > 8 ? ',…' : ''}"`,
    );
  }
  if (index.smiles === undefined)
    throw new InputError(where, 'no "smiles" column; the header must name one');
  const unnamed = names.findIndex((n, i) => n === '' && (i > 0 || !hasIndex));
  if (unnamed >= 0)
    throw new InputError(where, `column ${unnamed + 1} has no name; only the first may be unnamed`);
  const reference = names
    .map((name, i) => ({ name, index: i }))
    .filter(
      ({ name, index: i }) =>
        !(i === 0 && hasIndex) && !KNOWN.some((k) => k === name.toLowerCase()),
    );
  return { idColumn: index.mol_id === undefined ? 'index' : 'mol_id', index, reference };
}

function indexId(where: string, value: string): string {
  if (!/^\d+$/.test(value)) {
    throw new InputError(
      where,
      `the index column (first, unnamed) holds "${value}"; expected a non-negative integer`,
    );
  }
  return `MOL${value.replace(/^0+(?=\d)/, '').padStart(5, '0')}`;
}

function integerCell<T extends number | undefined>(
  where: string,
  column: string,
  value: string,
  fallback: T,
): number | T {
  if (value === '') return fallback;
  const m = /^([+-]?\d+)(?:\.0*)?$/.exec(value);
  const n = m?.[1] === undefined ? Number.NaN : Number(m[1]);
  if (!Number.isSafeInteger(n) || (column === 'multiplicity' && n < 1)) {
    throw new InputError(
      where,
      `column "${column}" holds "${value}"; expected ${column === 'multiplicity' ? 'a positive integer (2S+1)' : 'an integer (e)'}`,
    );
  }
  return n;
}

const REFERENCE_NAME = /^h298|(_cbs|_ref|reference)$/i;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function chooseReference(
  file: string,
  columns: readonly string[],
  rows: readonly { readonly reference: Readonly<Record<string, string>> }[],
  wanted: string | undefined,
): string | null {
  if (wanted !== undefined) {
    const found =
      columns.find((c) => c === wanted) ??
      columns.find((c) => c.toLowerCase() === wanted.toLowerCase());
    if (found === undefined) {
      throw new InputError(
        file,
        `--reference ${wanted}: no such column; the reference columns are ${columns.map((c) => `"${c}"`).join(', ') || '(none)'}`,
      );
    }
    return found;
  }
  for (const column of columns) {
    if (!REFERENCE_NAME.test(column)) continue;
    let numbers = 0;
    let numeric = true;
    for (const row of rows) {
      const value = (row.reference[column] ?? '').trim();
      if (value === '') continue;
      if (!NUMBER.test(value)) {
        numeric = false;
        break;
      }
      numbers++;
    }
    if (numeric && numbers > 0) return column;
  }
  return null;
}

/** `"A", "B" and 3 more` — the first few ids and how many there are. */
function idList(ids: readonly string[]): string {
  const shown = ids.slice(0, SHOWN_IDS).map((id) => `"${id}"`);
  const more = ids.length - shown.length;
  const count = `${ids.length} id${ids.length === 1 ? '' : 's'}`;
  return `${count} (${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''})`;
}
