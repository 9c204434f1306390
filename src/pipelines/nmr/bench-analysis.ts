import type { RegressionPlotData } from '../../plots/regression.js';
import type { Delta50Molecule } from './delta50.js';
import type { ScalingFactors } from './factors.js';
import { fitWithOutlierRemoval, type LinearFit } from './linear-fit.js';
import { NUCLEI, NUCLEUS_ELEMENT, type Nucleus } from './levels.js';
import type { BenchCell, BenchShieldings } from './bench.js';

/** One assigned atom of a level's regression: computed shielding against experimental shift. */
export interface RegressionPoint {
  readonly molecule: string;
  readonly atom: number;
  readonly shielding_ppm: number;
  readonly experimental_ppm: number;
  /** slope·σ + intercept of the final fit, and experimental − predicted. */
  readonly predicted_ppm: number;
  readonly residual_ppm: number;
  readonly outlier: boolean;
}

/** The regression of one level (functional, shielding basis, solvent) and nucleus. */
export interface LevelRegression {
  readonly functional: string;
  readonly basis: string;
  readonly solvent: string;
  readonly nucleus: Nucleus;
  /** Molecules with shieldings at this level. */
  readonly molecules: number;
  readonly fit: LinearFit;
  readonly points: readonly RegressionPoint[];
}

/** A molecule's errors at one level and nucleus, with the level's final fit. */
export interface CompoundError {
  readonly molecule: string;
  readonly name: string;
  readonly functional: string;
  readonly basis: string;
  readonly solvent: string;
  readonly nucleus: Nucleus;
  readonly n: number;
  readonly mae_ppm: number;
  readonly max_abs_ppm: number;
}

export interface BenchAnalysis {
  readonly levels: readonly LevelRegression[];
  readonly compounds: readonly CompoundError[];
}

/**
 * Per functional/basis/solvent/nucleus: δ_exp = slope·σ + intercept over every assigned atom of
 * the molecules with shieldings (linear-fit.ts: 3σ outliers dropped, refit); per-compound errors
 * with that fit. A level with fewer than 3 points is left out. Tasks are taken in DELTA50's order
 * whatever order they come in, so that a matrix run in parts (exported files merged) fits to the
 * last bit as run whole.
 */
export function analyzeBench(
  molecules: readonly Delta50Molecule[],
  tasks: readonly BenchShieldings[],
): BenchAnalysis {
  const byId = new Map(molecules.map((m) => [m.id, m]));
  const rank = new Map(molecules.map((m, i) => [m.id, i]));
  const ordered = [...tasks].sort(
    (a, b) =>
      (rank.get(a.cell.molecule) ?? molecules.length) -
      (rank.get(b.cell.molecule) ?? molecules.length),
  );
  const groups = new Map<string, BenchShieldings[]>();
  for (const t of ordered) {
    const key = `${t.cell.functional}\u0000${t.cell.nmr_basis}\u0000${t.cell.solvent}`;
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  const levels: LevelRegression[] = [];
  const compounds: CompoundError[] = [];
  for (const group of groups.values()) {
    const { functional, nmr_basis: basis, solvent } = group[0]?.cell ?? ({} as BenchCell);
    for (const nucleus of NUCLEI) {
      const raw: Omit<RegressionPoint, 'predicted_ppm' | 'residual_ppm' | 'outlier'>[] = [];
      for (const t of group) {
        const molecule = byId.get(t.cell.molecule);
        if (molecule === undefined) continue;
        for (const [atom, experimental] of molecule.shifts[nucleus]) {
          const s = t.shieldings.find((x) => x.index === atom);
          if (s?.element !== NUCLEUS_ELEMENT[nucleus]) continue;
          raw.push({
            molecule: molecule.id,
            atom,
            shielding_ppm: s.isotropic_ppm,
            experimental_ppm: experimental,
          });
        }
      }
      const fit = fitWithOutlierRemoval(
        raw.map((p) => p.shielding_ppm),
        raw.map((p) => p.experimental_ppm),
      );
      if (fit === undefined) continue;
      const points = raw.map((p, i) => {
        const predicted = fit.slope * p.shielding_ppm + fit.intercept;
        return {
          ...p,
          predicted_ppm: predicted,
          residual_ppm: p.experimental_ppm - predicted,
          outlier: fit.outliers.includes(i),
        };
      });
      levels.push({ functional, basis, solvent, nucleus, molecules: group.length, fit, points });
      for (const t of group) {
        const mine = points.filter((p) => p.molecule === t.cell.molecule);
        if (mine.length === 0) continue;
        const abs = mine.map((p) => Math.abs(p.residual_ppm));
        compounds.push({
          molecule: t.cell.molecule,
          name: byId.get(t.cell.molecule)?.name ?? t.cell.molecule,
          functional,
          basis,
          solvent,
          nucleus,
          n: mine.length,
          mae_ppm: abs.reduce((a, b) => a + b, 0) / abs.length,
          max_abs_ppm: Math.max(...abs),
        });
      }
    }
  }
  return { levels, compounds };
}

/** The scaling factors of each regression, as a factors file holds them. */
export function factorsOf(analysis: BenchAnalysis): ScalingFactors[] {
  return analysis.levels.map((l) => ({
    functional: l.functional,
    basis: l.basis,
    solvent: l.solvent,
    nucleus: l.nucleus,
    slope: l.fit.slope,
    intercept: l.fit.intercept,
    r_squared: l.fit.r_squared,
    mae_ppm: l.fit.mae,
    rmsd_ppm: l.fit.rmsd,
    n: l.fit.n,
    n_total: l.points.length,
    outliers_removed: l.fit.outliers.length,
    ci_slope: l.fit.ci_slope,
    ci_intercept: l.fit.ci_intercept,
  }));
}

/**
 * A level's regression and residual plot (src/plots/regression.ts): every assigned atom's
 * shielding against its experimental shift, the outliers left out of the fit marked.
 */
export function regressionPlotData(level: LevelRegression): RegressionPlotData {
  return {
    title: `${level.functional}/${level.basis} ${level.nucleus} in ${level.solvent}: R² ${level.fit.r_squared.toFixed(4)}, MAE ${level.fit.mae.toFixed(3)} ppm, n ${level.fit.n} of ${level.points.length}`,
    points: level.points.map((p) => ({
      x: p.shielding_ppm,
      y: p.experimental_ppm,
      label: `${p.molecule} atom ${p.atom}`,
      excluded: p.outlier,
    })),
    slope: level.fit.slope,
    intercept: level.fit.intercept,
    xTitle: `computed shielding σ (ppm)`,
    yTitle: `experimental δ (ppm)`,
    residualTitle: 'residual (ppm)',
  };
}

const f = (x: number, d: number): string => x.toFixed(d);

/** The Markdown report of an analysis: the factors and statistics, then per-compound errors. */
export function benchReport(analysis: BenchAnalysis, source: string): string {
  const out = [
    '# DELTA50 NMR benchmark',
    '',
    source,
    '',
    'δ_exp = slope·σ + intercept by ordinary least squares over every assigned atom; points with |residual| > 3 standard deviations dropped, then refitted. MAE and RMSD of the kept points; 95 % confidence intervals.',
    '',
    '| functional | basis | solvent | nucleus | molecules | n | outliers | slope (95 % CI) | intercept (95 % CI) | R² | MAE (ppm) | RMSD (ppm) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const l of analysis.levels) {
    const x = l.fit;
    out.push(
      `| ${l.functional} | ${l.basis} | ${l.solvent} | ${l.nucleus} | ${l.molecules} | ${x.n} of ${l.points.length} | ${x.outliers.length} | ${f(x.slope, 4)} (${f(x.ci_slope[0], 4)} … ${f(x.ci_slope[1], 4)}) | ${f(x.intercept, 2)} (${f(x.ci_intercept[0], 2)} … ${f(x.ci_intercept[1], 2)}) | ${f(x.r_squared, 4)} | ${f(x.mae, 3)} | ${f(x.rmsd, 3)} |`,
    );
  }
  for (const l of analysis.levels) {
    const outliers = l.points.filter((p) => p.outlier);
    if (outliers.length === 0) continue;
    out.push(
      '',
      `Outliers of ${l.functional}/${l.basis} ${l.nucleus} in ${l.solvent}: ${outliers.map((p) => `${p.molecule} atom ${p.atom} (${f(p.residual_ppm, 2)} ppm)`).join(', ')}`,
    );
  }
  out.push(
    '',
    '## Per-compound errors',
    '',
    '| molecule | name | functional | basis | solvent | nucleus | n | MAE (ppm) | max |Δ| (ppm) |',
    '|---|---|---|---|---|---|---|---|---|',
  );
  for (const c of analysis.compounds) {
    out.push(
      `| ${c.molecule} | ${c.name} | ${c.functional} | ${c.basis} | ${c.solvent} | ${c.nucleus} | ${c.n} | ${f(c.mae_ppm, 3)} | ${f(c.max_abs_ppm, 3)} |`,
    );
  }
  return `${out.join('\n')}\n`;
}
