import { InfrastructureError } from '../../core/errors.js';
import { scriptArgv } from '../remote/remote-scripts.js';
import type { ExecResult } from '../remote/transport.js';
import { PACK_CANCEL_DIR, PACK_CANCELLED_FILE, parseSkipped } from './batch-script.js';

/**
 * Cancelling one calc of a packed job without the others: the executor's half of the pack
 * runner's cancel requests (`PACK_RUNNER` in batch-script.ts).
 *
 * - {@link requestPackCancel} writes `<pack dir>/cancel/<index>` where the pack runs (here or on
 *   the login node): the runner then starts that calc never, or TERMs (then KILLs) it alone.
 * - {@link cancelledInPacks} reads the packs' `cancelled` files: the calcs a runner did not
 *   start because of such a request. Those are cancelled, never sent round again.
 *
 * Both run static scripts (`sh -c SCRIPT NAME args…`): the pack directory and the index are
 * arguments, so no path is ever part of a shell string.
 */

const REQUEST = `mkdir -p -- "$1/${PACK_CANCEL_DIR}" && : >"$1/${PACK_CANCEL_DIR}/$2"\n`;
const READ_CANCELLED = `for d; do cat -- "$d/${PACK_CANCELLED_FILE}" 2>/dev/null; done\nexit 0\n`;

type Exec = (argv: readonly string[]) => Promise<ExecResult>;

/** Asks the runner of the pack in `packDir` to cancel the calc on line `index` (from 0). */
export async function requestPackCancel(exec: Exec, packDir: string, index: number): Promise<void> {
  const result = await exec(
    scriptArgv(REQUEST, 'retort-pack-cancel', [packDir, String(Math.trunc(index))]),
  );
  if (result.exitCode !== 0) {
    throw new InfrastructureError(
      `could not write the cancel request in ${packDir}/${PACK_CANCEL_DIR}: ${result.stderr.trim()}`,
      { retryable: false },
    );
  }
}

/** The run-script paths the runners of the packs in `packDirs` never started, as cancelled. */
export async function cancelledInPacks(
  exec: Exec,
  packDirs: readonly string[],
): Promise<Set<string>> {
  if (packDirs.length === 0) return new Set();
  const result = await exec(scriptArgv(READ_CANCELLED, 'retort-pack-cancelled', packDirs));
  return new Set(parseSkipped(result.stdout));
}
