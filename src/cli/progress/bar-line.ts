import type { StatusSnapshot } from '../../runtime/control/status-file.js';

/** What the bar shows: the run's status, or a pipeline's own item counts in the same shape. */
export type BarState = Pick<StatusSnapshot, 'state' | 'eta_s'> & {
  readonly totals: Pick<
    StatusSnapshot['totals'],
    'total' | 'completed' | 'succeeded' | 'failed' | 'cached' | 'running'
  >;
};
import { formatDuration } from '../format.js';

const GRAPH_MAX = 30;
const GRAPH_MIN = 10;

/**
 * The bar's one line, at most `width` characters. The counts come first in importance: in a
 * narrow terminal the `[###---]` graph shrinks, then goes, before any count is cut. A run
 * that is no longer running shows its state (`stopping`, `complete`) in front instead of an ETA.
 */
export function barLine(snapshot: BarState, width: number, noun = ''): string {
  const t = snapshot.totals;
  const state = snapshot.state === 'running' ? '' : `${snapshot.state} `;
  const cached = t.cached > 0 ? ` cached ${t.cached}` : '';
  const eta =
    snapshot.state === 'running' && snapshot.eta_s !== null
      ? ` ETA ${formatDuration(snapshot.eta_s)}`
      : '';
  const text = `${state}${t.completed}/${t.total}${noun === '' ? '' : ` ${noun}`} ok ${t.succeeded}${cached} failed ${t.failed} running ${t.running}${eta}`;
  const graphWidth = Math.min(GRAPH_MAX, width - text.length - 3);
  if (graphWidth < GRAPH_MIN) return fit(text, width);
  const filled = t.total === 0 ? graphWidth : Math.round((t.completed / t.total) * graphWidth);
  return `[${'#'.repeat(filled)}${'-'.repeat(graphWidth - filled)}] ${text}`;
}

/** `text` cut to `width` characters, at a space when there is one. */
function fit(text: string, width: number): string {
  if (text.length <= width) return text;
  const space = text.lastIndexOf(' ', width);
  return text.slice(0, space > 0 ? space : Math.max(0, width));
}

/** A line safe to print: control characters (a program's `\r`, escape sequences) as spaces. */
export function printable(line: string): string {
  // eslint-disable-next-line no-control-regex
  return line.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, ' ');
}
