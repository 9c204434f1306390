import { existsSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupTempDirs,
  commandLines,
  readStatusJson,
  runCli,
  startCli,
  tempCampaign,
  waitFor,
  withStore,
} from '../helpers/cli.js';

afterEach(async () => {
  expect(await cleanupTempDirs()).toEqual([]);
});

/** What `retort status --json` prints. */
interface StatusReport {
  readonly campaign: string;
  readonly runner: { readonly alive: boolean; readonly pid: number | null };
  readonly stop_requested: boolean;
  readonly run: {
    readonly state: string;
    readonly pid: number;
    readonly totals: {
      readonly total: number;
      readonly running: number;
      readonly completed: number;
      readonly queued: number;
    };
  } | null;
  readonly store: Record<string, number>;
}

function statusJson(dir: string): StatusReport {
  const r = runCli(['status', '--json'], { cwd: dir });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as StatusReport;
}

function calcsByStatus(dir: string): Record<string, number> {
  return withStore(dir, (db) =>
    Object.fromEntries(
      (
        db.prepare('SELECT status, count(*) AS n FROM calcs GROUP BY status').all() as {
          status: string;
          n: number;
        }[]
      ).map((r) => [r.status, r.n]),
    ),
  );
}

/** Calcs that each wait until the file `gate` exists (the test decides when they may end). */
function gated(n: number, gate: string): string {
  return commandLines(
    Array.from({ length: n }, (_, i) => ({
      argv: ['sh', '-c', 'while [ ! -e "$1" ]; do sleep 0.1; done; echo done', `calc-${i}`, gate],
      walltime_s: 120,
      label: `gated-${i}`,
    })),
  );
}

function sleepers(n: number, seconds: number): string {
  return commandLines(
    Array.from({ length: n }, (_, i) => ({
      argv: ['sh', '-c', `sleep ${seconds}; echo done`, `calc-${i}`],
      walltime_s: 120,
      label: `sleeper-${i}`,
    })),
  );
}

describe('retort status and retort stop', () => {
  it('status reports a running runner; stop asks it to drain, once, and the running calcs finish', async () => {
    const dir = tempCampaign();
    // The running calcs end only when the test opens the gate: both stops reach a live runner.
    const gate = join(dir, 'gate');
    writeFileSync(join(dir, 'calcs.jsonl'), gated(8, gate));
    const bg = startCli(['run', join(dir, 'calcs.jsonl'), '--workers', '2', '--headless'], {
      cwd: dir,
    });

    await waitFor('two calcs running', () => {
      const s = readStatusJson(dir);
      return s?.state === 'running' && s.totals.running === 2 ? s : undefined;
    });
    const live = statusJson(dir);
    expect(live.campaign).toBe(dir);
    expect(live.runner).toEqual({ alive: true, pid: bg.pid });
    expect(live.run?.state).toBe('running');
    expect(live.run?.pid).toBe(bg.pid);
    expect(live.run?.totals.total).toBe(8);
    expect(live.run?.totals.running).toBe(2);
    expect(live.stop_requested).toBe(false);

    const text = runCli(['status'], { cwd: dir });
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(`runner pid ${bg.pid} is running`);

    const first = runCli(['stop'], { cwd: dir });
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^stop requested: runner pid \d+/);
    expect(first.stdout).toContain(String(bg.pid));
    const again = runCli(['stop'], { cwd: dir });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/already requested/);

    await waitFor('the runner to obey the stop', () =>
      readStatusJson(dir)?.state === 'stopping' ? true : undefined,
    );
    writeFileSync(gate, '');
    await bg.exit;
    // The calcs that were running finished; those not started stay queued for the next run.
    const byStatus = calcsByStatus(dir);
    expect(byStatus.succeeded).toBeGreaterThanOrEqual(2);
    expect(byStatus.queued).toBeGreaterThanOrEqual(1);
    expect((byStatus.succeeded ?? 0) + (byStatus.queued ?? 0)).toBe(8);
    expect(withStore(dir, (db) => db.prepare('SELECT count(*) FROM attempts').pluck().get())).toBe(
      byStatus.succeeded,
    );

    const after = statusJson(dir);
    expect(after.runner.alive).toBe(false);
    const nothing = runCli(['stop'], { cwd: dir });
    expect(nothing.status).toBe(0);
    expect(nothing.stdout).toMatch(/nothing to stop/);
  }, 120_000);

  it('a stopped run ends with state stopped and exit status 1, and status then says no runner', async () => {
    const dir = tempCampaign();
    writeFileSync(join(dir, 'calcs.jsonl'), sleepers(6, 2));
    const bg = startCli(['run', join(dir, 'calcs.jsonl'), '--workers', '2', '--headless'], {
      cwd: dir,
    });
    await waitFor('two calcs running', () => {
      const s = readStatusJson(dir);
      return s?.state === 'running' && s.totals.running === 2 ? s : undefined;
    });
    expect(runCli(['stop'], { cwd: dir }).stdout).toMatch(/^stop requested/);
    const end = await bg.exit;
    expect(end.status, end.stderr).toBe(1);
    expect(end.stdout).toMatch(/not run/);
    const last = readStatusJson(dir);
    expect(last?.state).toBe('stopped');
    expect(last?.totals.completed).toBeLessThan(6);
    expect(last?.totals.running).toBe(0);
    expect(withStore(dir, (db) => db.prepare('SELECT state FROM runs').pluck().all())).toEqual([
      'stopped',
    ]);
    expect(existsSync(join(dir, 'retort.lock'))).toBe(false);
    expect(existsSync(join(dir, 'STOP'))).toBe(false);
    const after = statusJson(dir);
    expect(after.runner.alive).toBe(false);
    expect(after.stop_requested).toBe(false);
    expect(after.run?.state).toBe('stopped');
    expect(runCli(['status'], { cwd: dir }).stdout).toContain('no runner');
  }, 120_000);

  it('refuses a second run while one is running, in one line naming the running pid', async () => {
    const dir = tempCampaign();
    writeFileSync(join(dir, 'calcs.jsonl'), sleepers(4, 2));
    writeFileSync(join(dir, 'other.jsonl'), commandLines([{ argv: ['true'] }]));
    const bg = startCli(['run', join(dir, 'calcs.jsonl'), '--workers', '2', '--headless'], {
      cwd: dir,
    });
    await waitFor('the run to start', () =>
      readStatusJson(dir)?.state === 'running' ? true : undefined,
    );

    const second = runCli(['run', 'other.jsonl'], { cwd: dir });
    expect(second.status).toBe(2);
    const lines = second.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`pid ${bg.pid}`);
    expect(second.stdout).toBe('');
    // The refused run recorded nothing: its calc is not in the store.
    expect(withStore(dir, (db) => db.prepare('SELECT count(*) FROM calcs').pluck().get())).toBe(4);
    expect(withStore(dir, (db) => db.prepare('SELECT count(*) FROM runs').pluck().get())).toBe(1);

    const end = await bg.exit;
    expect(end.status, end.stderr).toBe(0);
  }, 120_000);

  it('says there is nothing to stop and no runs yet in a new campaign', () => {
    const dir = tempCampaign();
    const stop = runCli(['stop'], { cwd: dir });
    expect(stop.status).toBe(0);
    expect(stop.stdout).toMatch(/nothing to stop/);
    const status = runCli(['status'], { cwd: dir });
    expect(status.status).toBe(0);
    expect(status.stdout).toMatch(/none yet/);
    expect(statusJson(dir)).toMatchObject({ runner: { alive: false, pid: null }, run: null });
  });

  it('stop --now kills the running calcs and returns them to the queue', async () => {
    const dir = tempCampaign();
    writeFileSync(join(dir, 'calcs.jsonl'), sleepers(4, 60));
    const bg = startCli(['run', join(dir, 'calcs.jsonl'), '--workers', '2', '--headless'], {
      cwd: dir,
    });
    await waitFor('two calcs running', () => {
      const s = readStatusJson(dir);
      return s?.state === 'running' && s.totals.running === 2 ? s : undefined;
    });
    const drain = runCli(['stop'], { cwd: dir });
    expect(drain.stdout).toMatch(/will finish its running calcs/);
    const now = runCli(['stop', '--now'], { cwd: dir });
    expect(now.status, now.stderr).toBe(0);
    expect(now.stdout).toMatch(/will kill its running calcs/);
    await bg.exit;
    // Killed, not finished (they sleep 60 s), and nothing counted as failed.
    expect(calcsByStatus(dir)).toEqual({ queued: 4 });
  }, 120_000);

  it('counts a calc that failed in an earlier run as failed in the summary and the status', () => {
    const dir = tempCampaign();
    writeFileSync(join(dir, 'calcs.jsonl'), commandLines([{ argv: ['sh', '-c', 'exit 3'] }]));
    const args = ['run', join(dir, 'calcs.jsonl'), '--headless'];
    expect(runCli(args, { cwd: dir }).status).toBe(1);
    const again = runCli(args, { cwd: dir });
    expect(again.status).toBe(1);
    expect(again.stdout).toMatch(/: 0 ran ok, 0 from the store, 1 failed, 0 not run/);
    expect(readStatusJson(dir)?.totals).toMatchObject({
      total: 1,
      completed: 1,
      failed: 1,
      failed_earlier: 1,
      cached: 0,
    });
    expect(runCli(['status'], { cwd: dir }).stdout).toMatch(
      /progress +1\/1 done: 0 ok, 0 from the store, 1 failed \(1 in earlier runs\)/,
    );
  }, 120_000);
});

describe('retort status: retries waiting for their backoff', () => {
  it('lists a calc queued for a retry with the time it goes again, and forgets it once that passed', () => {
    const dir = tempCampaign();
    writeFileSync(join(dir, 'calcs.jsonl'), commandLines([{ argv: ['true'], label: 'flaky' }]));
    expect(runCli(['run', 'calcs.jsonl', '--headless'], { cwd: dir }).status).toBe(0);
    // As a runner leaves a calc it stopped during the backoff of its retry.
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const db = new Database(join(dir, 'retort.db'));
    db.prepare("UPDATE calcs SET status = 'queued', retry_not_before = ?").run(later);
    db.close();

    const json = runCli(['status', '--json'], { cwd: dir });
    expect(json.status, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as { waiting_retries: { key: string }[] };
    expect(report.waiting_retries[0]?.key).toMatch(/^[0-9a-f]{64}$/);
    expect(report.waiting_retries).toEqual([
      {
        key: report.waiting_retries[0]?.key,
        label: 'flaky',
        program: 'command',
        attempts: 1,
        not_before: later,
      },
    ]);
    const text = runCli(['status'], { cwd: dir });
    expect(text.stdout).toMatch(
      new RegExp(
        `^retry\\s+flaky \\(command\\) after 1 attempts: next at ${later.replace(/\./g, '\\.')} \\(in 5\\dm\\d\\ds\\)$`,
        'm',
      ),
    );

    const past = new Database(join(dir, 'retort.db'));
    past
      .prepare('UPDATE calcs SET retry_not_before = ?')
      .run(new Date(Date.now() - 1000).toISOString());
    past.close();
    const after = JSON.parse(runCli(['status', '--json'], { cwd: dir }).stdout) as {
      waiting_retries: unknown[];
    };
    expect(after.waiting_retries).toEqual([]);
  });
});
