import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupTempDirs,
  commandLines,
  fileLines,
  liveProcessesMatching,
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

const CALCS = 40;

describe('a runner killed with SIGKILL', () => {
  it('loses nothing and runs nothing twice: a new run takes over the stale lock, re-adopts the calcs left running and finishes', async () => {
    const dir = tempCampaign();
    const log = join(dir, 'executions.log');
    const ids = Array.from({ length: CALCS }, (_, i) => `calc-${String(i).padStart(2, '0')}`);
    // Each real execution appends its id once, at its start.
    writeFileSync(
      join(dir, 'calcs.jsonl'),
      commandLines(
        ids.map((id) => ({
          argv: ['sh', '-c', `echo $0 >> '${log}'; sleep 0.3`, id],
          walltime_s: 60,
        })),
      ),
    );
    const args = ['run', join(dir, 'calcs.jsonl'), '--workers', '2', '--headless'];
    const killedPids: number[] = [];
    const restartLogs: string[] = [];

    for (const killAt of [10, 25]) {
      const bg = startCli(args, { cwd: dir });
      await waitFor(
        `${killAt} executions`,
        () => (fileLines(log).length >= killAt ? true : undefined),
        60_000,
        10,
      );
      process.kill(bg.pid, 'SIGKILL');
      const end = await bg.exit;
      expect(end.signal).toBe('SIGKILL');
      if (killedPids.length > 0) restartLogs.push(end.stderr);
      killedPids.push(bg.pid);
    }

    const last = runCli(args, { cwd: dir });
    expect(last.status, last.stderr).toBe(0);
    // The takeover is reported, naming the dead runner.
    expect(last.stderr).toContain(`stale lock of pid ${killedPids[1] ?? ''}`);
    expect(restartLogs[0]).toContain(`stale lock of pid ${killedPids[0] ?? ''}`);
    restartLogs.push(last.stderr);
    // The calcs the killed runners left running were taken over, not started again.
    expect(restartLogs.join('\n')).toMatch(/re-adopted/);

    // Every calc ran exactly once: none lost, none twice.
    const executions = fileLines(log);
    const counts = new Map<string, number>();
    for (const id of executions) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual(ids);
    expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect(executions).toHaveLength(CALCS);

    withStore(dir, (db) => {
      expect(db.prepare('PRAGMA integrity_check').pluck().get()).toBe('ok');
      expect(db.prepare(`SELECT status, count(*) AS n FROM calcs GROUP BY status`).all()).toEqual([
        { status: 'succeeded', n: CALCS },
      ]);
      expect(
        db
          .prepare(
            `SELECT calc_key, count(*) AS n FROM attempts WHERE status = 'succeeded'
               GROUP BY calc_key HAVING n > 1`,
          )
          .all(),
      ).toEqual([]);
      expect(
        db
          .prepare(`SELECT count(DISTINCT calc_key) FROM attempts WHERE status = 'succeeded'`)
          .pluck()
          .get(),
      ).toBe(CALCS);
      // No attempt is left in flight.
      expect(
        db
          .prepare(`SELECT count(*) FROM attempts WHERE status IN ('submitted', 'running')`)
          .pluck()
          .get(),
      ).toBe(0);
      // Three runs: the two killed ones closed by their successor, and the last, complete.
      const runs = db.prepare('SELECT pid, state FROM runs ORDER BY started_at').all() as {
        pid: number;
        state: string;
      }[];
      expect(runs.map((r) => r.pid)).toEqual([...killedPids, expect.any(Number)]);
      expect(runs.map((r) => r.state)).toEqual(['failed', 'failed', 'complete']);
    });
    const status = readStatusJson(dir);
    expect(status?.state).toBe('complete');
    expect(status?.totals.running).toBe(0);
    // Each calc counted once: the re-adopted ones as run, not also as from the store.
    expect(status?.totals).toMatchObject({ total: CALCS, completed: CALCS, failed: 0 });
    expect((status?.totals.succeeded ?? 0) + (status?.totals.cached ?? 0)).toBe(CALCS);
    expect(last.stdout).toMatch(/complete in .*, 0 failed, 0 not run/);
    expect(liveProcessesMatching(dir)).toEqual([]);

    // And once more: everything from the store, nothing executed.
    const again = runCli(args, { cwd: dir });
    expect(again.status, again.stderr).toBe(0);
    expect(fileLines(log)).toHaveLength(CALCS);
  }, 300_000);
});
