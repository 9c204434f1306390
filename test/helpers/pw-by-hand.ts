import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The band energies (eV) pw.x printed after each `bands (ev):` line, read without the engine. */
export function printedBandEnergies(out: string): number[][] {
  const lines = out.split('\n');
  const bands: number[][] = [];
  lines.forEach((line, i) => {
    if (!line.includes('bands (ev)')) return;
    const values: number[] = [];
    for (let j = i + 2; (lines[j] ?? '').trim() !== ''; j++) {
      values.push(...(lines[j] ?? '').trim().split(/\s+/).map(Number));
    }
    bands.push(values);
  });
  return bands;
}

/**
 * pw.x run by hand on `inputs`, one after the other in one fresh directory (so a bands input
 * finds the scf's `out/` before it), one thread each; returns each run's stdout.
 */
export function pwByHand(inputs: readonly string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'retort-pw-by-hand-'));
  return inputs.map((text, i) => {
    writeFileSync(join(dir, `step${String(i)}.in`), text);
    return execFileSync('pw.x', ['-input', `step${String(i)}.in`], {
      cwd: dir,
      env: { ...process.env, OMP_NUM_THREADS: '1' },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
  });
}

/** The largest |a − b| over two tables of band energies of the same shape (Infinity if not). */
export function largestBandDifference(
  a: readonly (readonly number[])[],
  b: readonly (readonly number[])[],
): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  a.forEach((row, k) => {
    const other = b[k] ?? [];
    if (row.length !== other.length) worst = Infinity;
    row.forEach((e, j) => {
      worst = Math.max(worst, Math.abs(e - (other[j] ?? NaN)));
    });
  });
  return worst;
}
