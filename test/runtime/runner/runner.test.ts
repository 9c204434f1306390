import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Atom } from '../../../src/chem/molecule.js';
import { CampaignError } from '../../../src/core/errors.js';
import type { CalcSpec } from '../../../src/core/calc-spec.js';
import { LocalExecutor } from '../../../src/executors/local/local-executor.js';
import { initCampaign, openCampaign, type Campaign } from '../../../src/runtime/campaign.js';
import { readStatusFile } from '../../../src/runtime/control/status-file.js';
import { Runner, type RunnerOptions } from '../../../src/runtime/runner/runner.js';
import { hasProgram } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { recordSubmittedByDeadRun } from './dead-run.js';

let tmp: ReturnType<typeof tempDir>;
let campaign: Campaign;

beforeEach(() => {
  tmp = tempDir();
  initCampaign(join(tmp.dir, 'c'));
  campaign = openCampaign(join(tmp.dir, 'c'));
});

afterEach(() => {
  campaign.close();
  tmp.remove();
});

/** A command calc that appends its id to a log (one line per real execution), then runs `script`. */
function cmd(id: string, script = 'true', walltime_s = 30): CalcSpec {
  const log = join(tmp.dir, 'executions.log');
  return {
    program: 'command',
    task: 'run',
    command: { argv: ['sh', '-c', `echo "$1" >> "$2"; ${script}`, 'calc', id, log] },
    resources: { cores: 1, walltime_s },
    label: id,
  };
}

function executions(): string[] {
  const log = join(tmp.dir, 'executions.log');
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
}

async function start(options: Partial<RunnerOptions> = {}): Promise<Runner> {
  return Runner.start({
    campaign,
    executor: new LocalExecutor({ slots: 2, killGraceMs: 300 }),
    workers: 2,
    command: ['retort', 'test'],
    failureThreshold: 5,
    retries: 1,
    retryFailed: false,
    stopPollMs: 50,
    backoff: { base_s: 0.1, max_s: 1, jitter: 0 },
    ...options,
  });
}

describe('Runner', () => {
  it('runs requested calcs, records them and ends complete', async () => {
    const runner = await start();
    const results = await Promise.all(['a', 'b', 'c'].map((id) => runner.request(cmd(id))));
    const summary = await runner.finish();
    expect(results.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(summary.state).toBe('complete');
    expect(summary.totals).toMatchObject({
      total: 3,
      succeeded: 3,
      completed: 3,
      failed: 0,
      cached: 0,
    });
    expect(campaign.calcs.counts().succeeded).toBe(3);
    expect(readStatusFile(campaign.paths.status)?.state).toBe('complete');
    expect(campaign.runs.get(summary.runId)?.endedAt).not.toBeNull();
  });

  it('answers a known calc from the store without running it again', async () => {
    let runner = await start();
    await runner.request(cmd('a'));
    await runner.finish();
    runner = await start();
    const again = await runner.request(cmd('a'));
    const summary = await runner.finish();
    expect(again).toMatchObject({ status: 'succeeded', cached: true });
    expect(summary.totals.cached).toBe(1);
    expect(executions()).toEqual(['a']);
  });

  it('gives the wall seconds of the attempt with a result, whether run now or from the store', async () => {
    let runner = await start();
    const first = await runner.request(cmd('a'));
    await runner.finish();
    runner = await start();
    const again = await runner.request(cmd('a'));
    await runner.finish();
    const attempt = campaign.calcs.latestAttempt(first.key);
    expect(attempt?.durationS).toBeTypeOf('number');
    expect(first).toMatchObject({ status: 'succeeded', durationS: attempt?.durationS });
    expect(again).toMatchObject({
      status: 'succeeded',
      cached: true,
      durationS: attempt?.durationS,
    });
  });

  it('runs a calc requested twice in one run once', async () => {
    const runner = await start();
    const [one, two] = await Promise.all([
      runner.request(cmd('a', 'sleep 0.2')),
      runner.request(cmd('a', 'sleep 0.2')),
    ]);
    await runner.finish();
    expect(one.status).toBe('succeeded');
    expect(two.status).toBe('succeeded');
    expect(executions()).toEqual(['a']);
  });

  it('never has more calcs running than workers', async () => {
    const runner = await start({ workers: 2 });
    let most = 0;
    const timer = setInterval(() => {
      most = Math.max(most, readStatusFile(campaign.paths.status)?.totals.running ?? 0);
    }, 20);
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => runner.request(cmd(id, 'sleep 0.3'))));
    await runner.finish();
    clearInterval(timer);
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(2);
  });

  it('records a failure with its class and does not retry what a retry cannot fix', async () => {
    const runner = await start();
    const result = await runner.request(cmd('bad', 'exit 3'));
    await runner.finish();
    expect(result).toMatchObject({ status: 'failed', failure: { class: 'exit_nonzero' } });
    expect(executions()).toEqual(['bad']);
    const status = readStatusFile(campaign.paths.status);
    expect(status?.recent_failures[0]).toMatchObject({ label: 'bad', class: 'exit_nonzero' });
  });

  it('retries a calc killed by a signal once, then records the failure', async () => {
    const runner = await start({ retries: 1 });
    const result = await runner.request(cmd('k', 'kill -KILL $$'));
    await runner.finish();
    expect(result).toMatchObject({ status: 'failed', failure: { class: 'killed' } });
    expect(executions()).toEqual(['k', 'k']);
    expect(campaign.calcs.get(result.key)?.attempts).toBe(2);
  });

  it('stops a calc at its walltime and records a timeout', async () => {
    const runner = await start();
    const result = await runner.request(cmd('slow', 'sleep 30', 1));
    await runner.finish();
    expect(result).toMatchObject({ status: 'failed', failure: { class: 'timeout' } });
  });

  it('runs a timed-out calc again only when it is asked for with more walltime', async () => {
    let runner = await start();
    const first = await runner.request(cmd('slow', 'sleep 1.5', 1));
    await runner.finish();
    expect(first).toMatchObject({ status: 'failed', failure: { class: 'timeout' } });

    runner = await start();
    const same = await runner.request(cmd('slow', 'sleep 1.5', 1));
    const longer = await runner.request(cmd('slow', 'sleep 1.5', 10));
    await runner.finish();
    expect(same).toMatchObject({ status: 'failed', cached: true });
    expect(longer).toMatchObject({ status: 'succeeded', cached: false });
    expect(executions()).toEqual(['slow', 'slow']);
  });

  it('pauses after the failure threshold and leaves the rest queued', async () => {
    const runner = await start({ workers: 1, failureThreshold: 2 });
    const requests = ['f1', 'f2', 'f3', 'f4'].map((id) => runner.request(cmd(id, 'exit 1')));
    const summary = await runner.finish();
    const results = await Promise.all(requests);
    expect(summary.state).toBe('paused');
    expect(summary.message).toMatch(/2 items failed/);
    expect(results.filter((r) => r.status === 'failed')).toHaveLength(2);
    expect(results.filter((r) => r.status === 'not_run')).toHaveLength(2);
    expect(campaign.calcs.counts().queued).toBe(2);
  });

  it('drains on a STOP file: running calcs finish, nothing new starts, the file is removed', async () => {
    const runner = await start({ workers: 1 });
    const results = ['s1', 's2', 's3'].map((id) => runner.request(cmd(id, 'sleep 0.4')));
    writeFileSync(campaign.paths.stop, 'test\n');
    const summary = await runner.finish();
    const settled = await Promise.all(results);
    expect(summary.state).toBe('stopped');
    expect(settled[0]?.status).toBe('succeeded');
    expect(settled.slice(1).map((r) => r.status)).toEqual(['not_run', 'not_run']);
    expect(existsSync(campaign.paths.stop)).toBe(false);
    expect(executions()).toEqual(['s1']);
  });

  it('ends stopped, not complete, when a STOP left a pipeline with items it never asked for', async () => {
    const runner = await start({ workers: 1 });
    const only = runner.request(cmd('p1', 'sleep 0.4'));
    writeFileSync(campaign.paths.stop, 'test\n');
    expect((await only).status).toBe('succeeded');
    // The pipeline asks for nothing more once the run is not running, and says so.
    expect(runner.currentState).toBe('stopping');
    runner.workLeft();
    const summary = await runner.finish();
    expect(summary.state).toBe('stopped');
    expect(readStatusFile(campaign.paths.status)?.state).toBe('stopped');
  });

  it('kills running calcs on a hard stop and returns them to the queue, to run again next time', async () => {
    let runner = await start();
    const pending = runner.request(cmd('long', 'sleep 30'));
    while (readStatusFile(campaign.paths.status)?.totals.running !== 1) await sleep(20);
    runner.kill('test');
    const summary = await runner.finish();
    expect(summary.state).toBe('stopped');
    expect((await pending).status).toBe('not_run');
    const key = (await pending).key;
    expect(campaign.calcs.get(key)?.status).toBe('queued');
    expect(campaign.calcs.attempt(key, 1)?.status).toBe('returned');

    runner = await start();
    const quick = { ...cmd('long', 'sleep 30'), resources: { cores: 1, walltime_s: 1 } };
    const again = await runner.request(quick);
    await runner.finish();
    expect(again.key).toBe(key);
    expect(campaign.calcs.get(key)?.attempts).toBe(2);
  });

  it('re-adopts a calc left running by a runner that vanished, and records its result once', async () => {
    // What a runner killed by SIGKILL leaves behind: a run without an end, a calc recorded as
    // running with its handle, and its process still alive in its own process group.
    const spec = cmd('adopt-me', 'sleep 0.8');
    const { key, attempt, workdir, job } = recordSubmittedByDeadRun(campaign, spec);
    const orphanExecutor = new LocalExecutor({ slots: 1, killGraceMs: 300 });
    const running = await orphanExecutor.submit({ key, attempt, workdir, job });
    campaign.calcs.started(key, attempt, running.handle, new Date().toISOString());
    await orphanExecutor.close();

    const runner = await start();
    const result = await runner.request(spec);
    const summary = await runner.finish();
    expect(result).toMatchObject({ status: 'succeeded', cached: false });
    expect(summary.state).toBe('complete');
    expect(executions()).toEqual(['adopt-me']);
    expect(campaign.calcs.get(key)?.attempts).toBe(1);
    expect(campaign.runs.get('dead-run')?.state).toBe('failed');
  });

  it('submits again a calc whose recorded submission never started a process', async () => {
    const spec = cmd('never-started');
    const { key } = recordSubmittedByDeadRun(campaign, spec);

    const runner = await start();
    const result = await runner.request(spec);
    await runner.finish();
    expect(result.status).toBe('succeeded');
    expect(campaign.calcs.attempt(key, 1)?.status).toBe('returned');
    expect(campaign.calcs.get(key)?.attempts).toBe(2);
    expect(executions()).toEqual(['never-started']);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('Runner totals', () => {
  it('counts a re-adopted calc that is then asked for once, as run (not also as cached)', async () => {
    const spec = cmd('adopted', 'true');
    const { key, attempt, workdir, job } = recordSubmittedByDeadRun(campaign, spec);
    const orphanExecutor = new LocalExecutor({ slots: 1, killGraceMs: 300 });
    const running = await orphanExecutor.submit({ key, attempt, workdir, job });
    campaign.calcs.started(key, attempt, running.handle, new Date().toISOString());
    await running.exit;
    await orphanExecutor.close();

    const events: { outcome: string; done: number; total: number }[] = [];
    const runner = await start({
      observer: { calcFinished: (e) => events.push(e) },
    });
    // The adopted calc is recorded before it is asked for.
    while (campaign.calcs.get(key)?.status !== 'succeeded') await sleep(20);
    const result = await runner.request(spec);
    const other = await runner.request(cmd('other'));
    const summary = await runner.finish();
    expect(result).toMatchObject({ status: 'succeeded' });
    expect(other).toMatchObject({ status: 'succeeded', cached: false });
    expect(summary.totals).toMatchObject({
      total: 2,
      completed: 2,
      succeeded: 2,
      cached: 0,
      failed: 0,
      queued: 0,
    });
    expect(readStatusFile(campaign.paths.status)?.totals).toEqual(summary.totals);
    expect(events.map((e) => [e.outcome, e.done, e.total])).toEqual([
      ['succeeded', 1, 1],
      ['succeeded', 2, 2],
    ]);
  });

  it('counts a calc that failed in an earlier run as failed, once however often it is asked for', async () => {
    let runner = await start();
    await runner.request(cmd('bad', 'exit 3'));
    await runner.finish();

    runner = await start();
    const first = await runner.request(cmd('bad', 'exit 3'));
    const second = await runner.request(cmd('bad', 'exit 3'));
    const summary = await runner.finish();
    expect(first).toMatchObject({ status: 'failed', cached: true });
    expect(second).toMatchObject({ status: 'failed', cached: true });
    expect(summary.totals).toMatchObject({
      total: 1,
      completed: 1,
      failed: 1,
      failed_earlier: 1,
      cached: 0,
      succeeded: 0,
    });
    expect(executions()).toEqual(['bad']);
  });
});

describe('Runner on a campaign whose files cannot be written', () => {
  it('ends the run failed with one line naming the file, and the next run does the work', async () => {
    // status.json cannot be replaced: a directory stands in its way.
    mkdirSync(join(campaign.paths.status, 'in-the-way'), { recursive: true });
    let runner = await start();
    const result = await runner.request(cmd('a'));
    const summary = await runner.finish();
    expect(result.status).toBe('not_run');
    expect(summary.state).toBe('failed');
    expect(summary.message).toMatch(/^cannot write .*status\.json.*; .*run the same command again/);
    expect(summary.message).not.toContain('\n');
    expect(campaign.runs.get(summary.runId)?.state).toBe('failed');
    expect(executions()).toEqual([]);

    rmSync(campaign.paths.status, { recursive: true });
    runner = await start();
    const again = await runner.request(cmd('a'));
    expect((await runner.finish()).state).toBe('complete');
    expect(again).toMatchObject({ status: 'succeeded', cached: false });
    expect(executions()).toEqual(['a']);
  });
});

describe('Runner on a store that refuses writes', () => {
  /** Makes the store refuse `when` (an SQL trigger, through a second connection). */
  function refuse(trigger: string): () => void {
    const db = new Database(campaign.paths.db);
    db.exec(
      `CREATE TRIGGER refuse ${trigger} BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END`,
    );
    return () => {
      db.exec('DROP TRIGGER refuse');
      db.close();
    };
  }

  it('refuses to start with one line naming the store', async () => {
    const heal = refuse('BEFORE INSERT ON runs');
    await expect(start()).rejects.toThrow(
      new RegExp(`^the store ${campaign.paths.db} failed: database or disk is full`),
    );
    await expect(start()).rejects.toBeInstanceOf(CampaignError);
    heal();
  });

  it('ends the run failed when an outcome cannot be recorded; the next run re-adopts the calc without running it again', async () => {
    const heal = refuse("BEFORE UPDATE OF status ON calcs WHEN NEW.status = 'succeeded'");
    let runner = await start();
    const result = await runner.request(cmd('a', 'sleep 0.2'));
    const summary = await runner.finish();
    expect(result.status).toBe('not_run');
    expect(summary.state).toBe('failed');
    expect(summary.message).toMatch(/^the store .* failed: database or disk is full/);
    expect(campaign.calcs.get(result.key)?.status).toBe('running');
    heal();

    runner = await start();
    const again = await runner.request(cmd('a', 'sleep 0.2'));
    expect((await runner.finish()).state).toBe('complete');
    expect(again.status).toBe('succeeded');
    expect(executions()).toEqual(['a']);
    expect(campaign.calcs.get(result.key)?.attempts).toBe(1);
  });
});

describe('Runner order', () => {
  const methane: Atom[] = [
    { element: 'C', x: 0, y: 0, z: 0 },
    { element: 'H', x: 0.629, y: 0.629, z: 0.629 },
    { element: 'H', x: -0.629, y: -0.629, z: 0.629 },
    { element: 'H', x: -0.629, y: 0.629, z: -0.629 },
    { element: 'H', x: 0.629, y: -0.629, z: -0.629 },
  ];
  const ethane: Atom[] = [
    { element: 'C', x: 0, y: 0, z: 0.765 },
    { element: 'C', x: 0, y: 0, z: -0.765 },
    { element: 'H', x: 1.017, y: 0, z: 1.155 },
    { element: 'H', x: -0.508, y: 0.881, z: 1.155 },
    { element: 'H', x: -0.508, y: -0.881, z: 1.155 },
    { element: 'H', x: -1.017, y: 0, z: -1.155 },
    { element: 'H', x: 0.508, y: -0.881, z: -1.155 },
    { element: 'H', x: 0.508, y: 0.881, z: -1.155 },
  ];
  const benzene: Atom[] = Array.from({ length: 6 }, (_, i) => {
    const a = (i * Math.PI) / 3;
    return [
      { element: 'C', x: 1.39 * Math.cos(a), y: 1.39 * Math.sin(a), z: 0 },
      { element: 'H', x: 2.47 * Math.cos(a), y: 2.47 * Math.sin(a), z: 0 },
    ];
  }).flat();
  const xtb = (label: string, atoms: Atom[]): CalcSpec => ({
    program: 'xtb',
    task: 'energy',
    method: 'GFN2',
    molecule: { atoms, charge: 0, multiplicity: 1 },
    resources: { cores: 1, walltime_s: 120 },
    label,
  });

  it.skipIf(!hasProgram('xtb'))(
    'starts calcs asked for together by priority, then the longest predicted first',
    async () => {
      const runner = await start({ workers: 1 });
      const requests = [
        runner.request(xtb('methane', methane)),
        runner.request(xtb('benzene', benzene)),
        runner.request(xtb('ethane', ethane)),
        runner.request(cmd('urgent'), undefined, { priority: 5 }),
      ];
      const results = await Promise.all(requests);
      await runner.finish();
      expect(results.map((r) => r.status)).toEqual([
        'succeeded',
        'succeeded',
        'succeeded',
        'succeeded',
      ]);
      const order = results
        .map((r) => ({
          label: campaign.calcs.get(r.key)?.label,
          at: campaign.calcs.attempt(r.key, 1)?.submittedAt ?? '',
          predicted: campaign.calcs.attempt(r.key, 1)?.predictedS,
        }))
        .sort((a, b) => a.at.localeCompare(b.at));
      expect(order.map((o) => o.label)).toEqual(['urgent', 'benzene', 'ethane', 'methane']);
      // Each attempt records the prediction it was ordered by.
      expect(order.every((o) => typeof o.predicted === 'number' && o.predicted > 0)).toBe(true);
    },
  );
});
