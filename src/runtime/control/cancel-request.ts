import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Failure } from '../../core/failure.js';

/**
 * Requests to cancel single calcs: the campaign's `cancel/` directory holds one file per calc,
 * named by its full key, whose content is one line saying who asked and when (written by
 * `retort cancel` or the terminal UI). The runner looks for them as often as for the STOP file
 * and, for each one, kills the calc's job (TERM, then KILL after the grace period; scancel on
 * SLURM) or drops it from its queue, records the calc `failed` with class `cancelled`, then
 * removes the file. A file outlives a runner that dies before obeying it: the next runner
 * obeys it when it starts (after re-adopting the calcs left in flight).
 */

const KEY = /^[0-9a-f]{64}$/;

/** Records the request to cancel the calc `key` (idempotent). */
export function requestCancel(dir: string, key: string, reason: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, key), `${reason}\n`);
}

/** The keys whose cancellation is asked for and not yet obeyed (none without the directory). */
export function cancelRequests(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => KEY.test(n));
}

/** The request for `key` has been obeyed. */
export function clearCancelRequest(dir: string, key: string): void {
  rmSync(join(dir, key), { force: true });
}

/** How a calc the user cancelled ends: `failed`, never retried automatically (core/failure.ts). */
export const CANCELLED_BY_USER: Failure = {
  class: 'cancelled',
  message: 'cancelled by the user (retort cancel)',
};
