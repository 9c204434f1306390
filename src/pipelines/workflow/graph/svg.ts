import { STATE_COLOURS, STEP_DRAW_STATES, type DagDrawing } from './drawing.js';
import { layoutDag } from './layout.js';

const MARGIN = 20;
const TITLE_HEIGHT = 28;
const LEGEND_HEIGHT = 34;
const EDGE_COLOUR = '#6b7280';

/**
 * A self-contained SVG of the DAG: rows of boxes (a step below every step it needs), arrows,
 * boxes coloured by state, and a legend of the states when any step has one. Each box is a
 * `<g class="step state-S" data-step="NAME">` with a `<title>` (full name, state), each arrow a
 * `<g class="edge" data-from="A" data-to="B">` (line, then head), so that other tools can read
 * the drawing.
 */
export function dagToSvg(d: DagDrawing): string {
  const top = MARGIN + (d.title === undefined ? 0 : TITLE_HEIGHT);
  const layout = layoutDag(d, top);
  const stated = d.steps.some((step) => step.state !== undefined);
  const legendWidth = stated ? STEP_DRAW_STATES.reduce((sum, s) => sum + legendItemWidth(s), 0) : 0;
  const titleWidth = d.title === undefined ? 0 : Array.from(d.title).length * 8.5;
  const inner = Math.max(layout.width, legendWidth, titleWidth);
  const width = Math.ceil(inner + 2 * MARGIN);
  const shift = MARGIN + (inner - layout.width) / 2;
  const height = Math.ceil(layout.height + MARGIN + (stated ? LEGEND_HEIGHT : 0));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="13">`,
    `<title>${xml(d.title ?? 'workflow')}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  if (d.title !== undefined) {
    out.push(
      `<text x="${width / 2}" y="${MARGIN + 14}" text-anchor="middle" font-size="16" font-weight="bold">${xml(d.title)}</text>`,
    );
  }
  out.push('<g class="edges">');
  for (const edge of layout.edges) {
    const points = edge.points.map((p) => ({ x: p.x + shift, y: p.y }));
    const tip = points.at(-1);
    // Edges arrive vertically at a box's top, so the head is a fixed triangle pointing down
    // (drawn, not an SVG marker, which some renderers ignore).
    const head =
      tip === undefined
        ? ''
        : `<path d="M${num(tip.x - 4.5)},${num(tip.y - 8)} L${num(tip.x + 4.5)},${num(tip.y - 8)} L${num(tip.x)},${num(tip.y)} z" fill="${EDGE_COLOUR}"/>`;
    out.push(
      `<g class="edge" data-from="${xml(edge.from)}" data-to="${xml(edge.to)}">` +
        `<path d="${curve(points)}" fill="none" stroke="${EDGE_COLOUR}" stroke-width="1.4"/>${head}</g>`,
    );
  }
  out.push('</g>', '<g class="steps">');
  for (const placed of layout.steps) {
    const state = placed.step.state;
    const colours = STATE_COLOURS[state ?? 'plain'];
    const left = placed.x + shift - placed.width / 2;
    const tip = state === undefined ? placed.step.name : `${placed.step.name}: ${state}`;
    const nameY = placed.y + (placed.label === undefined ? placed.height / 2 + 4.5 : 18);
    out.push(
      `<g class="step state-${state ?? 'none'}" data-step="${xml(placed.step.name)}">`,
      `<title>${xml(tip)}</title>`,
      `<rect x="${num(left)}" y="${num(placed.y)}" width="${num(placed.width)}" height="${placed.height}" rx="6" fill="${colours.fill}" stroke="${colours.stroke}" stroke-width="1.5"/>`,
      `<text x="${num(placed.x + shift)}" y="${num(nameY)}" text-anchor="middle">${xml(placed.name)}</text>`,
    );
    if (placed.label !== undefined) {
      out.push(
        `<text x="${num(placed.x + shift)}" y="${num(placed.y + 35)}" text-anchor="middle" font-size="11" fill="#4b5563">${xml(placed.label)}</text>`,
      );
    }
    out.push('</g>');
  }
  out.push('</g>');
  if (stated) {
    out.push('<g class="legend">');
    let x = (width - legendWidth) / 2;
    const y = layout.height + 16;
    for (const state of STEP_DRAW_STATES) {
      const { fill, stroke } = STATE_COLOURS[state];
      out.push(
        `<g class="legend-item state-${state}"><rect x="${num(x)}" y="${num(y)}" width="14" height="14" rx="3" fill="${fill}" stroke="${stroke}"/>` +
          `<text x="${num(x + 19)}" y="${num(y + 11)}" font-size="12">${state}</text></g>`,
      );
      x += legendItemWidth(state);
    }
    out.push('</g>');
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function legendItemWidth(state: string): number {
  return 19 + state.length * 7 + 16;
}

/** A smooth path through the points: each stretch an S-curve leaving and arriving vertically. */
function curve(points: readonly { x: number; y: number }[]): string {
  const [first, ...rest] = points;
  if (first === undefined) return '';
  let d = `M${num(first.x)},${num(first.y)}`;
  let previous = first;
  for (const p of rest) {
    const middle = (previous.y + p.y) / 2;
    d += ` C${num(previous.x)},${num(middle)} ${num(p.x)},${num(middle)} ${num(p.x)},${num(p.y)}`;
    previous = p;
  }
  return d;
}

function num(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/** Text safe in XML content and in double- or single-quoted attributes. */
function xml(text: string): string {
  return (
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&#39;')
      // Control characters other than tab and line breaks are not allowed in XML 1.0 at all.
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '\ufffd')
  );
}
