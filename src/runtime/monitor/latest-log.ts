import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The most recently written run log (`run-*.log`) of a campaign's logs/, if any. */
export function latestLog(logsDir: string): string | undefined {
  let best: { path: string; mtime: number } | undefined;
  let names: string[];
  try {
    names = readdirSync(logsDir);
  } catch {
    return undefined;
  }
  for (const name of names) {
    if (!name.startsWith('run-') || !name.endsWith('.log')) continue;
    const path = join(logsDir, name);
    const mtime = statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    if (best === undefined || mtime > best.mtime) best = { path, mtime };
  }
  return best?.path;
}
