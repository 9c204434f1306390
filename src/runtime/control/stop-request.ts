import { existsSync, rmSync, writeFileSync } from 'node:fs';

/**
 * The STOP file: creating it (by hand or with `retort stop`) asks the runner to finish the
 * calcs that are running and start nothing new. The runner removes it when it has obeyed it.
 *
 * Returns false when a stop was already requested (the file exists).
 */
export function requestStop(stopFile: string, reason: string): boolean {
  try {
    writeFileSync(stopFile, `${reason}\n`, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

export function isStopRequested(stopFile: string): boolean {
  return existsSync(stopFile);
}

export function clearStopRequest(stopFile: string): void {
  rmSync(stopFile, { force: true });
}
