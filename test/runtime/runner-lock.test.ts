import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { acquireRunnerLock, lockHolderAlive } from '../../src/runtime/runner-lock.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * Many runners started at the same instant, as real processes: each of CONTENDERS children runs
 * TRIALS trials; in each it waits for the trial's start file, spins until the instant written
 * there, tries to take the lock, writes whether it got it, and a holder keeps the lock until
 * every contender has answered (so two holders would hold at the same time).
 */
const TRIALS = 20;
const CONTENDERS = 5;

const MODULE = pathToFileURL(resolve('dist/src/runtime/runner-lock.js')).href;

const CHILD = `
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
const { acquireRunnerLock } = await import(process.env.LOCK_MODULE);
const [dir, me, trials] = process.argv.slice(1);
const nap = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms) => Atomics.wait(nap, 0, 0, ms);
for (let t = 0; t < Number(trials); t++) {
  const go = join(dir, 'go-' + t);
  while (!existsSync(go)) sleep(1);
  const at = Number(readFileSync(go, 'utf8'));
  while (Date.now() < at);
  let result;
  let held;
  try {
    held = acquireRunnerLock(join(dir, 'trial-' + t, 'retort.lock'), 'contender ' + me);
    result = { held: true, replaced: held.replacedStale?.pid ?? null };
  } catch (error) {
    result = { held: false, message: error.message };
  }
  const answer = join(dir, 'result-' + t + '-' + me);
  writeFileSync(answer + '.tmp', JSON.stringify(result));
  renameSync(answer + '.tmp', answer);
  if (held !== undefined) {
    while (!existsSync(join(dir, 'done-' + t))) sleep(1);
    held.release();
  }
}
`;

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
  it('refuses a lock file retort did not write instead of deleting it', () => {
    writeFileSync(lock, '');
    expect(() => acquireRunnerLock(lock, 'retort run')).toThrow('is not a lock retort wrote');
    expect(existsSync(lock)).toBe(true);
  });

  it('takes over a stale lock whose first taker died in the middle, and clears what both left', () => {
    const dead = spawnSync('true').pid;
    const stale = `${JSON.stringify({ pid: dead, start_time: '1', hostname: hostname(), started_at: 'then', command: 'retort run old' })}\n`;
    writeFileSync(lock, stale);
    const digest = createHash('sha256').update(stale).digest('hex').slice(0, 16);
    const taker = JSON.stringify({
      pid: spawnSync('true').pid,
      start_time: '2',
      hostname: hostname(),
      started_at: 'then',
      command: 'retort run taker',
    });
    writeFileSync(`${lock}.takeover-${digest}`, taker);
    writeFileSync(`${lock}.${dead}-abcdef.tmp`, taker);
    const held = acquireRunnerLock(lock, 'retort run new');
    expect(held.replacedStale?.pid).toBe(dead);
    expect(lockHolderAlive(lock)?.pid).toBe(process.pid);
    expect(readdirSync(tmp.dir)).toEqual(['retort.lock']);
    held.release();
  });
});

interface Result {
  readonly held: boolean;
  readonly replaced?: number | null;
  readonly message?: string;
}

/** Runs the trials; `prepare` may put a lock into a trial's directory before its start. */
async function race(prepare: (lock: string) => void): Promise<Result[][]> {
  const dir = tmp.dir;
  const children = Array.from({ length: CONTENDERS }, (_, me) =>
    spawn(process.execPath, ['--input-type=module', '-e', CHILD, dir, String(me), String(TRIALS)], {
      env: { ...process.env, LOCK_MODULE: MODULE },
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
  const stderr: string[] = [];
  let crashed = 0;
  const exited = children.map(
    (child) =>
      new Promise<number | null>((done) => {
        child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
        child.on('exit', (code) => {
          if (code !== 0) crashed++;
          done(code);
        });
      }),
  );
  const trials: Result[][] = [];
  try {
    for (let t = 0; t < TRIALS; t++) {
      mkdirSync(join(dir, `trial-${t}`));
      prepare(join(dir, `trial-${t}`, 'retort.lock'));
      // Far enough ahead that every child has read the instant and spins on the clock.
      writeFileSync(join(dir, `go-${t}`), String(Date.now() + 150));
      const files = Array.from({ length: CONTENDERS }, (_, me) => join(dir, `result-${t}-${me}`));
      const deadline = Date.now() + 30_000;
      while (!files.every((f) => existsSync(f))) {
        if (crashed > 0 || Date.now() > deadline)
          throw new Error(`trial ${t}: a contender did not answer; ${stderr.join('')}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      trials.push(files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as Result));
      writeFileSync(join(dir, `done-${t}`), '');
    }
  } catch (error) {
    for (const child of children) child.kill('SIGKILL');
    await Promise.all(exited);
    throw error;
  }
  expect(await Promise.all(exited), stderr.join('')).toEqual(children.map(() => 0));
  return trials;
}

describe('the runner lock under simultaneous starts', () => {
  it('is taken by exactly one of five runners started at the same instant on a free lock', async () => {
    const trials = await race(() => undefined);
    const holders = trials.map((results) => results.filter((r) => r.held).length);
    expect(holders).toEqual(trials.map(() => 1));
    for (const results of trials) {
      for (const r of results.filter((x) => !x.held)) expect(r.message).toMatch(/run by pid \d+/);
    }
  });

  it('is taken over by exactly one of five runners started at the same instant on a stale lock', async () => {
    const dead = spawnSync('true').pid;
    const stale = JSON.stringify({
      pid: dead,
      start_time: '1',
      hostname: hostname(),
      started_at: 'then',
      command: 'retort run old',
    });
    const trials = await race((lock) => {
      writeFileSync(lock, `${stale}\n`);
    });
    const holders = trials.map((results) => results.filter((r) => r.held));
    expect(holders.map((h) => h.length)).toEqual(trials.map(() => 1));
    // The one that got it says it took over the dead runner's lock.
    expect(holders.map((h) => h[0]?.replaced)).toEqual(trials.map(() => dead));
    for (const results of trials) {
      for (const r of results.filter((x) => !x.held)) expect(r.message).toMatch(/run by pid \d+/);
    }
  });
});
