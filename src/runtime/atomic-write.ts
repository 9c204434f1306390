import { renameSync, rmSync, writeFileSync } from 'node:fs';

/**
 * Writes a file so that readers see either the old or the new content, never a mix: write a
 * temporary file beside it, then rename over it (atomic within one file system).
 */
export function writeFileAtomic(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (error) {
    // A full disk leaves a partial temporary file; it must not take what space is left.
    rmSync(tmp, { force: true });
    throw error;
  }
}
