import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupTempDirs,
  commandLines,
  liveProcessesMatching,
  readStatusJson,
  runCli,
  startCli,
  tempCampaign,
  waitFor,
  withStore,
  type BackgroundCli,
} from '../helpers/cli.js';

afterEach(async () => {
  expect(await cleanupTempDirs()).toEqual([]);
});

interface CalcRow {
  readonly key: string;
  readonly label: string;
  readonly status: string;
}

function calcRows(dir: string): CalcRow[] {
  return withStore(
    dir,
    (db) => db.prepare('SELECT key, label, status FROM calcs ORDER BY label').all() as CalcRow[],
  );
}

/**
 * `n` calcs that sleep `seconds` unless the file `fast` exists in the campaign when they start
 * (the file is not part of the calc, so creating it later keeps the calc keys).
 */
function sleepers(dir: string, n: number, seconds: number): string {
  return commandLines(
    Array.from({ length: n }, (_, i) => ({
      argv: [
        'sh',
        '-c',
        `test -e "$0" || sleep ${seconds}; echo done`,
        join(dir, 'fast'),
        `calc-${i}`,
      ],
      walltime_s: 120,
      label: `sleeper-${i}`,
    })),
  );
}

/** Starts the run and waits until two calcs are running (their processes alive). */
async function startTwoRunning(dir: string): Promise<BackgroundCli> {
  const bg = startCli(['run', join(dir, 'calcs.jsonl'), '--workers', '2', '--headless'], {
    cwd: dir,
  });
  await waitFor('two calcs running', () => {
    const s = readStatusJson(dir);
    const running = calcRows(dir).filter((c) => c.status === 'running').length;
    return s?.state === 'running' && running === 2 && sleepProcesses(dir).length === 2
      ? true
      : undefined;
  });
  return bg;
}

/** The calcs' `sleep` processes (they work in their calc directories, inside the campaign). */
function sleepProcesses(dir: string): number[] {
  return liveProcessesMatching(dir)
    .filter((p) => p.cmdline.startsWith('sleep '))
    .map((p) => p.pid);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('signals to a running runner', () => {
  it('a first SIGINT drains: the state becomes stopping, the running calcs finish and succeed, nothing new starts', async () => {
    const dir = tempCampaign();
    writeFileSync(join(dir, 'calcs.jsonl'), sleepers(dir, 5, 2));
    const bg = await startTwoRunning(dir);
    const running = calcRows(dir)
      .filter((c) => c.status === 'running')
      .map((c) => c.key);

    process.kill(bg.pid, 'SIGINT');
    await waitFor('state stopping', () =>
      readStatusJson(dir)?.state === 'stopping' ? true : undefined,
    );
    await waitFor('the running calcs to finish', () =>
      calcRows(dir).filter((c) => c.status === 'succeeded').length === 2 ? true : undefined,
    );
    await bg.exit;

    const rows = calcRows(dir);
    expect(
      rows
        .filter((c) => c.status === 'succeeded')
        .map((c) => c.key)
        .sort(),
    ).toEqual(running.sort());
    expect(rows.filter((c) => c.status === 'queued')).toHaveLength(3);
    expect(withStore(dir, (db) => db.prepare('SELECT count(*) FROM attempts').pluck().get())).toBe(
      2,
    );
  }, 120_000);

  it('after a first SIGINT the run ends with state stopped and exit status 1', async () => {
    const dir = tempCampaign();
    writeFileSync(join(dir, 'calcs.jsonl'), sleepers(dir, 4, 2));
    const bg = await startTwoRunning(dir);
    process.kill(bg.pid, 'SIGINT');
    const end = await bg.exit;
    expect(end.status, end.stderr).toBe(1);
    expect(readStatusJson(dir)?.state).toBe('stopped');
    expect(withStore(dir, (db) => db.prepare('SELECT state FROM runs').pluck().all())).toEqual([
      'stopped',
    ]);
  }, 120_000);

  it('a second SIGINT kills the running calcs and returns them to the queue; running the file again completes them', async () => {
    const dir = tempCampaign();
    writeFileSync(join(dir, 'calcs.jsonl'), sleepers(dir, 4, 60));
    const bg = await startTwoRunning(dir);
    const sleeps = sleepProcesses(dir);
    expect(sleeps).toHaveLength(2);
    const running = calcRows(dir)
      .filter((c) => c.status === 'running')
      .map((c) => c.key);

    process.kill(bg.pid, 'SIGINT');
    await waitFor('state stopping', () =>
      readStatusJson(dir)?.state === 'stopping' ? true : undefined,
    );
    process.kill(bg.pid, 'SIGINT');
    await waitFor('the killed calcs returned to the queue', () =>
      calcRows(dir).every((c) => c.status === 'queued') ? true : undefined,
    );
    await bg.exit;

    // The calcs' processes are gone (no waiting out their 60 s sleep).
    await waitFor(
      'the calc processes to end',
      () => (sleeps.some(alive) ? undefined : true),
      10_000,
    );
    expect(liveProcessesMatching(dir)).toEqual([]);
    const attempts = withStore(
      dir,
      (db) =>
        db.prepare('SELECT calc_key, status FROM attempts ORDER BY calc_key').all() as {
          calc_key: string;
          status: string;
        }[],
    );
    expect(attempts.map((a) => a.calc_key)).toEqual([...running].sort());
    expect(attempts.map((a) => a.status)).toEqual(['returned', 'returned']);
    expect(calcRows(dir).map((c) => c.status)).toEqual(['queued', 'queued', 'queued', 'queued']);

    // Run again (now fast): every calc completes, the returned ones in a new attempt.
    writeFileSync(join(dir, 'fast'), '');
    const again = runCli(
      ['run', join(dir, 'calcs.jsonl'), '--workers', '2', '--headless', '--json'],
      {
        cwd: dir,
      },
    );
    expect(again.status, again.stderr).toBe(0);
    const results = JSON.parse(again.stdout) as { status: string; cached: boolean }[];
    expect(results.map((r) => r.status)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
    expect(calcRows(dir).every((c) => c.status === 'succeeded')).toBe(true);
    const succeeded = withStore(
      dir,
      (db) =>
        db
          .prepare(`SELECT calc_key FROM attempts WHERE status = 'succeeded'`)
          .pluck()
          .all() as string[],
    );
    expect(succeeded).toHaveLength(4);
    expect(new Set(succeeded).size).toBe(4);
  }, 120_000);
});
