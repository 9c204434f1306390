import type { RunState } from '../../core/run-state.js';
import { stopRequest } from '../control/stop-request.js';

/** What the STOP file acts on. */
export interface Stoppable {
  readonly currentState: RunState;
  stop(reason: string): void;
  kill(reason: string): void;
}

/**
 * Looks for the campaign's STOP file every `everyMs` (control/stop-request.ts): a drain request
 * stops a running run, a `now` request kills its running calcs, once. Returns a function that
 * ends the polling. The timer does not keep the process alive.
 */
export function pollStopFile(stopFile: string, everyMs: number, target: Stoppable): () => void {
  let killed = false;
  const timer = setInterval(() => {
    const state = target.currentState;
    if (state !== 'running' && state !== 'stopping') return;
    const request = stopRequest(stopFile);
    if (request === 'now' && !killed) {
      killed = true;
      target.kill('retort stop --now: running calcs killed and returned to the queue');
    } else if (request === 'drain' && state === 'running') {
      target.stop('a stop was requested (STOP file)');
    }
  }, everyMs);
  timer.unref();
  return () => {
    clearInterval(timer);
  };
}
