import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  linkSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { CampaignError, InfrastructureError } from '../core/errors.js';
import { isSameProcessAlive, processStartTime } from './process-identity.js';

/**
 * The runner lock: `retort.lock`, holding who runs the campaign. One runner per campaign;
 * readers never take it.
 *
 * ```json
 * {"pid": 1234, "start_time": "98765", "hostname": "vm", "started_at": "2026-…Z", "command": "retort run x.jsonl"}
 * ```
 *
 * The lock appears whole or not at all: its content is written to a temporary file
 * (`retort.lock.<pid>-<random>.tmp`) that is then hard-linked to `retort.lock`; the link fails
 * when the lock exists, so of any number of runners starting at once exactly one gets it.
 *
 * A lock whose process is gone (same host, pid not alive or alive with another start time) is
 * stale: it is taken over and the takeover reported to the caller, never silently. Only one
 * process may replace a given stale lock: the one that creates `retort.lock.takeover-<digest of
 * the stale lock>` (by the same link). It renames its own lock over the stale one if that is
 * still the very file it read (nothing else can change it meanwhile), so the lock is never
 * absent and never removed by one process after another has replaced it. If that process dies
 * in between, its takeover file is stale in turn and the next one is named after both
 * (`…-<digest of the dead taker's file>`), so every contender agrees on the name and no check
 * is ever followed by a delete. A lock from another host cannot be checked and is refused
 * with instructions; so is a lock file retort did not write.
 */
export interface LockInfo {
  readonly pid: number;
  readonly start_time: string | undefined;
  readonly hostname: string;
  readonly started_at: string;
  readonly command: string;
}

export interface HeldLock {
  /** The stale lock that this one replaced, if any. */
  readonly replacedStale: LockInfo | undefined;
  release(): void;
}

/** How long to wait for another process that is taking over the same stale lock. */
const TAKEOVER_WAIT_MS = 10_000;
/** Takers that died in the middle of a takeover, one after the other, before we give up. */
const MAX_DEAD_TAKERS = 8;

export function acquireRunnerLock(path: string, command: string): HeldLock {
  const info: LockInfo = {
    pid: process.pid,
    start_time: processStartTime(process.pid),
    hostname: hostname(),
    started_at: new Date().toISOString(),
    command,
  };
  const content = Buffer.from(`${JSON.stringify(info)}\n`);
  const tmp = `${path}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, content, { flag: 'wx' });
  } catch (error) {
    throw new InfrastructureError(
      `cannot take the runner lock: cannot write ${tmp} (${(error as NodeJS.ErrnoException).code ?? String(error)}); the campaign directory must be writable`,
      { cause: error, retryable: false },
    );
  }
  try {
    const deadline = Date.now() + TAKEOVER_WAIT_MS;
    for (;;) {
      if (linkExclusive(tmp, path)) return held(path, content, undefined);
      const seen = readLockFile(path);
      if (seen === undefined) continue; // released meanwhile
      const holder = parseLock(seen.bytes);
      if (holder === undefined) {
        throw new CampaignError(
          `${path} is not a lock retort wrote; if no runner is running in this campaign, delete it`,
        );
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
      const outcome = takeOver(path, seen, tmp);
      if (outcome === 'taken') return held(path, content, holder);
      if (outcome === 'busy') {
        if (Date.now() > deadline) {
          throw new CampaignError(
            `${path}: another runner has been taking over the stale lock of pid ${holder.pid} for ${TAKEOVER_WAIT_MS / 1000} s; try again`,
          );
        }
        sleep(5);
      }
    }
  } finally {
    unlinkQuietly(tmp);
  }
}

function held(path: string, content: Buffer, replacedStale: LockInfo | undefined): HeldLock {
  removeLeftovers(path);
  return {
    replacedStale,
    release: () => {
      if (readLockFile(path)?.bytes.equals(content) === true) unlinkSync(path);
    },
  };
}

/** The current lock holder, or undefined when there is no (readable) lock. */
export function readLock(path: string): LockInfo | undefined {
  const seen = readLockFile(path);
  return seen === undefined ? undefined : parseLock(seen.bytes);
}

/** Whether the lock at `path` is held by a live process (on this host). */
export function lockHolderAlive(path: string): LockInfo | undefined {
  const holder = readLock(path);
  if (holder === undefined) return undefined;
  if (holder.hostname !== hostname()) return holder;
  return isSameProcessAlive(holder.pid, holder.start_time) ? holder : undefined;
}

/** A lock (or takeover) file as read: its inode names it, its bytes say who wrote it. */
interface SeenFile {
  readonly ino: number;
  readonly bytes: Buffer;
}

/**
 * Replaces the stale lock `stale` at `path` by ours (the file `tmp`) if no other process is
 * taking it over: 'taken' (the lock is ours), 'gone' (it was no longer there), or 'busy' (a
 * live process is taking it over). The rename replaces the file in one step, so no runner
 * starting meanwhile finds the lock free.
 */
function takeOver(path: string, stale: SeenFile, tmp: string): 'taken' | 'gone' | 'busy' {
  let name = `${path}.takeover-${digest(stale.bytes)}`;
  const deadTakers: string[] = [];
  for (let dead = 0; dead <= MAX_DEAD_TAKERS;) {
    if (linkExclusive(tmp, name)) {
      try {
        const now = readLockFile(path);
        if (now?.ino !== stale.ino || !now.bytes.equals(stale.bytes)) return 'gone';
        try {
          renameSync(tmp, path);
        } catch (error) {
          throw new InfrastructureError(`cannot take over the stale runner lock ${path}`, {
            cause: error,
            retryable: false,
          });
        }
        return 'taken';
      } finally {
        for (const file of [name, ...deadTakers]) unlinkQuietly(file);
      }
    }
    const taker = readLockFile(name);
    if (taker === undefined) continue; // its taker finished: try that name again
    const who = parseLock(taker.bytes);
    if (who?.hostname !== hostname()) return 'busy';
    if (isSameProcessAlive(who.pid, who.start_time)) return 'busy';
    deadTakers.push(name);
    name = `${name}-${digest(taker.bytes)}`;
    dead++;
  }
  return 'busy';
}

/** Links `from` to `to` unless `to` exists; false when it does. */
function linkExclusive(from: string, to: string): boolean {
  try {
    linkSync(from, to);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP') {
      throw new InfrastructureError(
        `cannot take the runner lock ${to}: the file system of the campaign does not support hard links; keep the campaign on a local or NFS file system`,
        { cause: error, retryable: false },
      );
    }
    throw new InfrastructureError(`cannot take the runner lock ${to}: ${code ?? String(error)}`, {
      cause: error,
      retryable: false,
    });
  }
}

/** The file at `path` with its inode, or undefined when there is none. */
function readLockFile(path: string): SeenFile | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InfrastructureError(`cannot read the runner lock ${path}`, {
      cause: error,
      retryable: false,
    });
  }
  try {
    return { ino: fstatSync(fd).ino, bytes: readFileSync(fd) };
  } finally {
    closeSync(fd);
  }
}

function parseLock(bytes: Buffer): LockInfo | undefined {
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as Partial<LockInfo> | null;
    return typeof parsed?.pid === 'number' && typeof parsed.hostname === 'string'
      ? (parsed as LockInfo)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Once we hold the lock, no takeover is under way (a takeover only removes the stale file it
 * read, which is gone), so takeover files left by dead takers and temporary files of dead
 * processes are litter.
 */
function removeLeftovers(path: string): void {
  const prefix = `${basename(path)}.`;
  for (const entry of readdirSync(dirname(path))) {
    if (!entry.startsWith(prefix)) continue;
    const rest = entry.slice(prefix.length);
    const tmpPid = /^(\d+)-[0-9a-f]+\.tmp$/.exec(rest)?.[1];
    const file = join(dirname(path), entry);
    if (tmpPid !== undefined) {
      if (!isSameProcessAlive(Number(tmpPid), undefined)) unlinkQuietly(file);
    } else if (rest.startsWith('takeover-')) {
      const taker = readLockFile(file);
      const who = taker === undefined ? undefined : parseLock(taker.bytes);
      if (who?.hostname === hostname() && !isSameProcessAlive(who.pid, who.start_time))
        unlinkQuietly(file);
    }
  }
}

function digest(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

const napCell = new Int32Array(new SharedArrayBuffer(4));
function sleep(ms: number): void {
  Atomics.wait(napCell, 0, 0, ms);
}
