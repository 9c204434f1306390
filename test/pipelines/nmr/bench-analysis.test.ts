import { describe, expect, it } from 'vitest';
import {
  analyzeBench,
  benchReport,
  factorsOf,
  regressionPlotData,
} from '../../../src/pipelines/nmr/bench-analysis.js';
import type { BenchShieldings } from '../../../src/pipelines/nmr/bench.js';
import { readDelta50 } from '../../../src/pipelines/nmr/delta50.js';

describe('analyzeBench', () => {
  it('recovers the line shieldings were made from, drops the one corrupted atom, and reports per compound', () => {
    const molecules = readDelta50().slice(0, 12);
    // Shieldings that give the experimental shifts exactly through δ = −0.95σ + 31 (H), −0.97σ + 180 (C)
    // with a ±0.02/±0.3 ppm alternating offset; one H of compound 2 is off by 3 ppm.
    let k = 0;
    const tasks: BenchShieldings[] = molecules.map((m) => ({
      cell: { molecule: m.id, functional: 'B3LYP', nmr_basis: '6-31G*', solvent: 'chcl3' },
      shieldings: m.atoms.map((a, i) => {
        const h = m.shifts['1H'].get(i + 1);
        const c = m.shifts['13C'].get(i + 1);
        const noise = k++ % 2 === 0 ? 1 : -1;
        let sigma = 0;
        if (h !== undefined) sigma = (31 - h) / 0.95 + 0.02 * noise;
        if (c !== undefined) sigma = (180 - c) / 0.97 + 0.3 * noise;
        if (m.id === 'compound_02' && i + 1 === 6) sigma += 3;
        return { index: i + 1, element: a.element, isotropic_ppm: sigma };
      }),
    }));
    const analysis = analyzeBench(molecules, tasks);
    const h = analysis.levels.find((l) => l.nucleus === '1H');
    const c = analysis.levels.find((l) => l.nucleus === '13C');
    const nH = molecules.reduce((n, m) => n + m.shifts['1H'].size, 0);
    expect(h?.points).toHaveLength(nH);
    expect(h?.fit.slope).toBeCloseTo(-0.95, 2);
    expect(h?.fit.intercept).toBeCloseTo(31, 0);
    expect(h?.points.filter((p) => p.outlier).map((p) => [p.molecule, p.atom])).toEqual([
      ['compound_02', 6],
    ]);
    expect(c?.fit.slope).toBeCloseTo(-0.97, 2);
    const factors = factorsOf(analysis);
    expect(factors.map((f) => `${f.functional}/${f.basis}/${f.nucleus}/${f.solvent}`)).toEqual([
      'B3LYP/6-31G*/1H/chcl3',
      'B3LYP/6-31G*/13C/chcl3',
    ]);
    expect(factors[0]).toMatchObject({ n: nH - 1, n_total: nH, outliers_removed: 1 });
    const worst = analysis.compounds
      .filter((x) => x.nucleus === '1H')
      .sort((a, b) => b.max_abs_ppm - a.max_abs_ppm)[0];
    expect(worst?.molecule).toBe('compound_02');
    const report = benchReport(analysis, 'synthetic');
    expect(report).toMatch(/\| B3LYP \| 6-31G\* \| chcl3 \| 1H \| 12 \|/);
    expect(report).toMatch(/Outliers of B3LYP\/6-31G\* 1H in chcl3: compound_02 atom 6/);
    if (h === undefined) return;
    const plot = regressionPlotData(h);
    expect(plot.points).toHaveLength(nH);
    expect(plot.points.filter((p) => p.excluded === true).map((p) => p.label)).toEqual([
      'compound_02 atom 6',
    ]);
    expect(plot.slope).toBe(h.fit.slope);
  });
});
