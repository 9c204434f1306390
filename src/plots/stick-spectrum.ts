import { PLOT_COLORS, renderSvg } from './render-svg.js';

/** One line of a stick spectrum: a shift (ppm), its height (atoms) and what it is. */
export interface Stick {
  readonly shift_ppm: number;
  readonly intensity: number;
  /** Shown in the stick's `aria-label` (`H5,H6,H7`). */
  readonly label: string;
}

/**
 * A stick spectrum (SVG) as NMR spectra are drawn: the shift axis running from high to low
 * ppm, one vertical line per stick from 0 to its intensity, over the sticks' range padded by
 * `padPpm` (default 1) each side.
 */
export function stickSpectrum(data: {
  readonly title: string;
  readonly sticks: readonly Stick[];
  readonly padPpm?: number;
  readonly width?: number;
}): Promise<string> {
  const pad = data.padPpm ?? 1;
  const shifts = data.sticks.map((s) => s.shift_ppm);
  const lo = shifts.length === 0 ? 0 : Math.min(...shifts) - pad;
  const hi = shifts.length === 0 ? 10 : Math.max(...shifts) + pad;
  const rows = data.sticks.map((s) => ({
    shift: s.shift_ppm,
    zero: 0,
    intensity: s.intensity,
    description: `${s.label}: ${s.shift_ppm.toFixed(2)} ppm, ${s.intensity} atom${s.intensity === 1 ? '' : 's'}`,
  }));
  return renderSvg({
    title: data.title,
    width: data.width ?? 640,
    height: 240,
    data: { values: rows },
    mark: { type: 'rule', strokeWidth: 2, color: PLOT_COLORS.primary },
    encoding: {
      x: {
        field: 'shift',
        type: 'quantitative',
        title: 'δ (ppm)',
        scale: { domain: [hi, lo], nice: false, zero: false },
      },
      y: { field: 'zero', type: 'quantitative', title: 'atoms', scale: { zero: true } },
      y2: { field: 'intensity' },
      description: { field: 'description' },
    },
  });
}
