import { shows, type Display, type DisplayOptions } from './display.js';
import type { StatusSnapshot } from '../../runtime/control/status-file.js';
import { barLine, printable, type BarState } from './bar-line.js';
import { resultSummaryOfEvent } from './event-text.js';

const REDRAW_MS = 100;
/**
 * Columns the bar leaves free at the right: the cursor never reaches the last column (no
 * automatic wrap), and the terminal's echo of `^C` fits on the line instead of wrapping and
 * leaving a stale copy of the bar behind.
 */
const MARGIN = 3;
const FALLBACK_COLUMNS = 80;

/** What the bar needs of a terminal stream (process.stderr; a fake in tests). */
export interface BarStream {
  readonly columns: number | undefined;
  write(text: string): unknown;
  on?(event: 'resize', listener: () => void): unknown;
  off?(event: 'resize', listener: () => void): unknown;
}

/**
 * Terminal progress: one bar line redrawn in place (at most every 100 ms), with failures and
 * notices printed above it so they stay readable after the run. `close` draws the last state
 * and ends the line; nothing is written after it.
 */
export function progressBar(
  stream: BarStream,
  options: DisplayOptions = { calcLines: true },
): Display {
  let last: BarState | undefined;
  let noun = '';
  /** Set once a pipeline reports its own items: the runner's calc counts are then not shown. */
  let itemsMode = false;
  let shown = 0; // characters of the bar on the screen now (0: the cursor is on a clean line)
  let drawnAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const columns = (): number =>
    stream.columns !== undefined && stream.columns > 0 ? stream.columns : FALLBACK_COLUMNS;
  /** Erases the bar, including the rows it wrapped onto if the terminal got narrower since. */
  const erase = (): string => {
    const rows = Math.max(1, Math.ceil(shown / columns()));
    shown = 0;
    return rows > 1 ? `\r\x1b[${rows - 1}A\x1b[J` : '\r\x1b[2K';
  };
  const draw = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    drawnAt = Date.now();
    if (last === undefined) return;
    const text = barLine(last, Math.max(1, columns() - MARGIN), noun);
    stream.write(`${erase()}${text}`);
    shown = text.length;
  };
  const above = (line: string): void => {
    if (closed) return;
    stream.write(`${erase()}${printable(line)}\n`);
    draw();
  };
  const onResize = (): void => {
    if (!closed) draw();
  };
  stream.on?.('resize', onResize);
  const show = (state: BarState): void => {
    if (closed) return;
    last = state;
    if (Date.now() - drawnAt >= REDRAW_MS) draw();
    else timer ??= setTimeout(draw, REDRAW_MS);
  };
  let runState: StatusSnapshot['state'] = 'running';
  return {
    status: (snapshot) => {
      runState = snapshot.state;
      if (!itemsMode) show(snapshot);
    },
    items: (p) => {
      itemsMode = true;
      noun = p.noun;
      show({
        state: runState,
        eta_s: p.eta_s,
        totals: {
          total: p.total,
          completed: p.done,
          succeeded: p.ok,
          failed: p.failed,
          cached: 0,
          running: p.running,
        },
      });
    },
    calcStarted: (calc) => {
      if (options.calcLines && shows(options, 'debug'))
        above(`started ${calc.label ?? `${calc.program} ${calc.key.slice(0, 12)}`}`);
    },
    calcFinished: (event) => {
      if (!options.calcLines) return;
      if (event.outcome === 'failed' || event.outcome === 'cached_failure')
        above(resultSummaryOfEvent(event));
    },
    print: above,
    notice: (message) => {
      if (shows(options, 'info')) above(`note: ${message}`);
    },
    stateChanged: (state, message) => {
      if (state !== 'running' && message !== null) above(`${state}: ${message}`);
    },
    close: () => {
      if (closed) return;
      draw();
      closed = true;
      stream.off?.('resize', onResize);
      if (shown > 0) stream.write('\n');
      shown = 0;
    },
  };
}
