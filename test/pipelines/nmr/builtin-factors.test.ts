import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeBench, factorsOf } from '../../../src/pipelines/nmr/bench-analysis.js';
import type { BenchShieldings } from '../../../src/pipelines/nmr/bench.js';
import { readDelta50 } from '../../../src/pipelines/nmr/delta50.js';
import {
  BUILTIN_FACTORS_FILE,
  lookUpFactors,
  readFactorsFile,
} from '../../../src/pipelines/nmr/factors.js';
import { readShieldingsCsv } from '../../../src/pipelines/nmr/shieldings-csv.js';
import { REPO_ROOT } from '../../helpers/cli.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'nmr');

/** A fixture's tasks, read as `retort nmr bench analyze --shieldings` reads them. */
function tasksOf(file: string): BenchShieldings[] {
  return readShieldingsCsv(readFileSync(join(FIXTURES, file), 'utf8'), file);
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
