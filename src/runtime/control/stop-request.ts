import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

/**
 * The STOP file: creating it (by hand or with `retort stop`) asks the runner to finish the
 * calcs that are running and start nothing new. A file whose first line is `now` (written by
 * `retort stop --now`) asks it to kill the running calcs too — locally their process groups, on
 * SLURM with scancel — and return them to the queue. The runner removes it when it has obeyed.
 */
export type StopKind = 'drain' | 'now';

/**
 * Writes the request. Returns false when the same (or a stronger) stop was already requested;
 * a `now` request replaces an earlier drain.
 */
export function requestStop(stopFile: string, reason: string, kind: StopKind = 'drain'): boolean {
  const existing = stopRequest(stopFile);
  if (existing === 'now' || (existing === 'drain' && kind === 'drain')) return false;
  writeFileSync(stopFile, kind === 'now' ? `now\n${reason}\n` : `${reason}\n`);
  return true;
}

/** The stop asked for, if any. */
export function stopRequest(stopFile: string): StopKind | undefined {
  let text: string;
  try {
    text = readFileSync(stopFile, 'utf8');
  } catch {
    return existsSync(stopFile) ? 'drain' : undefined;
  }
  return text.split('\n')[0]?.trim() === 'now' ? 'now' : 'drain';
}

export function isStopRequested(stopFile: string): boolean {
  return existsSync(stopFile);
}

export function clearStopRequest(stopFile: string): void {
  rmSync(stopFile, { force: true });
}
