import { hostname } from 'node:os';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { CampaignError } from '../core/errors.js';
import { isSameProcessAlive, processStartTime } from './process-identity.js';

/**
 * The runner lock: `retort.lock`, created exclusively, holding who runs the campaign. One runner
 * per campaign; readers never take it.
 *
 * ```json
 * {"pid": 1234, "start_time": "98765", "hostname": "vm", "started_at": "2026-…Z", "command": "retort run x.jsonl"}
 * ```
 *
 * A lock whose process is gone (same host, pid not alive or alive with another start time) is
 * stale: it is removed and the removal reported to the caller, never silently. A lock from
 * another host cannot be checked and is refused with instructions.
 */
export interface LockInfo {
  readonly pid: number;
  readonly start_time: string | undefined;
  readonly hostname: string;
  readonly started_at: string;
  readonly command: string;
}

export interface HeldLock {
  /** The stale lock that was removed to take this one, if any. */
  readonly replacedStale: LockInfo | undefined;
  release(): void;
}

export function acquireRunnerLock(path: string, command: string): HeldLock {
  const info: LockInfo = {
    pid: process.pid,
    start_time: processStartTime(process.pid),
    hostname: hostname(),
    started_at: new Date().toISOString(),
    command,
  };
  let replacedStale: LockInfo | undefined;
  for (let tries = 0; tries < 2; tries++) {
    try {
      writeFileSync(path, `${JSON.stringify(info)}\n`, { flag: 'wx' });
      return {
        replacedStale,
        release: () => {
          const current = readLock(path);
          if (current?.pid === info.pid && current.start_time === info.start_time) unlinkSync(path);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readLock(path);
    if (holder === undefined) {
      // Unreadable or half-written: only a crash between create and write leaves that.
      unlinkSync(path);
      continue;
    }
    if (holder.hostname !== info.hostname) {
      throw new CampaignError(
        `${path}: the campaign is locked by pid ${holder.pid} on host ${holder.hostname} (since ${holder.started_at}); if no runner is alive there, delete this file`,
      );
    }
    if (isSameProcessAlive(holder.pid, holder.start_time)) {
      throw new CampaignError(
        `the campaign is being run by pid ${holder.pid} (${holder.command}, since ${holder.started_at}); wait for it, or ask it to stop with \`retort stop\``,
      );
    }
    replacedStale = holder;
    unlinkSync(path);
  }
  throw new CampaignError(`${path}: another runner took the lock at the same moment`);
}

/** The current lock holder, or undefined when there is no (readable) lock. */
export function readLock(path: string): LockInfo | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
    return typeof parsed.pid === 'number' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the lock at `path` is held by a live process (on this host). */
export function lockHolderAlive(path: string): LockInfo | undefined {
  const holder = readLock(path);
  if (holder === undefined) return undefined;
  if (holder.hostname !== hostname()) return holder;
  return isSameProcessAlive(holder.pid, holder.start_time) ? holder : undefined;
}
