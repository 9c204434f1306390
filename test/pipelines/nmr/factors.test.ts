import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  lookUpFactors,
  readFactorsFile,
  writeFactorsFile,
  type ScalingFactors,
} from '../../../src/pipelines/nmr/factors.js';

const h: ScalingFactors = {
  functional: 'B3LYP',
  basis: '6-311+G(2d,p)',
  solvent: 'chcl3',
  nucleus: '1H',
  slope: -0.9375,
  intercept: 29.92,
  r_squared: 0.995,
  mae_ppm: 0.124,
  rmsd_ppm: 0.163,
  n: 335,
  n_total: 342,
  outliers_removed: 7,
  ci_slope: [-0.9445, -0.9305],
  ci_intercept: [29.72, 30.12],
};

describe('factors files', () => {
  it('write and read back, and look up a level case- and blank-insensitively', () => {
    const dir = mkdtempSync(join(tmpdir(), 'factors-'));
    try {
      const file = join(dir, 'f.json');
      writeFactorsFile(file, 'test', [
        h,
        { ...h, nucleus: '13C', slope: -0.95, intercept: 172.69 },
      ]);
      const table = readFactorsFile(file);
      expect(table).toHaveLength(2);
      expect(
        lookUpFactors(
          table,
          { functional: 'b3lyp', basis: '6-311+g(2d, p)', solvent: 'CHCl3', nucleus: '13C' },
          'x',
        ).intercept,
      ).toBe(172.69);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown combination with the list of the known ones', () => {
    expect(() =>
      lookUpFactors(
        [h],
        { functional: 'PBE0', basis: '6-31G*', solvent: 'dmso', nucleus: '1H' },
        '--factors f',
      ),
    ).toThrow(
      '--factors f: no scaling factors for PBE0/6-31G*/1H/dmso; known: B3LYP/6-311+G(2d,p)/1H/chcl3',
    );
  });

  it('refuses a file of another kind, and an entry without a slope, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'factors-'));
    try {
      const file = join(dir, 'f.json');
      writeFileSync(file, JSON.stringify({ 'B3LYP/6-31G*/1H/CHCl3': { slope: 1 } }));
      expect(() => readFactorsFile(file)).toThrow(/expected a factors file/);
      const { slope: _s, ...noSlope } = h;
      writeFileSync(
        file,
        JSON.stringify({ format: 'retort-nmr-factors', version: 1, factors: [noSlope] }),
      );
      expect(() => readFactorsFile(file)).toThrow(/factors\[0\]\.slope: expected a number/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
