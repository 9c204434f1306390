import type { WriteStream } from 'node:tty';
import type { StatusSnapshot } from '../../runtime/control/status-file.js';
import type { RunObserver } from '../../runtime/run-observer.js';
import { formatDuration } from '../format.js';
import { resultSummaryOfEvent } from './event-text.js';

const WIDTH = 30;
const REDRAW_MS = 100;

/**
 * Terminal progress: one bar line redrawn in place (at most every 100 ms), with failures and
 * notices printed above it so they stay readable after the run.
 */
export function progressBar(stream: WriteStream): RunObserver & { close(): void } {
  let last: StatusSnapshot | undefined;
  let drawnAt = 0;
  let timer: NodeJS.Timeout | undefined;
  const draw = (): void => {
    timer = undefined;
    drawnAt = Date.now();
    if (last === undefined) return;
    const t = last.totals;
    const filled = t.total === 0 ? WIDTH : Math.round((t.completed / t.total) * WIDTH);
    const eta = last.eta_s === null ? '' : ` ETA ${formatDuration(last.eta_s)}`;
    const text = `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${t.completed}/${t.total} ok ${t.succeeded} cached ${t.cached} failed ${t.failed} running ${t.running}${eta} ${last.state === 'running' ? '' : last.state}`;
    stream.write(`\r\x1b[2K${text.slice(0, Math.max(20, stream.columns - 1))}`);
  };
  const above = (line: string): void => {
    stream.write(`\r\x1b[2K${line}\n`);
    draw();
  };
  return {
    status: (snapshot) => {
      last = snapshot;
      if (Date.now() - drawnAt >= REDRAW_MS) draw();
      else timer ??= setTimeout(draw, REDRAW_MS);
    },
    calcFinished: (event) => {
      if (event.outcome === 'failed' || event.outcome === 'cached_failure')
        above(resultSummaryOfEvent(event));
    },
    notice: (message) => {
      above(`note: ${message}`);
    },
    stateChanged: (state, message) => {
      if (state !== 'running' && message !== null) above(`${state}: ${message}`);
    },
    close: () => {
      if (timer !== undefined) clearTimeout(timer);
      draw();
      stream.write('\n');
    },
  };
}
