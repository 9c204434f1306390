import { appendFileSync } from 'node:fs';
import { errorMessage } from '../../core/errors.js';
import { shows, type Display, type DisplayOptions } from './display.js';
import { resultSummaryOfEvent } from './event-text.js';

/**
 * Headless progress: one plain line per event, appended to the run's log file and written to
 * stderr (`[3/50] ethanol OK HOF -56.780 kcal/mol`). No bars, no cursor movement.
 */
export function logProgress(
  logFile: string,
  echo: (line: string) => void,
  options: DisplayOptions = { calcLines: true },
): Display {
  let logBroken = false;
  const write = (text: string): void => {
    if (!logBroken) {
      try {
        appendFileSync(logFile, `${new Date().toISOString()} ${text}\n`);
      } catch (error) {
        // A display never throws into the runner; the run goes on (or ends) without its log.
        logBroken = true;
        echo(
          `note: cannot write the log ${logFile} (${errorMessage(error)}); lines go to stderr only`,
        );
      }
    }
    echo(text);
  };
  return {
    calcStarted: (calc) => {
      if (options.calcLines && shows(options, 'debug'))
        write(`started ${calc.label ?? `${calc.program} ${calc.key.slice(0, 12)}`}`);
    },
    calcFinished: (event) => {
      const failed = event.outcome === 'failed' || event.outcome === 'cached_failure';
      if (options.calcLines && shows(options, failed ? 'warn' : 'info'))
        write(resultSummaryOfEvent(event));
    },
    print: write,
    items: () => undefined,
    close: () => undefined,
    stateChanged: (state, message) => {
      write(`run ${state}${message === null ? '' : `: ${message}`}`);
    },
    notice: (message) => {
      if (shows(options, 'info')) write(`note: ${message}`);
    },
  };
}
