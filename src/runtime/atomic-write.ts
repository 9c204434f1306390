import { renameSync, writeFileSync } from 'node:fs';

/**
 * Writes a file so that readers see either the old or the new content, never a mix: write a
 * temporary file beside it, then rename over it (atomic within one file system).
 */
export function writeFileAtomic(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}
