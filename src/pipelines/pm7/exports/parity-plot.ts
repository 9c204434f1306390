import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../../runtime/atomic-write.js';
import type { Campaign } from '../../../runtime/campaign.js';
import { moleculesOf } from '../molecules.js';
import { referenceColumn, referenceValue } from './reference.js';
import { errorStats } from './stats.js';

/** One molecule on the parity plot: x = reference, y = PM7, both kcal/mol. */
export interface ParityPoint {
  readonly x: number;
  readonly y: number;
  readonly label: string;
}

export interface ParityPlotOptions {
  /** The reference's name for the x axis and the title (default `reference`). */
  readonly referenceName?: string;
  /** Width and height of the picture, px (default 640). */
  readonly size?: number;
}

/** The parity plot's file name in exports/. */
export const PARITY_PLOT_FILE = 'pm7_vs_reference.svg';

const MARGIN = { left: 78, right: 24, top: 58, bottom: 62 } as const;

/**
 * A self-contained SVG parity plot: PM7 heat of formation (y) against the reference (x), both
 * axes over the same range in kcal/mol with ticks and a grid, the y = x line (dashed, class
 * `identity`), one `<circle>` per point (its `<title>` names the molecule and both values), and
 * a title with n, MAE and MSE (mean signed error, PM7 − reference) over every point. No other
 * `<circle>` is drawn.
 *
 * The axes span the points whose error is not wildly off (see `inlier`): one reference value
 * in the wrong unit (seen in real data: −121,537 "kcal/mol") would otherwise squeeze every other
 * point into a dot. Points beyond the axes are drawn on the frame as hollow red circles, and a
 * line under the title says how many there are.
 */
export function parityPlotSvg(
  points: readonly ParityPoint[],
  options: ParityPlotOptions = {},
): string {
  const size = options.size ?? 640;
  const refName = options.referenceName ?? 'reference';
  const stats = errorStats(points.map((p) => ({ value: p.y - p.x, label: p.label })));
  const inliers = points.filter(inlier(points));
  const { lo, hi, ticks, decimals } = axisRange(inliers.flatMap((p) => [p.x, p.y]));
  const outside = points.filter((p) => p.x < lo || p.x > hi || p.y < lo || p.y > hi).length;

  const plotW = size - MARGIN.left - MARGIN.right;
  const plotH = size - MARGIN.top - MARGIN.bottom;
  const side = Math.min(plotW, plotH);
  const x0 = MARGIN.left;
  const y0 = MARGIN.top + side;
  const sx = (v: number): number => x0 + ((v - lo) / (hi - lo)) * side;
  const sy = (v: number): number => y0 - ((v - lo) / (hi - lo)) * side;
  const f = (v: number): string => (Math.round(v * 100) / 100).toString();
  const tickText = (v: number): string =>
    (v.toFixed(decimals) === '-0' ? '0' : v.toFixed(decimals)).replace('-', '−');

  const title = stats
    ? `PM7 vs ${refName}: n = ${stats.n}, MAE ${stats.mae.toFixed(2)}, MSE ${signed(stats.mse)} kcal/mol`
    : `PM7 vs ${refName}: n = 0`;

  const out: string[] = [];
  out.push(
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" font-family="Helvetica, Arial, sans-serif">`,
    `<title>${xml(title)}</title>`,
    `<rect x="0" y="0" width="${size}" height="${size}" fill="#ffffff"/>`,
    `<text x="${f(x0 + side / 2)}" y="${MARGIN.top - 24}" text-anchor="middle" font-size="15" font-weight="bold">${xml(title)}</text>`,
  );
  if (outside > 0) {
    out.push(
      `<text x="${f(x0 + side / 2)}" y="${MARGIN.top - 8}" text-anchor="middle" font-size="12" fill="#d62728">${outside} point${outside === 1 ? '' : 's'} beyond the axes, drawn on the frame (hollow)</text>`,
    );
  }
  out.push(`<g class="grid" stroke="#e3e3e3" stroke-width="1">`);
  for (const t of ticks) {
    out.push(
      `<line x1="${f(sx(t))}" y1="${f(y0)}" x2="${f(sx(t))}" y2="${f(y0 - side)}"/>`,
      `<line x1="${f(x0)}" y1="${f(sy(t))}" x2="${f(x0 + side)}" y2="${f(sy(t))}"/>`,
    );
  }
  out.push(`</g>`, `<g class="ticks" font-size="12" fill="#333333">`);
  for (const t of ticks) {
    out.push(
      `<line x1="${f(sx(t))}" y1="${f(y0)}" x2="${f(sx(t))}" y2="${f(y0 + 5)}" stroke="#333333"/>`,
      `<text x="${f(sx(t))}" y="${f(y0 + 19)}" text-anchor="middle">${tickText(t)}</text>`,
      `<line x1="${f(x0 - 5)}" y1="${f(sy(t))}" x2="${f(x0)}" y2="${f(sy(t))}" stroke="#333333"/>`,
      `<text x="${f(x0 - 8)}" y="${f(sy(t) + 4)}" text-anchor="end">${tickText(t)}</text>`,
    );
  }
  out.push(
    `</g>`,
    `<line class="identity" x1="${f(sx(lo))}" y1="${f(sy(lo))}" x2="${f(sx(hi))}" y2="${f(sy(hi))}" stroke="#d62728" stroke-width="1.5" stroke-dasharray="6 4"/>`,
    `<text x="${f(sx(hi) - 40)}" y="${f(sy(hi) + 14)}" text-anchor="end" font-size="12" fill="#d62728">y = x</text>`,
    `<g class="points" fill="#1f77b4" fill-opacity="0.55" stroke="#1f4e79" stroke-width="0.6">`,
  );
  const r = points.length > 2000 ? 2 : 3.5;
  const clamp = (v: number): number => Math.min(hi, Math.max(lo, v));
  for (const p of points) {
    const off = p.x < lo || p.x > hi || p.y < lo || p.y > hi;
    const style = off ? ' fill="none" stroke="#d62728" stroke-width="1.5"' : '';
    out.push(
      `<circle cx="${f(sx(clamp(p.x)))}" cy="${f(sy(clamp(p.y)))}" r="${off ? 4.5 : r}"${style}><title>${xml(p.label)}: ${xml(refName)} ${p.x.toFixed(2)}, PM7 ${p.y.toFixed(2)} kcal/mol</title></circle>`,
    );
  }
  out.push(
    `</g>`,
    `<rect x="${x0}" y="${MARGIN.top}" width="${side}" height="${side}" fill="none" stroke="#333333" stroke-width="1"/>`,
    `<text x="${f(x0 + side / 2)}" y="${f(y0 + 44)}" text-anchor="middle" font-size="14">${xml(refName)} (kcal/mol)</text>`,
    `<text x="${f(x0 - 56)}" y="${f(MARGIN.top + side / 2)}" text-anchor="middle" font-size="14" transform="rotate(-90 ${f(x0 - 56)} ${f(MARGIN.top + side / 2)})">PM7 heat of formation (kcal/mol)</text>`,
    `</svg>`,
  );
  return `${out.join('\n')}\n`;
}

/**
 * Whether a point's error (PM7 − reference) is plausible for the axis range: within 10 robust
 * standard deviations (1.4826 × the median absolute deviation) of the median error, and never
 * excluded below 50 kcal/mol off the median (PM7 does miss by tens of kcal/mol).
 */
function inlier(points: readonly ParityPoint[]): (p: ParityPoint) => boolean {
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

/** A common range for both axes, widened to whole ticks of 1, 2 or 5 × 10^k (about 6 of them). */
function axisRange(values: readonly number[]): {
  lo: number;
  hi: number;
  ticks: number[];
  decimals: number;
} {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (values.length === 0) [min, max] = [-1, 1];
  if (max - min < 1e-9) [min, max] = [min - 1, max + 1];
  const pad = (max - min) * 0.04;
  min -= pad;
  max += pad;
  const rough = (max - min) / 6;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= rough) ?? 10) * magnitude;
  const lo = Math.floor(min / step) * step;
  const hi = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let k = 0; lo + k * step <= hi + step / 1e6; k++) ticks.push(lo + k * step);
  return { lo, hi, ticks, decimals: Math.max(0, -Math.floor(Math.log10(step) + 1e-9)) };
}

function signed(v: number): string {
  return `${v < 0 ? '−' : '+'}${Math.abs(v).toFixed(2)}`;
}

function xml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** The OK molecules that have both a PM7 heat of formation and a reference value. */
export function parityPoints(campaign: Campaign, column: string): ParityPoint[] {
  const points: ParityPoint[] = [];
  for (const row of moleculesOf(campaign).all()) {
    if (row.status !== 'OK' || row.most_stable_hof_kcal_mol === null) continue;
    const x = referenceValue(row.reference, column);
    if (x !== undefined) points.push({ x, y: row.most_stable_hof_kcal_mol, label: row.mol_id });
  }
  return points;
}

/**
 * Writes exports/pm7_vs_reference.svg when the dataset has a reference column and at least one
 * OK molecule has both values. Returns its path, or undefined when there was nothing to plot.
 */
export function writeParityPlot(campaign: Campaign): string | undefined {
  const column = referenceColumn(moleculesOf(campaign));
  if (column === undefined) return undefined;
  const points = parityPoints(campaign, column);
  if (points.length === 0) return undefined;
  mkdirSync(campaign.paths.exports, { recursive: true });
  const path = join(campaign.paths.exports, PARITY_PLOT_FILE);
  writeFileAtomic(path, parityPlotSvg(points, { referenceName: column }));
  return path;
}
