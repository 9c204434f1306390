import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { acquireRunnerLock, lockHolderAlive } from '../../src/runtime/runner-lock.js';
import { tempDir } from '../helpers/temp-dir.js';

let tmp: ReturnType<typeof tempDir>;
let lock: string;

beforeEach(() => {
  tmp = tempDir();
  lock = join(tmp.dir, 'retort.lock');
});
afterEach(() => {
  tmp.remove();
});

describe('the runner lock', () => {
  it('is held by one runner and released by it', () => {
    const held = acquireRunnerLock(lock, 'retort run a');
    expect(held.replacedStale).toBeUndefined();
    expect(lockHolderAlive(lock)?.pid).toBe(process.pid);
    held.release();
    expect(existsSync(lock)).toBe(false);
  });

  it('refuses a second runner while the first is alive, naming its pid', () => {
    const held = acquireRunnerLock(lock, 'retort run a');
    expect(() => acquireRunnerLock(lock, 'retort run b')).toThrow(`run by pid ${process.pid}`);
    held.release();
  });

  it('detects and reports a stale lock left by a dead process instead of taking it silently', () => {
    const dead = spawnSync('true').pid;
    writeFileSync(
      lock,
      JSON.stringify({
        pid: dead,
        start_time: '1',
        hostname: hostname(),
        started_at: 'then',
        command: 'retort run old',
      }),
    );
    expect(lockHolderAlive(lock)).toBeUndefined();
    const held = acquireRunnerLock(lock, 'retort run new');
    expect(held.replacedStale).toMatchObject({ pid: dead, command: 'retort run old' });
    held.release();
  });

  it('treats a live pid with another start time as a recycled pid, hence stale', () => {
    writeFileSync(
      lock,
      JSON.stringify({
        pid: process.pid,
        start_time: 'not-this',
        hostname: hostname(),
        started_at: 'then',
        command: 'x',
      }),
    );
    expect(acquireRunnerLock(lock, 'retort run').replacedStale?.pid).toBe(process.pid);
  });

  it('refuses a lock from another host, which it cannot check', () => {
    writeFileSync(
      lock,
      JSON.stringify({
        pid: 1,
        start_time: '1',
        hostname: 'elsewhere',
        started_at: 'then',
        command: 'x',
      }),
    );
    expect(() => acquireRunnerLock(lock, 'retort run')).toThrow('on host elsewhere');
  });
});
