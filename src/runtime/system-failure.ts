import { errorMessage } from '../core/errors.js';

/*
 * Failures of the machine rather than of retort — a full disk, a file system that refuses a
 * write, an I/O error — as Node (errno codes) and SQLite (SQLITE_* codes) report them, told in
 * one line with what to do. The runner's end-of-run lines and the CLI's last-resort report both
 * use these.
 */

export const AGAIN = 'then run the same command again: nothing recorded is lost';

export interface SystemError {
  readonly code: string;
  readonly path?: string;
}

export function systemError(error: unknown): SystemError | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const { code } = error;
  if (typeof code !== 'string') return undefined;
  const path = 'path' in error && typeof error.path === 'string' ? error.path : undefined;
  return path === undefined ? { code } : { code, path };
}

/** What to do about a file-system error, when its code says. */
export function fileSystemFix(code: string): string | undefined {
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return `free space there, ${AGAIN}`;
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return `make it writable, ${AGAIN}`;
    default:
      return undefined;
  }
}

/**
 * One line for an error the machine raised (ENOSPC, EACCES, EIO, SQLITE_FULL, SQLITE_IOERR …),
 * naming the file when the error does; undefined for any other error.
 */
export function systemFailureLine(error: unknown): string | undefined {
  const system = systemError(error);
  if (system === undefined) return undefined;
  const where = system.path === undefined ? '' : ` (${system.path})`;
  const message = errorMessage(error);
  if (system.code === 'SQLITE_FULL')
    return `the disk is full${where}: ${message}; free space there, ${AGAIN}`;
  if (system.code.startsWith('SQLITE_READONLY'))
    return `the store cannot be written${where}: ${message}; make it writable, ${AGAIN}`;
  if (system.code === 'EIO' || system.code.startsWith('SQLITE_IOERR'))
    return `the file system failed to read or write${where}: ${message}; check the disk (is it full?), ${AGAIN}`;
  const fix = fileSystemFix(system.code);
  return fix === undefined ? undefined : `cannot write${where}: ${message}; ${fix}`;
}
