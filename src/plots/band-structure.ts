import type { TopLevelSpec } from 'vega-lite';
import { PLOT_COLORS, renderSvg } from './render-svg.js';

/** A point of a band structure: where along the path and at which energy. */
export interface BandPoint {
  /** Path distance (the unit of `BandStructureData.distanceUnit`). */
  readonly distance: number;
  readonly energy_ev: number;
}

/**
 * A band structure along a k-path:
 * - `distances`: the path length from the first k-point to each k-point (non-decreasing);
 * - `energies_ev`: the band energies at each k-point (`energies_ev[k][band]`, eV, absolute);
 * - `ticks`: the high-symmetry points (label and distance), drawn as vertical rules and
 *   labelled on the axis; labels `G`/`Gamma` are written Γ; two labels at one distance (a jump
 *   in the path) are joined as `K|U`;
 * - `reference`: the energy the plot is drawn relative to (`E − reference`), dashed and named
 *   (`VBM`, `Fermi level`); without it absolute energies;
 * - `gap`: the band gap, its valence band maximum and conduction band minimum (absolute eV),
 *   marked and annotated with its width and whether it is direct.
 */
export interface BandStructureData {
  readonly title: string;
  readonly distances: readonly number[];
  readonly energies_ev: readonly (readonly number[])[];
  readonly distanceUnit: string;
  readonly ticks: readonly { readonly label: string; readonly distance: number }[];
  readonly reference?: { readonly energy_ev: number; readonly name: string };
  readonly gap?: {
    readonly gap_ev: number;
    readonly direct: boolean;
    readonly vbm: BandPoint;
    readonly cbm: BandPoint;
  };
  /** Width and height of the plotting area, px (default 560 × 420). */
  readonly width?: number;
  readonly height?: number;
}

/**
 * The band structure as SVG: each band a line over the path distance, the high-symmetry
 * points as vertical rules with their labels on the x axis, the reference energy dashed and
 * named, and the gap (when given) as two marked points, a dotted line between them and its
 * width (`E_g = 1.234 eV, indirect`).
 */
export function bandStructurePlot(data: BandStructureData): Promise<string> {
  const zero = data.reference?.energy_ev ?? 0;
  const rows = data.energies_ev.flatMap((bands, k) =>
    bands.map((e, band) => ({ d: data.distances[k] ?? 0, e: e - zero, band })),
  );
  const first = data.distances[0] ?? 0;
  const last = data.distances[data.distances.length - 1] ?? first + 1;
  const ticks = mergedTicks(data.ticks);
  const labelExpr = ticks.reduceRight(
    (otherwise, t) =>
      `datum.value === ${String(t.distance)} ? ${JSON.stringify(t.label)} : ${otherwise}`,
    "''",
  );
  const x = {
    field: 'd',
    type: 'quantitative' as const,
    scale: { domain: [first, last], nice: false, zero: false },
    axis: {
      values: ticks.map((t) => t.distance),
      labelExpr,
      grid: false,
      title: `path (${data.distanceUnit})`,
    },
  };
  const energyTitle =
    data.reference === undefined ? 'E (eV)' : `E − E(${data.reference.name}) (eV)`;
  const y = {
    field: 'e',
    type: 'quantitative',
    title: energyTitle,
    scale: { zero: false },
  } as const;
  const layers: NonNullable<Extract<TopLevelSpec, { layer: unknown }>['layer']> = [
    {
      data: { values: ticks.map((t) => ({ d: t.distance })) },
      mark: { type: 'rule', color: PLOT_COLORS.muted, strokeWidth: 0.8 },
      encoding: { x: { field: 'd', type: 'quantitative' } },
    },
    {
      data: { values: rows },
      mark: { type: 'line', color: PLOT_COLORS.primary, strokeWidth: 1.5 },
      encoding: { x, y, detail: { field: 'band', type: 'nominal' } },
    },
  ];
  if (data.reference !== undefined) {
    layers.push(
      {
        data: { values: [{ e: 0 }] },
        mark: { type: 'rule', strokeDash: [6, 4], color: PLOT_COLORS.highlight },
        encoding: { y: { field: 'e', type: 'quantitative' } },
      },
      {
        data: { values: [{ e: 0, d: last, text: data.reference.name }] },
        mark: {
          type: 'text',
          align: 'right',
          baseline: 'bottom',
          dx: -4,
          dy: -3,
          color: PLOT_COLORS.highlight,
        },
        encoding: {
          x: { field: 'd', type: 'quantitative' },
          y: { field: 'e', type: 'quantitative' },
          text: { field: 'text' },
        },
      },
    );
  }
  if (data.gap !== undefined) {
    const { vbm, cbm, gap_ev: gap, direct } = data.gap;
    const ends = [
      {
        d: vbm.distance,
        e: vbm.energy_ev - zero,
        description: `VBM ${vbm.energy_ev.toFixed(4)} eV`,
      },
      {
        d: cbm.distance,
        e: cbm.energy_ev - zero,
        description: `CBM ${cbm.energy_ev.toFixed(4)} eV`,
      },
    ];
    layers.push(
      {
        data: { values: ends },
        mark: { type: 'line', strokeDash: [2, 2], color: PLOT_COLORS.accent },
        encoding: {
          x: { field: 'd', type: 'quantitative' },
          y: { field: 'e', type: 'quantitative' },
        },
      },
      {
        data: { values: ends },
        mark: { type: 'point', filled: true, color: PLOT_COLORS.accent, size: 50 },
        encoding: {
          x: { field: 'd', type: 'quantitative' },
          y: { field: 'e', type: 'quantitative' },
          description: { field: 'description' },
        },
      },
      {
        data: {
          values: [
            {
              d: cbm.distance,
              e: cbm.energy_ev - zero,
              text: `E_g = ${gap.toFixed(3)} eV, ${direct ? 'direct' : 'indirect'}`,
            },
          ],
        },
        mark: {
          type: 'text',
          align: cbm.distance > (first + last) / 2 ? 'right' : 'left',
          baseline: 'bottom',
          dx: cbm.distance > (first + last) / 2 ? -6 : 6,
          dy: -6,
          fontWeight: 'bold',
          color: PLOT_COLORS.accent,
        },
        encoding: {
          x: { field: 'd', type: 'quantitative' },
          y: { field: 'e', type: 'quantitative' },
          text: { field: 'text' },
        },
      },
    );
  }
  return renderSvg({
    width: data.width ?? 560,
    height: data.height ?? 420,
    title: data.title,
    layer: layers,
  });
}

/** Ticks in path order, Γ spelled out, and labels at one distance joined (`K|U`). */
function mergedTicks(
  ticks: BandStructureData['ticks'],
): { readonly label: string; readonly distance: number }[] {
  const merged: { label: string; distance: number }[] = [];
  for (const t of ticks) {
    const label = /^(G|Gamma|GAMMA)$/.test(t.label) ? 'Γ' : t.label;
    const previous = merged[merged.length - 1];
    if (previous !== undefined && Math.abs(previous.distance - t.distance) < 1e-9) {
      if (previous.label !== label) previous.label = `${previous.label}|${label}`;
    } else {
      merged.push({ label, distance: t.distance });
    }
  }
  return merged;
}
