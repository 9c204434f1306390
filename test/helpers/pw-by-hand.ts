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

/** Primitive fcc silicon (a = 5.43 Å, the qe fixtures' cell) as a P1 CIF: three vectors of a/√2
 * at 60°, atoms at 0 and 1/4 along each. */
export const SI_PRIMITIVE_CIF = [
  'data_Si_primitive',
  ...['a', 'b', 'c'].map((l) => `_cell_length_${l} ${(5.43 / Math.SQRT2).toFixed(12)}`),
  ...['alpha', 'beta', 'gamma'].map((l) => `_cell_angle_${l} 60`),
  'loop_',
  '_atom_site_label',
  '_atom_site_fract_x',
  '_atom_site_fract_y',
  '_atom_site_fract_z',
  'Si1 0 0 0',
  'Si2 0.25 0.25 0.25',
  '',
].join('\n');
