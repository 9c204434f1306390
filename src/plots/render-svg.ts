import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** The one font of every plot, so the same data give the same bytes on any machine. */
export const PLOT_FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

/** Colours the plots share: points, a highlight, a reference line, a muted mark. */
export const PLOT_COLORS = {
  primary: '#1f77b4',
  highlight: '#d62728',
  accent: '#ff7f0e',
  muted: '#7f7f7f',
} as const;

/**
 * The colours of a plot's series (groups of points: programs, molecule classes), in legend
 * order; a plot with more series than colours repeats them.
 */
export const SERIES_COLORS: readonly string[] = [
  PLOT_COLORS.primary,
  PLOT_COLORS.accent,
  '#2ca02c',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#bcbd22',
];

/**
 * A vega-lite spec drawn as a self-contained SVG document (an XML declaration, then `<svg>`),
 * without a browser: vega-lite compiles it, a vega View with no renderer evaluates it, and
 * vega's SVG string renderer writes it. The output is deterministic: one font (see
 * {@link PLOT_FONT}), text measured by vega's built-in estimate (no canvas), and the ids vega
 * numbers per process (clip paths, gradients) renumbered per document. Points carry what a
 * tooltip would show as `aria-label` (vega writes no `<title>`).
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const withConfig = {
    ...spec,
    config: {
      font: PLOT_FONT,
      background: 'white',
      ...spec.config,
    },
  } as TopLevelSpec;
  const view = new View(parse(compile(withConfig).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return `<?xml version="1.0" encoding="UTF-8"?>\n${renumberIds(svg)}\n`;
  } finally {
    view.finalize();
  }
}

/** `id="clip7"` … become `clip1`, `clip2` … in order of first appearance, references too. */
function renumberIds(svg: string): string {
  const ids = new Map<string, string>();
  const perPrefix = new Map<string, number>();
  for (const m of svg.matchAll(/\bid="([A-Za-z_-]+)(\d+)"/g)) {
    const prefix = m[1] ?? '';
    const id = `${prefix}${m[2] ?? ''}`;
    if (ids.has(id)) continue;
    const n = (perPrefix.get(prefix) ?? 0) + 1;
    perPrefix.set(prefix, n);
    ids.set(id, `${prefix}${String(n)}`);
  }
  return svg.replace(
    /\b(id="|url\(#|href="#)([A-Za-z_-]+\d+)(?=[")])/g,
    (all, lead: string, id: string) => {
      const to = ids.get(id);
      return to === undefined ? all : `${lead}${to}`;
    },
  );
}
