import type { MoleculeStore } from '../molecules.js';

/**
 * The dataset's reference values, as the exports read them.
 *
 * - a molecule's `reference` holds the dataset file's other columns, name → text.
 * - the dataset fact `reference_column` (MoleculeStore.fact) names the one of them that is a reference
 *   heat of formation in kcal/mol (e.g. `H298_cbs`), compared with PM7's `most_stable_hof`.
 *   Without it there is no reference: no difference column, no parity plot, no statistics.
 */
export const REFERENCE_COLUMN_META_KEY = 'reference_column';

/** Fact `reference_columns`: the import's kept reference columns (a list fact), in file order. */
export const REFERENCE_COLUMNS_META_KEY = 'reference_columns';

/** The dataset's reference columns in the import's order, when the import recorded them. */
export function referenceColumnOrder(store: MoleculeStore): readonly string[] | undefined {
  return store.factList(REFERENCE_COLUMNS_META_KEY);
}

export function referenceColumn(store: MoleculeStore): string | undefined {
  const column = store.fact(REFERENCE_COLUMN_META_KEY);
  return column === undefined || column === '' ? undefined : column;
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
