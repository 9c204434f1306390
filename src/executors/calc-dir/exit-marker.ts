import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BOOKKEEPING_DIR, EXIT_FILE, PID_FILE, parseExitMarker } from '../calc-wrapper.js';

export function exitMarkerPath(workdir: string): string {
  return join(workdir, BOOKKEEPING_DIR, EXIT_FILE);
}

export function pidFilePath(workdir: string): string {
  return join(workdir, BOOKKEEPING_DIR, PID_FILE);
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export function isNotFound(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** The status recorded by the wrapper, or undefined when there is no complete marker. */
export function readExitStatus(workdir: string): number | undefined {
  const text = readIfExists(exitMarkerPath(workdir));
  return text === undefined ? undefined : parseExitMarker(text);
}

/** What the pid file says: it exists (the program may have started), and when it was written. */
export interface PidFile {
  /** Undefined when the file is empty or torn (the wrapper died while writing it). */
  readonly pid: number | undefined;
  readonly writtenAt: Date;
}

export function readPidFile(workdir: string): PidFile | undefined {
  const path = pidFilePath(workdir);
  let text: string | undefined;
  let writtenAt: Date;
  try {
    writtenAt = statSync(path).mtime;
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  const match = /^(\d+)\n$/.exec(text);
  const pid = match?.[1] === undefined ? undefined : Number(match[1]);
  return { pid: pid !== undefined && pid > 0 ? pid : undefined, writtenAt };
}
