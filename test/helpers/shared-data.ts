import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Reference data from other public projects, beside the repository (`../shared`) or where
 * $RETORT_SHARED says (a worktree elsewhere): real program outputs and published values that
 * tests read and the project does not commit. Tests that need a part of it skip, naming the
 * path, when it is absent.
 */
export const SHARED_DIR =
  process.env.RETORT_SHARED ??
  resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared');

/** A path inside the shared data: `sharedPath('data', 'qcmb')`. */
export function sharedPath(...parts: readonly string[]): string {
  return join(SHARED_DIR, ...parts);
}
