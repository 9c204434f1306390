import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupTempDirs,
  commandLines,
  liveProcessesMatching,
  runCli,
  startCli,
  tempCampaign,
  tempDir,
  waitFor,
  withStore,
} from '../helpers/cli.js';
import { seedCampaign } from '../helpers/seed-campaign.js';

afterEach(async () => {
  expect(await cleanupTempDirs()).toEqual([]);
});

interface CalcState {
  readonly key: string;
  readonly label: string;
  readonly status: string;
  readonly failure_class: string | null;
  readonly attempts: number;
}

function calcs(dir: string): Record<string, CalcState> {
  return withStore(dir, (db) =>
    Object.fromEntries(
      (
        db
          .prepare('SELECT key, label, status, failure_class, attempts FROM calcs')
          .all() as CalcState[]
      ).map((c) => [c.label, c]),
    ),
  );
}

/** A calc that sleeps `seconds`, a marker in its argv (to find its process), keyed by its label. */
function sleeper(label: string, seconds: number, marker: string) {
  return {
    label,
    argv: ['sh', '-c', `sleep ${seconds}; echo done`, marker, label],
    walltime_s: 600,
  };
}

describe('retort cancel', () => {
  it('kills a running calc and keeps a queued one from starting; the others finish', async () => {
    const dir = tempCampaign();
    const marker = `cancel-live-${process.pid}-${Date.now()}`;
    writeFileSync(
      join(dir, 'calcs.jsonl'),
      commandLines([
        sleeper('long', 300, marker),
        sleeper('next', 300, marker),
        sleeper('short', 1, marker),
      ]),
    );
    const run = startCli(['run', 'calcs.jsonl', '--workers', '1', '--headless'], { cwd: dir });
    await waitFor('the long calc to run', () =>
      calcs(dir).long?.status === 'running' ? true : undefined,
    );
    const { long, next } = calcs(dir);
    if (long === undefined || next === undefined) throw new Error('calcs missing');
    const r = runCli(['cancel', long.key.slice(0, 10), next.key.slice(0, 10)], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`long: cancel requested; runner pid ${run.pid} kills it`);
    expect(r.stdout).toContain(`next: cancel requested; runner pid ${run.pid} will not start it`);
    const done = await run.exit;
    // Two calcs failed (cancelled): the run says so in its exit status.
    expect(done.status).toBe(1);
    const after = calcs(dir);
    expect(after.long).toMatchObject({ status: 'failed', failure_class: 'cancelled', attempts: 1 });
    expect(after.next).toMatchObject({ status: 'failed', failure_class: 'cancelled', attempts: 0 });
    expect(after.short).toMatchObject({ status: 'succeeded' });
    expect(liveProcessesMatching(marker)).toEqual([]);
    expect(readdirSync(join(dir, 'cancel'))).toEqual([]);

    // A resume does not run a cancelled calc again; --retry-failed does.
    const again = runCli(['run', 'calcs.jsonl', '--json'], { cwd: dir });
    const lines = JSON.parse(again.stdout) as {
      label: string;
      status: string;
      failure?: { class: string };
    }[];
    expect(lines.find((l) => l.label === 'next')).toMatchObject({
      status: 'failed',
      failure: { class: 'cancelled' },
    });
    expect(calcs(dir).next?.attempts).toBe(0);
  }, 120_000);

  it('cancels a calc left running by a runner killed with SIGKILL when the next run re-adopts it', async () => {
    const dir = tempCampaign();
    const marker = `cancel-kill9-${process.pid}-${Date.now()}`;
    writeFileSync(
      join(dir, 'calcs.jsonl'),
      commandLines([sleeper('long', 300, marker), sleeper('short', 1, marker)]),
    );
    const first = startCli(['run', 'calcs.jsonl', '--workers', '1', '--headless'], { cwd: dir });
    await waitFor('the long calc to run', () =>
      calcs(dir).long?.status === 'running' ? true : undefined,
    );
    first.child.kill('SIGKILL');
    await first.exit;
    // The calc's process outlives its runner.
    expect(liveProcessesMatching(marker).length).toBeGreaterThan(0);
    const { long } = calcs(dir);
    if (long === undefined) throw new Error('calc missing');
    const r = runCli(['cancel', long.key], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('long: left running by a runner that ended');
    expect(existsSync(join(dir, 'cancel', long.key))).toBe(true);
    const second = runCli(['run', 'calcs.jsonl', '--headless'], { cwd: dir });
    expect(second.status).toBe(1);
    const after = calcs(dir);
    expect(after.long).toMatchObject({ status: 'failed', failure_class: 'cancelled', attempts: 1 });
    expect(after.short).toMatchObject({ status: 'succeeded' });
    expect(liveProcessesMatching(marker)).toEqual([]);
    expect(existsSync(join(dir, 'cancel', long.key))).toBe(false);
  }, 120_000);

  it('marks a queued calc cancelled at once when no runner is alive, and refuses unknown or ambiguous prefixes', () => {
    const dir = tempDir();
    const key = (head: string): string => head.padEnd(64, '0');
    seedCampaign(dir, [
      { key: key('ab1'), program: 'xtb', label: 'one', state: 'queued' },
      { key: key('ab2'), program: 'xtb', label: 'two', state: 'queued' },
      { key: key('cd'), program: 'xtb', label: 'done', state: 'succeeded' },
    ]).close();
    const ambiguous = runCli(['cancel', 'ab'], { cwd: dir });
    expect(ambiguous.status).toBe(2);
    expect(ambiguous.stderr).toMatch(/calc key ab: ambiguous: ab10+… and ab20+… \(at least\)/);
    const unknown = runCli(['cancel', 'ef'], { cwd: dir });
    expect(unknown.stderr).toContain('calc key ef: no calc key starts with it');
    const notHex = runCli(['cancel', 'ab1', 'xyz'], { cwd: dir });
    expect(notHex.stderr).toContain('calc key xyz: expected a calc key');
    // Nothing was done for the valid prefix given with a bad one.
    expect(calcs(dir).one?.status).toBe('queued');

    const ok = runCli(['cancel', 'AB1', 'cd'], { cwd: dir });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toBe(
      'one: cancelled (it was queued; no runner is running)\ndone: already succeeded; nothing to cancel\n',
    );
    expect(calcs(dir)).toMatchObject({
      one: { status: 'failed', failure_class: 'cancelled', attempts: 0 },
      two: { status: 'queued' },
      done: { status: 'succeeded' },
    });
    expect(existsSync(join(dir, 'retort.lock'))).toBe(false);
  });
});
