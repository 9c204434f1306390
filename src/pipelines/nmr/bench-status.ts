import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunState } from '../../core/run-state.js';
import { writeFileAtomic } from '../../runtime/atomic-write.js';

/** The bench's directory in a campaign: its status file and analysis. */
export const BENCH_DIR = 'nmr-bench';

export function benchStatusPath(root: string): string {
  return join(root, BENCH_DIR, 'status.json');
}

/** One task of the bench matrix: a molecule's shielding calc at a functional, basis, solvent. */
export interface BenchTask {
  readonly molecule: string;
  readonly name: string;
  readonly functional: string;
  readonly nmr_basis: string;
  readonly solvent: string;
}

/**
 * `nmr-bench/status.json`: where a DELTA50 bench stands, rewritten atomically after every task
 * (the campaign's own status.json says the same of the runner's calcs).
 *
 * - `state`: the run's state (running, stopping, paused, stopped, complete, failed);
 * - `pid`: the bench's process; `command`; `log_file` (headless runs), or null;
 * - `started_at`, `updated_at`: ISO 8601 UTC;
 * - `total`: tasks of the matrix; `done` of them ended (`ok` with shieldings, `failed` without);
 *   `percent` = 100·done/total; counts include tasks done by earlier runs;
 * - `current`: the tasks running now, with `started_at`;
 * - `rolling_avg_s`: mean wall time of the last 10 tasks this run computed (null before one);
 * - `eta_s`, `eta_hours`: the rest of the matrix at that pace over the workers (null while
 *   unknown);
 * - `recent_failures`: the last 10 failed tasks, newest first, with the failure's message;
 * - `message`: why the run paused, stopped or failed.
 */
export interface BenchStatus {
  readonly state: RunState;
  readonly pid: number;
  readonly command: string;
  readonly log_file: string | null;
  readonly started_at: string;
  readonly updated_at: string;
  readonly total: number;
  readonly done: number;
  readonly ok: number;
  readonly failed: number;
  readonly percent: number;
  readonly current: readonly (BenchTask & { readonly started_at: string })[];
  readonly rolling_avg_s: number | null;
  readonly eta_s: number | null;
  readonly eta_hours: number | null;
  readonly recent_failures: readonly (BenchTask & {
    readonly message: string;
    readonly at: string;
  })[];
  readonly message: string | null;
}

export function writeBenchStatus(root: string, status: BenchStatus): void {
  writeFileAtomic(benchStatusPath(root), `${JSON.stringify(status, null, 2)}\n`);
}

/** The last bench status written, or undefined when there is none (or it cannot be read). */
export function readBenchStatus(root: string): BenchStatus | undefined {
  try {
    return JSON.parse(readFileSync(benchStatusPath(root), 'utf8')) as BenchStatus;
  } catch {
    return undefined;
  }
}

/** An ETA in words: "X hours" from an hour on (one decimal), else "X minutes". */
export function etaWords(seconds: number): string {
  if (seconds >= 3600) return `${(seconds / 3600).toFixed(1)} hours`;
  const minutes = Math.max(1, Math.round(seconds / 60));
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** A task as one line: `compound_07 (Acetone) B3LYP 6-31G* chcl3`. */
export function taskLine(t: BenchTask): string {
  return `${t.molecule} (${t.name}) ${t.functional} ${t.nmr_basis} ${t.solvent}`;
}
