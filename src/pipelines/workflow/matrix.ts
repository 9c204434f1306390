import { parseCsv } from '../../chem/csv.js';
import type { JsonValue } from '../../core/calc-spec.js';
import { InputError } from '../../core/errors.js';
import { readInputFile } from '../../runtime/input-file.js';
import type { MatrixDef } from './workflow-file.js';

/**
 * One instance of a workflow: its key (unique in the workflow; the store's item id is
 * `<workflow name>/<key>`) and the `matrix` values its expressions read.
 *
 * The key joins one part per matrix dimension with `,`: a CSV row's first column, a list
 * value's `NAME=VALUE` (`NAME#i`, counting from 1, for a value that is not a short text or
 * number). A workflow without a matrix has one instance, `default`.
 */
export interface Instance {
  readonly key: string;
  readonly matrix: Readonly<Record<string, JsonValue>>;
}

const DEFAULT_INSTANCE = 'default';

/** Every instance of a matrix: the CSV's rows × each list's values, in that order. */
export function expandMatrix(def: MatrixDef): Instance[] {
  let instances: { parts: string[]; matrix: Record<string, JsonValue> }[] = [
    { parts: [], matrix: {} },
  ];
  if (def.csv !== undefined) {
    const rows = readCsvRows(def.csv);
    instances = rows.map((row) => ({ parts: [row.key], matrix: row.values }));
  }
  for (const list of def.lists) {
    const next: typeof instances = [];
    for (const instance of instances) {
      list.values.forEach((value, i) => {
        next.push({
          parts: [...instance.parts, `${list.name}${keyPart(value, i)}`],
          matrix: { ...instance.matrix, [list.name]: value },
        });
      });
    }
    instances = next;
  }
  return instances.map(({ parts, matrix }) => ({
    key: parts.length === 0 ? DEFAULT_INSTANCE : parts.join(','),
    matrix,
  }));
}

/** The names `matrix.NAME` may read: the CSV's columns and the lists' keys. */
export function matrixNames(def: MatrixDef): string[] {
  const columns = def.csv === undefined ? [] : readCsvHeader(def.csv);
  return [...columns, ...def.lists.map((l) => l.name)];
}

function keyPart(value: JsonValue, i: number): string {
  if ((typeof value === 'string' && /^[^,/\s]{1,40}$/.test(value)) || typeof value === 'number') {
    return `=${String(value)}`;
  }
  return `#${i + 1}`;
}

type Csv = NonNullable<MatrixDef['csv']>;

function readCsvText(csv: Csv): string {
  return readInputFile(csv.path, csv.where);
}

function readCsvHeader(csv: Csv): readonly string[] {
  return parseCsv(readCsvText(csv), csv.file).header;
}

/** The rows of a matrix CSV as column → text, keyed by their first column (unique, non-empty). */
function readCsvRows(csv: Csv): { key: string; values: Record<string, JsonValue> }[] {
  const table = parseCsv(readCsvText(csv), csv.file);
  const header = table.header.map((h) => h.trim());
  if (header.length === 0 || header.some((h) => h === '')) {
    throw new InputError(
      `${csv.file}:${table.headerLine}`,
      'expected a header of column names, none empty',
    );
  }
  if (table.rows.length === 0) throw new InputError(csv.where, `${csv.file} has no rows`);
  const seen = new Map<string, number>();
  return table.rows.map((row) => {
    const where = `${csv.file}:${row.line}`;
    if (row.cells.length !== header.length) {
      throw new InputError(
        where,
        `expected ${header.length} fields (${header.join(', ')}), found ${row.cells.length}`,
      );
    }
    const key = (row.cells[0] ?? '').trim();
    if (key === '') throw new InputError(where, `${header[0] ?? ''}: expected the row's key`);
    const first = seen.get(key);
    if (first !== undefined) {
      throw new InputError(where, `${header[0] ?? ''} "${key}" is also on line ${first}`);
    }
    seen.set(key, row.line);
    return {
      key,
      values: Object.fromEntries(header.map((h, i) => [h, row.cells[i] ?? ''])),
    };
  });
}
