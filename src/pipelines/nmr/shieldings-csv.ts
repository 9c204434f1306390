import { csvLine, parseCsv } from '../../chem/csv.js';
import { InputError } from '../../core/errors.js';
import { cellId, type BenchShieldings } from './bench.js';

/**
 * The shieldings of benchmark tasks as a CSV file: what `retort nmr bench export` writes and
 * `retort nmr bench analyze --shieldings` reads, so that one matrix can be split over machines
 * (`--molecules` on each) and analyzed as one, or kept and re-analyzed without its campaign.
 *
 * Columns, in this order, one row per atom of a succeeded task:
 *   molecule       DELTA50 id (`compound_01`)
 *   functional     as the bench names it (upper case: `B3LYP`)
 *   nmr_basis      the shielding basis as given (`6-311+G(2d,p)`)
 *   solvent        NWChem's COSMO name or `vacuum`
 *   index          the atom's 1-based index in the molecule's XYZ
 *   element        its symbol
 *   isotropic_ppm  its isotropic shielding, ppm, as the store holds it (no rounding)
 *
 * A task's rows are consecutive in the order written; a reader groups rows by the first four
 * columns wherever they are. Reading refuses, naming `file:line` and the column: a header other
 * than the one above, a short row, an empty name, an index that is not a positive integer, an
 * element that is not a symbol, a shielding that is not a finite number, and one atom listed
 * twice for one task.
 */
export const SHIELDINGS_CSV_COLUMNS = [
  'molecule',
  'functional',
  'nmr_basis',
  'solvent',
  'index',
  'element',
  'isotropic_ppm',
] as const;

/** The tasks' shieldings as CSV text (header first). */
export function shieldingsCsv(tasks: readonly BenchShieldings[]): string {
  let text = csvLine(SHIELDINGS_CSV_COLUMNS);
  for (const { cell, shieldings } of tasks) {
    for (const s of shieldings) {
      text += csvLine([
        cell.molecule,
        cell.functional,
        cell.nmr_basis,
        cell.solvent,
        s.index,
        s.element,
        s.isotropic_ppm,
      ]);
    }
  }
  return text;
}

type MutableTask = BenchShieldings & { shieldings: BenchShieldings['shieldings'][number][] };

/** The tasks of a shieldings CSV text, in order of first appearance; `source` names the file in errors. */
export function readShieldingsCsv(text: string, source: string): BenchShieldings[] {
  const table = parseCsv(text, source);
  const expected = SHIELDINGS_CSV_COLUMNS.join(',');
  if (table.header.join(',') !== expected) {
    throw new InputError(
      `${source}:${String(table.headerLine)}`,
      `expected the header ${expected} (a file of \`retort nmr bench export\`), got ${table.header.join(',') || 'nothing'}`,
    );
  }
  const tasks = new Map<string, MutableTask>();
  const atoms = new Set<string>();
  for (const { line, cells } of table.rows) {
    const at = (column: (typeof SHIELDINGS_CSV_COLUMNS)[number]): string =>
      `${source}:${String(line)}, column ${column}`;
    if (cells.length !== SHIELDINGS_CSV_COLUMNS.length) {
      throw new InputError(
        `${source}:${String(line)}`,
        `expected ${String(SHIELDINGS_CSV_COLUMNS.length)} fields, got ${String(cells.length)}`,
      );
    }
    const [molecule, functional, nmr_basis, solvent, index, element, sigma] = cells as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    for (const [column, value] of [
      ['molecule', molecule],
      ['functional', functional],
      ['nmr_basis', nmr_basis],
      ['solvent', solvent],
    ] as const) {
      if (value.trim() === '') throw new InputError(at(column), 'expected a name, got nothing');
    }
    if (!/^[1-9]\d*$/.test(index))
      throw new InputError(at('index'), `expected a 1-based atom index, got "${index}"`);
    if (!/^[A-Z][a-z]?$/.test(element))
      throw new InputError(at('element'), `expected an element symbol, got "${element}"`);
    const isotropic_ppm = Number(sigma);
    if (sigma.trim() === '' || !Number.isFinite(isotropic_ppm))
      throw new InputError(at('isotropic_ppm'), `expected a shielding in ppm, got "${sigma}"`);
    const cell = { molecule, functional, nmr_basis, solvent };
    const key = cellId(cell);
    const atomKey = `${key}\u0000${index}`;
    if (atoms.has(atomKey)) {
      throw new InputError(
        at('index'),
        `atom ${index} of ${molecule} ${functional}/${nmr_basis} ${solvent} is listed twice`,
      );
    }
    atoms.add(atomKey);
    let task = tasks.get(key);
    if (task === undefined) {
      task = { cell, shieldings: [] };
      tasks.set(key, task);
    }
    task.shieldings.push({ index: Number(index), element, isotropic_ppm });
  }
  return [...tasks.values()];
}

/**
 * The tasks of several sources as one set. A task found in two sources is kept once when its
 * shieldings are the same in both (a file exported twice), and refused otherwise: two runs of
 * one task that disagree cannot both be fitted.
 */
export function mergeShieldings(
  sources: readonly { readonly source: string; readonly tasks: readonly BenchShieldings[] }[],
): BenchShieldings[] {
  const merged = new Map<string, { source: string; task: BenchShieldings }>();
  for (const { source, tasks } of sources) {
    for (const task of tasks) {
      const { molecule, functional, nmr_basis, solvent } = task.cell;
      const key = cellId(task.cell);
      const earlier = merged.get(key);
      if (earlier === undefined) {
        merged.set(key, { source, task });
      } else if (!sameShieldings(earlier.task, task)) {
        throw new InputError(
          source,
          `${molecule} ${functional}/${nmr_basis} ${solvent} is also in ${earlier.source} with other shieldings; keep one of the two`,
        );
      }
    }
  }
  return [...merged.values()].map((m) => m.task);
}

function sameShieldings(a: BenchShieldings, b: BenchShieldings): boolean {
  const order = (t: BenchShieldings): string =>
    [...t.shieldings]
      .sort((x, y) => x.index - y.index)
      .map((s) => `${String(s.index)} ${s.element} ${String(s.isotropic_ppm)}`)
      .join('\n');
  return order(a) === order(b);
}
