import type { TopLevelSpec } from 'vega-lite';
import { PLOT_COLORS, renderSvg } from './render-svg.js';

/** One point of a regression: x the predictor, y the observed value. */
export interface RegressionPoint {
  readonly x: number;
  readonly y: number;
  /** What the point is (`C2 of ethanol`); shown in its `aria-label`. */
  readonly label: string;
  /** Left out of the fit (an outlier): drawn hollow and red. */
  readonly excluded?: boolean;
}

/**
 * A fitted straight line `y = slope·x + intercept` and the points it was fitted to (NMR:
 * δ_exp against the computed shielding σ). `xTitle`, `yTitle` name the axes with their units;
 * `residualTitle` the lower panel's axis (default `residual`).
 */
export interface RegressionPlotData {
  readonly title: string;
  readonly points: readonly RegressionPoint[];
  readonly slope: number;
  readonly intercept: number;
  readonly xTitle: string;
  readonly yTitle: string;
  readonly residualTitle?: string;
  /** Width of both panels, px (default 520); the fit panel is as high, the residuals 160. */
  readonly width?: number;
}

/**
 * Two panels sharing the x axis (SVG): above, the points and the fitted line over their x
 * range; below, each point's residual `y − (slope·x + intercept)` with the zero line dashed.
 * Points left out of the fit are hollow red circles in both panels.
 */
export function regressionPlot(data: RegressionPlotData): Promise<string> {
  const width = data.width ?? 520;
  const fit = (x: number): number => data.slope * x + data.intercept;
  const rows = data.points.map((p) => ({
    x: p.x,
    y: p.y,
    residual: p.y - fit(p.x),
    status: p.excluded === true ? 'left out of the fit' : 'fitted',
    description: `${p.label}: x ${p.x.toFixed(3)}, y ${p.y.toFixed(3)}, residual ${(p.y - fit(p.x)).toFixed(3)}`,
  }));
  const xs = data.points.map((p) => p.x);
  const [lo, hi] = xs.length === 0 ? [0, 1] : [Math.min(...xs), Math.max(...xs)];
  const x = {
    field: 'x',
    type: 'quantitative' as const,
    title: data.xTitle,
    scale: { zero: false, domain: [lo, hi], nice: true },
  };
  const status = {
    field: 'status',
    type: 'nominal' as const,
    scale: {
      domain: ['fitted', 'left out of the fit'],
      range: [PLOT_COLORS.primary, PLOT_COLORS.highlight],
    },
    legend: data.points.some((p) => p.excluded === true)
      ? { title: null, orient: 'bottom-right' as const }
      : null,
  };
  const points = (field: 'y' | 'residual', title: string): object[] => [
    {
      data: { values: rows.filter((r) => r.status === 'fitted') },
      mark: { type: 'point', filled: true, opacity: 0.7 },
      encoding: {
        x,
        y: { field, type: 'quantitative', title, scale: { zero: false } },
        color: status,
        description: { field: 'description' },
      },
    },
    {
      data: { values: rows.filter((r) => r.status !== 'fitted') },
      mark: { type: 'point', filled: false, strokeWidth: 1.5, size: 60 },
      encoding: {
        x,
        y: { field, type: 'quantitative', title, scale: { zero: false } },
        color: status,
        description: { field: 'description' },
      },
    },
  ];
  const fitLine = {
    data: { values: [lo, hi].map((v) => ({ x: v, y: fit(v) })) },
    mark: { type: 'line' as const, color: PLOT_COLORS.muted, strokeWidth: 1.5 },
    encoding: { x, y: { field: 'y', type: 'quantitative' as const } },
  };
  const zeroLine = {
    data: { values: [{ residual: 0 }] },
    mark: { type: 'rule' as const, strokeDash: [6, 4], color: PLOT_COLORS.muted },
    encoding: { y: { field: 'residual', type: 'quantitative' as const } },
  };
  const sign = data.intercept < 0 ? '−' : '+';
  const slope = data.slope.toFixed(4).replace('-', '−');
  return renderSvg({
    title: {
      text: data.title,
      subtitle: `fit: y = ${slope}·x ${sign} ${Math.abs(data.intercept).toFixed(4)}`,
    },
    vconcat: [
      { width, height: width, layer: [fitLine, ...points('y', data.yTitle)] },
      {
        width,
        height: 160,
        layer: [zeroLine, ...points('residual', data.residualTitle ?? 'residual')],
      },
    ],
  } as TopLevelSpec);
}
