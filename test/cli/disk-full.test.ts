import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupTempDirs,
  countedCalcs,
  fileLines,
  labels,
  runCli,
  startCli,
  untilStarted,
  withStore,
} from '../helpers/cli.js';

// A full disk under the store, status.json and the logs, or under the calc directories, made
// with a small tmpfs (needs root and mount). The calc directories of the first case, and the
// counter the calcs append to, are on the ordinary disk: what the runner records is what fails.

const mounts: string[] = [];
const dirs: string[] = [];

function mountable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to mount a tmpfs';
  const probe = mkdtempSync(join(tmpdir(), 'retort-tmpfs-probe-'));
  try {
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe]);
    if (r.status !== 0) return 'cannot mount a tmpfs here';
    execFileSync('umount', [probe]);
    return undefined;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

const skip = mountable();

/** A new directory on a tmpfs of `sizeMb`. */
function smallDisk(sizeMb: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'retort-small-disk-'));
  dirs.push(dir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${String(sizeMb)}m`, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

/** A directory on the ordinary disk, removed after the test. */
function ordinaryDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'retort-disk-'));
  dirs.push(dir);
  return dir;
}

/** Fills the file system of `dir` to the last byte with `dir/filler`. */
function fill(dir: string): string {
  const filler = join(dir, 'filler');
  spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64k'], { stdio: 'ignore' });
  return filler;
}

afterEach(async () => {
  for (const dir of mounts.splice(0)) spawnSync('umount', ['-l', dir]);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  expect(await cleanupTempDirs()).toEqual([]);
});

function calcStatuses(dir: string): Record<string, number> {
  return Object.fromEntries(
    withStore(
      dir,
      (db) =>
        db.prepare('SELECT status, count(*) AS n FROM calcs GROUP BY status').all() as {
          status: string;
          n: number;
        }[],
    ).map((r) => [r.status, r.n]),
  );
}

/** A campaign on `root` whose calc directories are `work` (another file system). */
function campaignOn(root: string, work: string): string {
  const dir = join(root, 'c');
  const init = runCli(['init', dir], { cwd: root });
  expect(init.status, init.stderr).toBe(0);
  rmSync(join(dir, 'work'), { recursive: true });
  symlinkSync(work, join(dir, 'work'));
  return dir;
}

describe.skipIf(skip)('a full disk', () => {
  it('under the store ends the run with one line, the lock released and the store intact; after freeing space the next run finishes without losing or repeating a calc', async () => {
    const dir = campaignOn(smallDisk(4), ordinaryDir());
    const { file, counter } = countedCalcs(dir, 6, 'sleep 0.5');
    // countedCalcs writes the list into the campaign; the counter is on the ordinary disk.
    const args = ['run', file, '--workers', '1', '--headless'];
    const run = startCli(args, { cwd: dir });
    await untilStarted(counter, 2);
    const filler = fill(dir);
    const end = await run.exit;

    expect(end.status).toBe(1);
    const output = `${end.stdout}\n${end.stderr}`;
    expect(output).toMatch(/disk is full|no space left/i);
    expect(output).toContain(dir);
    expect(output).toMatch(/free space there, then run the same command again/);
    expect(output).not.toMatch(/internal error|\n\s+at /);
    expect(existsSync(join(dir, 'retort.lock'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    withStore(dir, (db) => {
      expect(db.prepare('PRAGMA integrity_check').pluck().get()).toBe('ok');
    });

    rmSync(filler);
    const again = runCli(args, { cwd: dir });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/complete .*, 0 failed, 0 not run/);
    expect(calcStatuses(dir)).toEqual({ succeeded: 6 });
    // Every calc ran exactly once: the one running when the disk filled was re-adopted.
    expect(fileLines(counter).sort()).toEqual(labels(6));
  }, 120_000);

  it('under the calc directories pauses the run naming the directory, no calc failed; after freeing space the same run completes', () => {
    const work = smallDisk(1);
    const dir = campaignOn(ordinaryDir(), work);
    const { file, counter } = countedCalcs(dir, 3, 'true');
    // Each calc has an input file to write into its directory.
    const withInput = fileLines(file).map((line) =>
      JSON.stringify({ ...(JSON.parse(line) as object), files: { 'in.txt': 'x'.repeat(65536) } }),
    );
    writeFileSync(file, `${withInput.join('\n')}\n`);
    const filler = fill(work);
    const args = ['run', file, '--workers', '1', '--headless'];

    const paused = runCli(args, { cwd: dir });
    expect(paused.status).toBe(1);
    const lines = paused.stderr.split('\n').filter((l) => l.startsWith('run paused'));
    expect(lines, paused.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/executor local failed: .*no space left on device/i);
    expect(lines[0]).toContain(join(dir, 'work'));
    expect(lines[0]).toMatch(/free space there, then run the same command again/);
    expect(paused.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(calcStatuses(dir)).toEqual({ queued: 3 });
    expect(existsSync(join(dir, 'retort.lock'))).toBe(false);

    rmSync(filler);
    const again = runCli(args, { cwd: dir });
    expect(again.status, again.stderr).toBe(0);
    expect(calcStatuses(dir)).toEqual({ succeeded: 3 });
    expect(fileLines(counter).sort()).toEqual(labels(3));
  }, 120_000);
});
