import type { MoleculeRow, MoleculeStore } from '../../../store/molecule-store.js';

/**
 * The dataset's reference values, as the exports read them.
 *
 * - `molecules.reference_json` holds the dataset file's other columns, name → text.
 * - `dataset.reference_column` (MoleculeStore.meta) names the one of them that is a reference
 *   heat of formation in kcal/mol (e.g. `H298_cbs`), compared with PM7's `most_stable_hof`.
 *   Without it there is no reference: no difference column, no parity plot, no statistics.
 */
export const REFERENCE_COLUMN_META_KEY = 'reference_column';

/** `dataset.reference_columns`: the import's kept reference columns, as a JSON list, in file order. */
export const REFERENCE_COLUMNS_META_KEY = 'reference_columns';

/** The dataset's reference columns in the import's order, when the import recorded them. */
export function referenceColumnOrder(store: MoleculeStore): readonly string[] | undefined {
  const text = store.meta(REFERENCE_COLUMNS_META_KEY);
  if (text === undefined) return undefined;
  const parsed: unknown = JSON.parse(text);
  return Array.isArray(parsed) && parsed.every((c) => typeof c === 'string') ? parsed : undefined;
}

export function referenceColumn(store: MoleculeStore): string | undefined {
  const column = store.meta(REFERENCE_COLUMN_META_KEY);
  return column === undefined || column === '' ? undefined : column;
}

/** A molecule's reference columns, name → text ({} when the store holds none). */
export function referenceFields(row: MoleculeRow): Readonly<Record<string, string>> {
  const parsed: unknown = JSON.parse(row.reference_json);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  }
  return out;
}

/** The number in `column` of a molecule's reference fields; undefined when blank or not a number. */
export function referenceValue(
  fields: Readonly<Record<string, string>>,
  column: string,
): number | undefined {
  const text = fields[column]?.trim();
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** PM7 − reference in kcal/mol, when both are known. */
export function pm7MinusReference(
  hof: number | null,
  reference: number | undefined,
): number | undefined {
  return hof === null || reference === undefined ? undefined : hof - reference;
}
