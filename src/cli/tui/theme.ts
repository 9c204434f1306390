/**
 * Colours of the terminal UI by state. `NO_COLOR` (any non-empty value, no-color.org) turns them
 * all off: states then read from their words, selection from inverse video.
 */
const STATE_COLOURS: Readonly<Record<string, string>> = {
  queued: 'gray',
  pending: 'gray',
  Pending: 'gray',
  'To run': 'gray',
  submitted: 'yellow',
  running: 'cyan',
  Running: 'cyan',
  succeeded: 'green',
  OK: 'green',
  complete: 'green',
  Completed: 'green',
  cached: 'blue',
  failed: 'red',
  Skip: 'red',
  Rerun: 'magenta',
  paused: 'magenta',
  stopping: 'yellow',
  stopped: 'yellow',
  Stopped: 'yellow',
  skipped: 'gray',
};

export function coloursOn(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.NO_COLOR ?? '') === '';
}

/** The colour of a state's word, or undefined in monochrome or for an unknown state. */
export function stateColour(state: string): string | undefined {
  return coloursOn() ? STATE_COLOURS[state] : undefined;
}

/** A colour when colours are on. */
export function colour(name: string): string | undefined {
  return coloursOn() ? name : undefined;
}
