import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { InfrastructureError } from '../core/errors.js';

/**
 * Writes a file so that readers see either the old or the new content, never a mix: write a
 * temporary file beside it, then rename over it (atomic within one file system). A failure
 * (a full disk, a missing directory) leaves the old file as it was and no temporary file, and
 * is thrown as one InfrastructureError naming the file.
 */
export function writeFileAtomic(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    throw new InfrastructureError(
      `cannot write ${path}${code === undefined ? '' : ` (${code})`}: ${reason(code)}`,
      { cause: error, retryable: false },
    );
  }
}

function reason(code: string | undefined): string {
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return 'the disk is full; free some space, then run again (nothing recorded is lost)';
    case 'ENOENT':
      return 'its directory does not exist';
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return 'the file or its directory is not writable';
    default:
      return 'the file system refused the write';
  }
}
