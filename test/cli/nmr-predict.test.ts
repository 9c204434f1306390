import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupTempDirs,
  hasProgram,
  REPO_ROOT,
  runCli,
  tempCampaign,
  tempDir,
} from '../helpers/cli.js';

afterEach(async () => {
  expect(await cleanupTempDirs()).toEqual([]);
});

const ACETALDEHYDE = join(REPO_ROOT, 'data', 'delta50', 'molecules', 'compound_03.xyz');

/** A factors file with made-up factors for B3LYP/6-31G* in chloroform. */
function factorsFile(dir: string): string {
  const entry = (nucleus: string, slope: number, intercept: number) => ({
    functional: 'B3LYP',
    basis: '6-31G*',
    solvent: 'chcl3',
    nucleus,
    slope,
    intercept,
    r_squared: 0.99,
    mae_ppm: 0.1,
    rmsd_ppm: 0.2,
    n: 10,
    n_total: 10,
    outliers_removed: 0,
    ci_slope: [slope - 0.01, slope + 0.01],
    ci_intercept: [intercept - 0.1, intercept + 0.1],
  });
  const file = join(dir, 'factors.json');
  writeFileSync(
    file,
    JSON.stringify({
      format: 'retort-nmr-factors',
      version: 1,
      source: 'test',
      factors: [entry('1H', -0.95, 30.5), entry('13C', -0.97, 180.2)],
    }),
  );
  return file;
}

interface PredictJson {
  readonly atoms: {
    index: number;
    element: string;
    shielding_ppm: number;
    shift_ppm: number | null;
  }[];
  readonly groups: { atoms: number[]; element: string; shift_ppm: number | null }[];
  readonly spectra: Record<string, { shift_ppm: number; intensity: number }[]>;
  readonly plots: Record<string, string>;
}

describe('retort nmr predict', () => {
  it('refuses a level without scaling factors, listing the known ones, before any calc', () => {
    const dir = tempCampaign();
    const r = runCli(
      ['nmr', 'predict', '--xyz', ACETALDEHYDE, '--solvent', 'dmso', '--factors', factorsFile(dir)],
      { cwd: dir },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /no scaling factors for B3LYP\/6-31G\*\/1H\/dmso; known: B3LYP\/6-31G\*\/1H\/chcl3, B3LYP\/6-31G\*\/13C\/chcl3/,
    );
    const bad = runCli(['nmr', 'predict', '--xyz', ACETALDEHYDE, '--preset', 'fast'], { cwd: dir });
    expect(bad.stderr).toMatch(/--preset: expected draft or production, found "fast"/);
    const both = runCli(['nmr', 'predict', '--xyz', ACETALDEHYDE, '--smiles', 'CC=O'], {
      cwd: dir,
    });
    expect(both.stderr).toMatch(/give the molecule as --smiles S or --xyz FILE/);
  });

  it.skipIf(!hasProgram('nwchem'))(
    '--preset draft --no-opt --solvent chcl3 --json gives the shieldings of NWChem run by hand on the same input, to 0.01 ppm',
    () => {
      const dir = tempCampaign();
      const r = runCli(
        [
          'nmr',
          'predict',
          '--xyz',
          ACETALDEHYDE,
          '--preset',
          'draft',
          '--no-opt',
          '--solvent',
          'chcl3',
          '--json',
          '--factors',
          factorsFile(dir),
        ],
        { cwd: dir },
      );
      expect(r.status, r.stderr).toBe(0);
      const p = JSON.parse(r.stdout) as PredictJson;

      // The same molecule and level written as a user would, run outside retort.
      const atomLines = readFileSync(ACETALDEHYDE, 'utf8').trim().split('\n').slice(2);
      const input = [
        'start byhand',
        'geometry units angstrom noautoz nocenter noautosym',
        ...atomLines,
        'end',
        'basis spherical',
        '  * library 6-31G*',
        'end',
        'dft',
        '  xc b3lyp',
        '  direct',
        'end',
        'cosmo',
        '  solvent chcl3',
        '  do_gasphase False',
        'end',
        'property',
        '  shielding',
        'end',
        'task dft property',
        '',
      ].join('\n');
      const byHand = tempDir('nmr-by-hand-');
      writeFileSync(join(byHand, 'in.nw'), input);
      const out = execFileSync('nwchem', ['in.nw'], {
        cwd: byHand,
        env: { ...process.env, OMP_NUM_THREADS: '1' },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const printed = [...out.matchAll(/isotropic =\s+(\S+)/g)].map((m) => Number(m[1]));
      expect(printed).toHaveLength(7);
      expect(p.atoms.map((a) => a.index)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(p.atoms.map((a) => a.element)).toEqual(['C', 'C', 'O', 'H', 'H', 'H', 'H']);
      p.atoms.forEach((a, i) => {
        expect(Math.abs(a.shielding_ppm - (printed[i] ?? NaN))).toBeLessThan(0.01);
      });
      // Shifts from the factors; O has none.
      expect(p.atoms[0]?.shift_ppm).toBeCloseTo(-0.97 * (printed[0] ?? 0) + 180.2, 6);
      expect(p.atoms[3]?.shift_ppm).toBeCloseTo(-0.95 * (printed[3] ?? 0) + 30.5, 6);
      expect(p.atoms[2]?.shift_ppm).toBeNull();
      // The methyl H (5–7) are one group with their mean shift; the spectrum has 2 H sticks.
      const methyl = p.groups.find((g) => g.atoms.join() === '5,6,7');
      const mean = ((printed[4] ?? NaN) + (printed[5] ?? NaN) + (printed[6] ?? NaN)) / 3;
      expect(methyl?.shift_ppm).toBeCloseTo(-0.95 * mean + 30.5, 6);
      expect(p.spectra['1H']?.map((s) => s.intensity).sort()).toEqual([1, 3]);
      expect(p.spectra['13C']).toHaveLength(2);
      expect(p.plots['1H']).toBe(join(dir, 'exports', 'nmr', 'compound_03-1H.svg'));
      expect(readFileSync(p.plots['13C'] ?? '', 'utf8')).toMatch(
        /aria-roledescription="rule mark"/,
      );

      // Without --factors: the built-in factors (the draft benchmark's), the calc from the store.
      const again = runCli(
        ['nmr', 'predict', '--xyz', ACETALDEHYDE, '--preset', 'draft', '--no-opt', '--json'],
        { cwd: dir },
      );
      expect(again.status, again.stderr).toBe(0);
      const b = JSON.parse(again.stdout) as PredictJson;
      const builtin = JSON.parse(
        readFileSync(join(REPO_ROOT, 'data', 'nmr', 'factors.json'), 'utf8'),
      ) as {
        factors: {
          basis: string;
          solvent: string;
          nucleus: string;
          slope: number;
          intercept: number;
        }[];
      };
      const f = (nucleus: string) =>
        builtin.factors.find(
          (x) => x.basis === '6-31G*' && x.solvent === 'chcl3' && x.nucleus === nucleus,
        );
      expect(b.atoms[0]?.shift_ppm).toBeCloseTo(
        (f('13C')?.slope ?? NaN) * (printed[0] ?? 0) + (f('13C')?.intercept ?? NaN),
        6,
      );
      // And they predict DELTA50's measured shifts of acetaldehyde (CDCl3) within the fit's
      // scatter: CHO 9.80 and CH3 2.21 ppm, C=O 199.97 and CH3 30.99 ppm (data/delta50).
      const shifts = JSON.parse(
        readFileSync(join(REPO_ROOT, 'data', 'delta50', 'experimental_shifts.json'), 'utf8'),
      ) as {
        molecules: Record<
          string,
          { h1_assignments: Record<string, number>; c13_assignments: Record<string, number> }
        >;
      };
      const measured = shifts.molecules.compound_03;
      for (const a of b.atoms) {
        const exp =
          a.element === 'H'
            ? measured?.h1_assignments[a.index]
            : measured?.c13_assignments[a.index];
        if (exp === undefined) continue;
        expect(Math.abs((a.shift_ppm ?? NaN) - exp), `atom ${a.index}`).toBeLessThan(
          a.element === 'H' ? 0.6 : 6,
        );
      }
    },
    600_000,
  );
});
