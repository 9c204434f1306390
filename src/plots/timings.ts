import type { TopLevelSpec } from 'vega-lite';
import { PLOT_COLORS, renderSvg, SERIES_COLORS } from './render-svg.js';

/** One finished calc: the wall time predicted before it ran and the time it took, seconds. */
export interface TimingPoint {
  readonly predicted_s: number;
  readonly actual_s: number;
  /** The series it belongs to (the program: `mopac`, `psi4`), coloured and in the legend. */
  readonly group: string;
  /** What the calc is (its label or key); shown in its `aria-label`. */
  readonly label: string;
}

export interface TimingsPlotData {
  readonly title: string;
  readonly points: readonly TimingPoint[];
  /** Width and height of the plotting area, px (default 520). */
  readonly size?: number;
}

/**
 * Actual against predicted wall time (SVG), both axes logarithmic over one common range, the
 * y = x line dashed (a perfect prediction) and one colour per group. A time of 0 s cannot sit
 * on a log axis: such points are drawn at the range's lower end and the subtitle says how many.
 */
export function timingsPlot(data: TimingsPlotData): Promise<string> {
  const size = data.size ?? 520;
  const times = data.points.flatMap((p) => [p.predicted_s, p.actual_s]).filter((t) => t > 0);
  const lo = times.length === 0 ? 0.1 : 10 ** Math.floor(Math.log10(Math.min(...times)));
  const hi = times.length === 0 ? 10 : 10 ** Math.ceil(Math.log10(Math.max(...times)) + 1e-12);
  const floor = (t: number): number => Math.max(lo, t);
  const atFloor = data.points.filter((p) => p.predicted_s <= 0 || p.actual_s <= 0).length;
  const groups = [...new Set(data.points.map((p) => p.group))].sort();
  const scale = { type: 'log' as const, domain: [lo, hi], nice: false };
  const rows = data.points.map((p) => ({
    predicted: floor(p.predicted_s),
    actual: floor(p.actual_s),
    group: p.group,
    description: `${p.label}: predicted ${p.predicted_s.toFixed(1)} s, actual ${p.actual_s.toFixed(1)} s`,
  }));
  const spec: TopLevelSpec = {
    width: size,
    height: size,
    title: {
      text: data.title,
      ...(atFloor === 0
        ? {}
        : {
            subtitle: `${String(atFloor)} calc${atFloor === 1 ? '' : 's'} with a time of 0 s drawn at ${String(lo)} s`,
          }),
    },
    layer: [
      {
        data: { values: [{ t: lo }, { t: hi }] },
        mark: { type: 'line', strokeDash: [6, 4], color: PLOT_COLORS.muted },
        encoding: {
          x: { field: 't', type: 'quantitative', scale, title: 'predicted wall time (s)' },
          y: { field: 't', type: 'quantitative', scale, title: 'actual wall time (s)' },
        },
      },
      {
        data: { values: rows },
        mark: { type: 'point', filled: true, opacity: 0.7 },
        encoding: {
          x: { field: 'predicted', type: 'quantitative', scale, title: 'predicted wall time (s)' },
          y: { field: 'actual', type: 'quantitative', scale, title: 'actual wall time (s)' },
          color: {
            field: 'group',
            type: 'nominal',
            scale: { domain: groups, range: SERIES_COLORS.slice(0, Math.max(1, groups.length)) },
            legend: { title: null, orient: 'bottom-right' },
          },
          description: { field: 'description' },
        },
      },
    ],
  };
  return renderSvg(spec);
}
