import { csvLine, type CsvValue } from '../../chem/csv.js';
import type { JsonValue } from '../../core/calc-spec.js';
import { InputError } from '../../core/errors.js';
import type { Item } from '../../store/item-store.js';
import { evaluateExpression, parseExpression, type Expression } from './expression/index.js';
import type { InstancePayload, InstanceRecord, WorkflowShape } from './workflow-item.js';

export type InstanceItem = Item<InstancePayload, InstanceRecord>;

/** Result fields taken as a step's energy for the default columns, in this order. */
const ENERGY_FIELDS = [
  'total_energy_hartree',
  'heat_of_formation_kcal_mol',
  'total_energy_ev',
  'gibbs_free_energy_hartree',
];

/**
 * The columns of a workflow's CSV export: each an expression over one instance (`matrix.NAME`,
 * `params.NAME`, `steps.NAME.state`, `steps.NAME.result.FIELD` …; see the expression language),
 * its text the column's header. By default: every matrix value, then per step its state and,
 * when its results have one, its energy.
 */
export function defaultColumns(items: readonly InstanceItem[], shape: WorkflowShape): string[] {
  const matrix = new Set<string>();
  for (const item of items) for (const k of Object.keys(item.payload.matrix)) matrix.add(k);
  const columns = [...matrix].map((k) => `matrix.${k}`);
  for (const step of shape.steps) {
    columns.push(`steps.${step.name}.state`);
    const energy = ENERGY_FIELDS.find((f) =>
      items.some((i) => i.result?.steps[step.name]?.result?.[f] !== undefined),
    );
    if (energy !== undefined) columns.push(`steps.${step.name}.result.${energy}`);
  }
  return columns;
}

/** Parses `--columns` (each an expression; an error names the column). */
export function parseColumns(columns: readonly string[]): Expression[] {
  return columns.map((c) => parseExpression(c, `--columns ${c}`));
}

/** The CSV text: `instance`, then the columns; a value an instance does not have is empty. */
export function workflowCsv(
  items: readonly InstanceItem[],
  columns: readonly Expression[],
): string {
  const lines = [csvLine(['instance', ...columns.map((c) => c.source)])];
  for (const item of items) {
    const scope = scopeOf(item);
    const cells: CsvValue[] = [item.payload.instance];
    for (const column of columns) {
      cells.push(cellOf(column, scope));
    }
    lines.push(csvLine(cells));
  }
  return lines.join('');
}

function cellOf(column: Expression, scope: Readonly<Record<string, JsonValue>>): CsvValue {
  let value: JsonValue;
  try {
    value = evaluateExpression(column, scope, column.source);
  } catch (error) {
    if (error instanceof InputError) return null;
    throw error;
  }
  if (value === null || typeof value !== 'object') return value;
  return JSON.stringify(value);
}

/** What an instance's columns read. */
function scopeOf(item: InstanceItem): Readonly<Record<string, JsonValue>> {
  const steps: Record<string, JsonValue> = {};
  for (const [name, record] of Object.entries(item.result?.steps ?? {})) {
    steps[name] = { ...record, result: record.result === null ? null : { ...record.result } };
  }
  return { matrix: { ...item.payload.matrix }, params: { ...item.payload.params }, steps };
}

/** Everything of every instance, as JSON (the `--json` and `.json` export). */
export function workflowJson(items: readonly InstanceItem[]): JsonValue {
  return items.map((item) => ({
    instance: item.payload.instance,
    status: item.status,
    matrix: { ...item.payload.matrix },
    params: { ...item.payload.params },
    updated_at: item.updated_at,
    steps: Object.fromEntries(
      Object.entries(item.result?.steps ?? {}).map(([name, r]) => [
        name,
        { ...r, result: r.result === null ? null : { ...r.result } },
      ]),
    ),
  }));
}
