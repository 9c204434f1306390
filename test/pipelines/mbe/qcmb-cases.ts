import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedPath } from '../../helpers/shared-data.js';

/**
 * The QCManyBody reference cases, read from ../shared/data/qcmb at test time (never copied into
 * the project). `QCMB_DIR` is undefined when they are absent; tests then skip with a reason.
 */
const candidate = sharedPath('data', 'qcmb');
export const QCMB_DIR: string | undefined = existsSync(candidate) ? candidate : undefined;
export const QCMB_SKIP_REASON = `QCManyBody reference cases not found at ${candidate}`;

/** File names of the analyze cases (all but the task-count file). */
export function caseFiles(): string[] {
  if (QCMB_DIR === undefined) return [];
  return readdirSync(QCMB_DIR)
    .filter((f) => f.endsWith('.json') && f !== 'he4_task_counts.json')
    .sort();
}

export function casePath(file: string): string {
  return join(QCMB_DIR ?? candidate, file);
}

export function readCase(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(casePath(file), 'utf8')) as Record<string, unknown>;
}
