import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, hasProgram, runCli, tempCampaign } from '../helpers/cli.js';
import { SI_PRIMITIVE_CIF } from '../helpers/pw-by-hand.js';

afterEach(async () => {
  expect(await cleanupTempDirs()).toEqual([]);
});

interface CalcJson {
  readonly key: string;
  readonly status: string;
  readonly result: { readonly band_gap_ev?: number } | null;
}

function calc(dir: string, args: readonly string[]): CalcJson {
  const r = runCli(['calc', '--program', 'qe', '--structure', 'si.cif', ...args, '--json'], {
    cwd: dir,
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as CalcJson;
}

describe('retort plot bands', () => {
  it.skipIf(!hasProgram('pw.x'))(
    "draws a bands calc's band structure with the path labels and its gap (live pw.x)",
    () => {
      const dir = tempCampaign();
      writeFileSync(join(dir, 'si.cif'), SI_PRIMITIVE_CIF);
      const scf = calc(dir, ['--task', 'scf', '-o', 'ecutwfc=12', '-o', 'kpoints=[4,4,4]']);
      const bands = calc(dir, [
        '--task',
        'bands',
        '-o',
        'ecutwfc=12',
        '-o',
        `parent=${scf.key}`,
        '-o',
        'kpath_density=5',
      ]);
      const gap = bands.result?.band_gap_ev ?? NaN;
      expect(gap).toBeGreaterThan(0.3);

      const r = runCli(['plot', 'bands', bands.key, '-o', 'si-bands.svg'], { cwd: dir });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe('si-bands.svg\n');
      const svg = readFileSync(join(dir, 'si-bands.svg'), 'utf8');
      expect(svg).toContain('>Si2 band structure</text>');
      for (const label of ['Γ', 'X', 'W', 'K', 'L', 'U']) expect(svg).toContain(`>${label}</text>`);
      expect(svg).toContain(`>E_g = ${gap.toFixed(3)} eV, indirect</text>`);

      const again = runCli(['plot', 'bands', bands.key], { cwd: dir });
      expect(again.status, again.stderr).toBe(0);
      expect(again.stdout).toBe(`exports/bands-${bands.key.slice(0, 12)}.svg\n`);
      expect(readFileSync(join(dir, again.stdout.trim()), 'utf8')).toBe(svg);

      const notBands = runCli(['plot', 'bands', scf.key], { cwd: dir });
      expect(notBands.status).toBe(2);
      expect(notBands.stderr.trim()).toBe(
        'retort: a band structure is drawn from a qe bands calc, not qe scf',
      );
    },
    300_000,
  );

  it('refuses a key that is not in the campaign, in one line', () => {
    const dir = tempCampaign();
    const r = runCli(['plot', 'bands', 'f'.repeat(64)], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`retort: <calc-key>: no calc ${'f'.repeat(64)} in this campaign`);
    expect(r.stdout).toBe('');
  });
});
