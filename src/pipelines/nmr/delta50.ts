import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Atom } from '../../chem/molecule.js';
import { parseXyz } from '../../chem/xyz.js';
import { InputError } from '../../core/errors.js';
import type { Nucleus } from './levels.js';
import { packagePath } from '../../core/package-path.js';

/** The DELTA50 data shipped with retort (data/delta50; see its README for source and licence). */
export const DELTA50_DIR = packagePath('data', 'delta50');

/**
 * One DELTA50 molecule: `id` (`compound_01` …, the XYZ file's name), `name`, `number` (1–50),
 * its B3LYP/6-31G(d) geometry (Å) and the experimental shifts (ppm, CDCl3, TMS = 0) of its
 * assigned atoms by 1-based atom index into that geometry.
 */
export interface Delta50Molecule {
  readonly id: string;
  readonly name: string;
  readonly number: number;
  readonly atoms: readonly Atom[];
  readonly shifts: Readonly<Record<Nucleus, ReadonlyMap<number, number>>>;
}

/**
 * Reads a DELTA50 directory: `experimental_shifts.json` (`molecules.<id>`: `name`,
 * `compound_number`, `h1_assignments` and `c13_assignments` as {"atom index": shift}) and
 * `molecules/<id>.xyz`. Molecules in file order. A missing file or a field of the wrong kind is
 * an InputError naming it.
 */
export function readDelta50(dir: string = DELTA50_DIR): Delta50Molecule[] {
  const file = join(dir, 'experimental_shifts.json');
  if (!existsSync(file)) {
    throw new InputError(
      file,
      'no such file: expected a DELTA50 directory (experimental_shifts.json and molecules/)',
    );
  }
  const data = JSON.parse(readFileSync(file, 'utf8')) as { molecules?: unknown };
  if (data.molecules === null || typeof data.molecules !== 'object') {
    throw new InputError(`${file}: molecules`, 'expected an object of molecules by id');
  }
  return Object.entries(data.molecules as Record<string, Record<string, unknown>>).map(
    ([id, entry]) => {
      const xyz = join(dir, 'molecules', `${id}.xyz`);
      if (!existsSync(xyz)) throw new InputError(xyz, `no such file: the geometry of ${id}`);
      const [frame] = parseXyz(readFileSync(xyz, 'utf8'), xyz);
      const atoms = frame?.atoms ?? [];
      return {
        id,
        name: typeof entry.name === 'string' ? entry.name : id,
        number: typeof entry.compound_number === 'number' ? entry.compound_number : 0,
        atoms,
        shifts: {
          '1H': assignments(
            entry.h1_assignments,
            `${file}: molecules.${id}.h1_assignments`,
            atoms,
            'H',
          ),
          '13C': assignments(
            entry.c13_assignments,
            `${file}: molecules.${id}.c13_assignments`,
            atoms,
            'C',
          ),
        },
      };
    },
  );
}

function assignments(
  value: unknown,
  where: string,
  atoms: readonly Atom[],
  element: string,
): Map<number, number> {
  const out = new Map<number, number>();
  if (value === undefined) return out;
  if (value === null || typeof value !== 'object')
    throw new InputError(where, 'expected {"atom index": shift}');
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const index = Number(k);
    if (
      !Number.isInteger(index) ||
      typeof v !== 'number' ||
      atoms[index - 1]?.element !== element
    ) {
      throw new InputError(
        `${where}.${k}`,
        `expected the 1-based index of an ${element} atom with a shift in ppm`,
      );
    }
    out.set(index, v);
  }
  return out;
}

/** The molecules named by `selection` (ids like compound_07, or numbers 7), in data order. */
export function selectMolecules(
  all: readonly Delta50Molecule[],
  selection: readonly string[] | undefined,
  where: string,
): Delta50Molecule[] {
  if (selection === undefined || selection.length === 0) return [...all];
  const wanted = selection.map((s) => {
    const found = all.find((m) => m.id === s || String(m.number) === s.replace(/^0+/, ''));
    if (found === undefined) {
      throw new InputError(
        where,
        `unknown molecule "${s}"; give ids (compound_01 … compound_${String(all.length).padStart(2, '0')}) or numbers (1 … ${all.length})`,
      );
    }
    return found.id;
  });
  return all.filter((m) => wanted.includes(m.id));
}
