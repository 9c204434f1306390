import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../src/chem/csv.js';
import { analyzeBench, factorsOf } from '../../../src/pipelines/nmr/bench-analysis.js';
import type { BenchShieldings } from '../../../src/pipelines/nmr/bench.js';
import { readDelta50 } from '../../../src/pipelines/nmr/delta50.js';
import {
  BUILTIN_FACTORS_FILE,
  lookUpFactors,
  readFactorsFile,
} from '../../../src/pipelines/nmr/factors.js';
import { REPO_ROOT } from '../../helpers/cli.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'nmr');

/** A fixture's rows (molecule, functional, nmr_basis, solvent, index, element, isotropic_ppm) as bench tasks. */
function tasksOf(file: string): BenchShieldings[] {
  const table = parseCsv(readFileSync(join(FIXTURES, file), 'utf8'), file);
  const tasks = new Map<
    string,
    BenchShieldings & { shieldings: BenchShieldings['shieldings'][number][] }
  >();
  for (const { cells } of table.rows) {
    const [
      molecule = '',
      functional = '',
      nmr_basis = '',
      solvent = '',
      index,
      element = '',
      sigma,
    ] = cells;
    const key = [molecule, functional, nmr_basis, solvent].join('/');
    let task = tasks.get(key);
    if (task === undefined) {
      task = { cell: { molecule, functional, nmr_basis, solvent }, shieldings: [] };
      tasks.set(key, task);
    }
    task.shieldings.push({ index: Number(index), element, isotropic_ppm: Number(sigma) });
  }
  return [...tasks.values()];
}

const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.csv'));

describe('the built-in scaling factors (data/nmr/factors.json)', () => {
  const builtin = readFactorsFile(BUILTIN_FACTORS_FILE);

  it('are the fit of the benchmark shieldings, every level and nucleus', () => {
    expect(files.length).toBeGreaterThan(0);
    const fitted = files.flatMap((f) => factorsOf(analyzeBench(readDelta50(), tasksOf(f))));
    expect(fitted.map((f) => `${f.basis} ${f.nucleus} ${f.n_total}`).sort()).toEqual(
      builtin.map((f) => `${f.basis} ${f.nucleus} ${f.n_total}`).sort(),
    );
    for (const f of fitted) {
      const shipped = lookUpFactors(builtin, f, 'data/nmr/factors.json');
      expect(shipped.n).toBe(f.n);
      for (const field of ['slope', 'intercept', 'r_squared', 'mae_ppm', 'rmsd_ppm'] as const) {
        expect(shipped[field], `${f.basis} ${f.nucleus} ${field}`).toBeCloseTo(f[field], 9);
      }
    }
  });

  it('cover every assigned DELTA50 atom: 342 H and 221 C per level', () => {
    for (const f of builtin) expect(f.n_total).toBe(f.nucleus === '1H' ? 342 : 221);
  });
});
