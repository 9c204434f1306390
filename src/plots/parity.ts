import type { TopLevelSpec } from 'vega-lite';
import { PLOT_COLORS, renderSvg, SERIES_COLORS } from './render-svg.js';

/** One point of a parity plot: x the reference, y the computed value, in the plot's unit. */
export interface ParityPoint {
  readonly x: number;
  readonly y: number;
  /** What the point is (a molecule id); shown in its `aria-label` with both values. */
  readonly label: string;
  /** A name of `ParityPlotData.groups` (drawn with that group's shape and colour), or none. */
  readonly group?: string;
}

/**
 * A parity plot's data: the points, the title (with the statistics the caller wants said),
 * the names of both quantities (for each point's label), the axis titles and the unit.
 * `groups` are the point groups in legend order; points without a group are drawn as
 * `ungrouped` (default `other`) and the legend appears only when some point has a group.
 */
export interface ParityPlotData {
  readonly points: readonly ParityPoint[];
  readonly title: string;
  readonly xName: string;
  readonly yName: string;
  readonly xTitle: string;
  readonly yTitle: string;
  readonly unit: string;
  readonly groups?: readonly string[];
  readonly ungrouped?: string;
  /** Width and height of the plotting area, px (default 520). */
  readonly size?: number;
}

const SHAPES = ['circle', 'triangle-up', 'square', 'diamond', 'cross', 'triangle-down'];
/**
 * A square parity plot (SVG): y against x over one common range, the y = x line dashed, one
 * point per entry (shape and colour by group, with a legend), and the title.
 *
 * Both axes span the points whose error (y − x) is plausible (see {@link plausible}): one
 * reference value in the wrong unit (seen in real data: −121,537 "kcal/mol") would otherwise
 * squeeze every other point into a dot. Points beyond the axes are drawn on the frame as hollow
 * red circles, and a subtitle says how many.
 */
export function parityPlot(data: ParityPlotData): Promise<string> {
  const size = data.size ?? 520;
  const keep = plausible(data.points);
  const [lo, hi] = commonRange(data.points.filter(keep).flatMap((p) => [p.x, p.y]));
  const ungrouped = data.ungrouped ?? 'other';
  const groups = [
    ...(data.points.some((p) => p.group === undefined) ? [ungrouped] : []),
    ...(data.groups ?? []),
  ];
  const clamp = (v: number): number => Math.min(hi, Math.max(lo, v));
  const rows = data.points.map((p) => ({
    x: clamp(p.x),
    y: clamp(p.y),
    group: p.group ?? ungrouped,
    beyond: p.x < lo || p.x > hi || p.y < lo || p.y > hi,
    description: `${p.label}: ${data.xName} ${p.x.toFixed(2)}, ${data.yName} ${p.y.toFixed(2)} ${data.unit}`,
  }));
  const beyond = rows.filter((r) => r.beyond).length;
  const scale = { domain: [lo, hi], nice: false, zero: false };
  const x = { field: 'x', type: 'quantitative', scale, title: data.xTitle } as const;
  const y = { field: 'y', type: 'quantitative', scale, title: data.yTitle } as const;
  const showLegend = data.points.some((p) => p.group !== undefined);
  const spec: TopLevelSpec = {
    width: size,
    height: size,
    title: {
      text: data.title,
      ...(beyond === 0
        ? {}
        : {
            subtitle: `${String(beyond)} point${beyond === 1 ? '' : 's'} beyond the axes, drawn on the frame (hollow)`,
            subtitleColor: PLOT_COLORS.highlight,
          }),
    },
    layer: [
      {
        data: { values: [{ v: lo }, { v: hi }] },
        mark: { type: 'line', strokeDash: [6, 4], color: PLOT_COLORS.highlight, strokeWidth: 1.5 },
        encoding: {
          x: { field: 'v', type: 'quantitative', scale, title: data.xTitle },
          y: { field: 'v', type: 'quantitative', scale, title: data.yTitle },
        },
      },
      {
        data: { values: rows.filter((r) => !r.beyond) },
        mark: {
          type: 'point',
          filled: true,
          opacity: 0.65,
          size: data.points.length > 2000 ? 12 : 40,
        },
        encoding: {
          x,
          y,
          shape: {
            field: 'group',
            type: 'nominal',
            scale: { domain: groups, range: SHAPES.slice(0, Math.max(1, groups.length)) },
            legend: showLegend ? { title: null, orient: 'bottom-right' } : null,
          },
          color: {
            field: 'group',
            type: 'nominal',
            scale: { domain: groups, range: SERIES_COLORS.slice(0, Math.max(1, groups.length)) },
            legend: showLegend ? { title: null, orient: 'bottom-right' } : null,
          },
          description: { field: 'description' },
        },
      },
      {
        data: { values: rows.filter((r) => r.beyond) },
        mark: {
          type: 'point',
          shape: 'circle',
          filled: false,
          color: PLOT_COLORS.highlight,
          strokeWidth: 1.5,
          size: 70,
        },
        encoding: { x, y, description: { field: 'description' } },
      },
    ],
  };
  return renderSvg(spec);
}

/**
 * Whether a point's error (y − x) is plausible for the axis range: within 10 robust standard
 * deviations (1.4826 × the median absolute deviation) of the median error, and never excluded
 * below 50 units off the median (PM7 does miss by tens of kcal/mol).
 */
function plausible(points: readonly ParityPoint[]): (p: ParityPoint) => boolean {
  const errors = points.map((p) => p.y - p.x);
  const m = median(errors);
  const limit = Math.max(50, 10 * 1.4826 * median(errors.map((e) => Math.abs(e - m))));
  return (p) => Math.abs(p.y - p.x - m) <= limit;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return 0;
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** One range for both axes, padded by 4 % and widened to whole steps of 1, 2 or 5 × 10^k. */
function commonRange(values: readonly number[]): [number, number] {
  let min = Math.min(...values);
  let max = Math.max(...values);
  if (values.length === 0) [min, max] = [-1, 1];
  if (max - min < 1e-9) [min, max] = [min - 1, max + 1];
  const pad = (max - min) * 0.04;
  const rough = (max - min + 2 * pad) / 6;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= rough) ?? 10) * magnitude;
  return [Math.floor((min - pad) / step) * step, Math.ceil((max + pad) / step) * step];
}
