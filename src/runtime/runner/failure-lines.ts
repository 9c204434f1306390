import { ExecutorUnavailableError, RetortError, errorMessage } from '../../core/errors.js';
import { AGAIN, fileSystemFix, systemError } from '../system-failure.js';

/*
 * The one line a run ends or pauses with when something outside the calcs broke: what, where,
 * and what to do. Never a stack trace (that is --debug's).
 */

/**
 * Why the run pauses after an executor method threw: the executor's own line when it is an
 * ExecutorUnavailableError (it names the host and the fix), otherwise `executor NAME failed:`
 * with the error's message, the calc directory `workdir` when the error is the file system's
 * and names no path, and what to do when that is known.
 */
export function executorFailureLine(executor: string, error: unknown, workdir?: string): string {
  if (error instanceof ExecutorUnavailableError) return error.message;
  const system = systemError(error);
  const fix = fileSystemFix(system?.code ?? '');
  // Node names no path for a failed write; the calc directory is where it was.
  const where =
    system !== undefined && system.path === undefined && workdir !== undefined
      ? ` (writing ${workdir})`
      : '';
  const hint =
    executor === 'local'
      ? ''
      : ` (\`retort hosts check ${executor.replace(/^\w+:/, '')}\` tells more)`;
  return `executor ${executor} failed: ${errorMessage(error)}${where}; ${fix ?? `fix it${hint}, ${AGAIN}`}`;
}

/**
 * Why the run ends after the store or a campaign file could not be written: `store` is the
 * store's path, named for SQLite's errors (which carry no path).
 */
export function storeFailureLine(store: string, error: unknown): string {
  const system = systemError(error);
  const message = errorMessage(error);
  if (system?.code.startsWith('SQLITE_') === true) {
    if (system.code === 'SQLITE_FULL')
      return `the store ${store} cannot be written: the disk is full; free space there, ${AGAIN}`;
    if (system.code.startsWith('SQLITE_READONLY'))
      return `the store ${store} cannot be written (${message}); make it writable, ${AGAIN}`;
    return `the store ${store} failed: ${message} (${system.code}); ${AGAIN}`;
  }
  if (system !== undefined) {
    const where = system.path ?? 'a campaign file';
    const fix = fileSystemFix(system.code);
    return `cannot write ${where}: ${message}; ${fix ?? AGAIN}`;
  }
  if (error instanceof RetortError) return `${message}; ${AGAIN}`;
  return `the run failed: ${message}; ${AGAIN} (with --debug for details)`;
}
