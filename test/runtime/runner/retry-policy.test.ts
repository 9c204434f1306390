import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CalcSpec } from '../../../src/core/calc-spec.js';
import { lostExit } from '../../../src/executors/calc-dir/job-exit.js';
import type { Executor } from '../../../src/executors/executor.js';
import { LocalExecutor } from '../../../src/executors/local/local-executor.js';
import { initCampaign, openCampaign, type Campaign } from '../../../src/runtime/campaign.js';
import { RetryPolicy, type RetryBackoff } from '../../../src/runtime/runner/retry-policy.js';
import { Runner } from '../../../src/runtime/runner/runner.js';
import { tempDir } from '../../helpers/temp-dir.js';

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

function cmd(id: string, script = 'true'): CalcSpec {
  return {
    program: 'command',
    task: 'run',
    command: { argv: ['sh', '-c', `${script}; echo "$1"`, 'calc', id] },
    resources: { cores: 1, walltime_s: 30 },
    label: id,
  };
}

/**
 * Fault injection: a local executor that loses track of the first `times` attempts of every
 * calc (the process runs, but its end is reported as `lost`, as after a node failure).
 */
function losing(times: number): Executor {
  const local = new LocalExecutor({ slots: 2, killGraceMs: 300 });
  const lost = new Map<string, number>();
  return {
    name: 'local',
    slots: local.slots,
    submit: async (job) => {
      const running = await local.submit(job);
      const n = lost.get(job.key) ?? 0;
      if (n >= times) return running;
      lost.set(job.key, n + 1);
      return {
        handle: running.handle,
        exit: running.exit.then((e) =>
          lostExit('the node went away (fault injection)', e.startedAt, e.endedAt),
        ),
      };
    },
    adopt: (job, handle) => local.adopt(job, handle),
    cancel: (handle, how) => local.cancel(handle, how),
    collect: (job, exit) => local.collect(job, exit),
    probe: (argv) => local.probe(argv),
    check: (programs, report) => local.check(programs, report),
    close: () => local.close(),
  };
}

function start(executor: Executor, backoff: RetryBackoff, retries: number, workers = 2) {
  return Runner.start({
    campaign,
    executor,
    workers,
    command: ['retort', 'test'],
    failureThreshold: 0,
    retries,
    retryFailed: false,
    stopPollMs: 50,
    backoff,
  });
}

interface LoggedEvent {
  readonly event: string;
  readonly key?: string;
  readonly retry?: number;
  readonly delay_s?: number;
  readonly not_before?: string;
  readonly level: string;
}

function events(runId: string): LoggedEvent[] {
  return readFileSync(join(campaign.paths.logs, `${runId}.jsonl`), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as LoggedEvent);
}

function ms(iso: string | null | undefined): number {
  return Date.parse(iso ?? '');
}

describe('RetryPolicy.delayS', () => {
  it('doubles from the base, stops at the cap and stays within the jitter', () => {
    const exact = new RetryPolicy(5, false, { base_s: 10, max_s: 600, jitter: 0 });
    expect([1, 2, 3, 4, 7, 8].map((n) => exact.delayS(n))).toEqual([10, 20, 40, 80, 600, 600]);
    const low = new RetryPolicy(5, false, { base_s: 10, max_s: 600, jitter: 0.2 }, () => 0);
    const high = new RetryPolicy(5, false, { base_s: 10, max_s: 600, jitter: 0.2 }, () => 0.999999);
    expect(low.delayS(2)).toBeCloseTo(16, 9);
    expect(high.delayS(2)).toBeCloseTo(24, 4);
    const random = new RetryPolicy(5, false, { base_s: 10, max_s: 600, jitter: 0.2 });
    for (let i = 0; i < 200; i++) {
      const d = random.delayS(3);
      expect(d).toBeGreaterThanOrEqual(32);
      expect(d).toBeLessThanOrEqual(48);
    }
  });
});

describe('retry backoff in a run', () => {
  it('a lost calc waits by the backoff before each retry, doubling it, and the waits are recorded', async () => {
    const runner = await start(losing(2), { base_s: 0.6, max_s: 60, jitter: 0 }, 2);
    const result = await runner.request(cmd('lost-twice'));
    const summary = await runner.finish();
    expect(result.status).toBe('succeeded');
    const a1 = campaign.calcs.attempt(result.key, 1);
    const a2 = campaign.calcs.attempt(result.key, 2);
    const a3 = campaign.calcs.attempt(result.key, 3);
    expect(a1?.failure?.class).toBe('lost');
    expect(a2?.failure?.class).toBe('lost');
    expect(a3?.status).toBe('succeeded');
    const retries = events(summary.runId).filter((e) => e.event === 'retry_scheduled');
    expect(retries.map((e) => [e.retry, e.delay_s])).toEqual([
      [1, 0.6],
      [2, 1.2],
    ]);
    // Each next attempt was handed over no earlier than its recorded not-before time, which is
    // the failure's end plus the delay.
    expect(ms(a2?.submittedAt)).toBeGreaterThanOrEqual(ms(retries[0]?.not_before));
    expect(ms(a3?.submittedAt)).toBeGreaterThanOrEqual(ms(retries[1]?.not_before));
    expect(ms(retries[0]?.not_before) - ms(a1?.endedAt)).toBeGreaterThanOrEqual(600);
    expect(ms(retries[1]?.not_before) - ms(a2?.endedAt)).toBeGreaterThanOrEqual(1200);
  });

  it('does not hold a worker while a calc waits for its retry', async () => {
    const runner = await start(losing(1), { base_s: 1.5, max_s: 60, jitter: 0 }, 1, 1);
    const first = runner.request(cmd('lost-once'));
    await sleep(50);
    const other = await runner.request(cmd('quick', 'sleep 0.1'));
    const lostOnce = await first;
    await runner.finish();
    expect(lostOnce.status).toBe('succeeded');
    const retried = campaign.calcs.attempt(lostOnce.key, 2);
    const quick = campaign.calcs.attempt(other.key, 1);
    // Only one worker: the quick calc ran during the backoff, before the retry.
    expect(ms(quick?.endedAt)).toBeLessThanOrEqual(ms(retried?.submittedAt));
  });

  it('keeps to a backoff recorded by a runner that stopped, after a restart', async () => {
    let runner = await start(losing(1), { base_s: 1.5, max_s: 60, jitter: 0 }, 1);
    const pending = runner.request(cmd('lost-then-stopped'));
    const id = runner.runId;
    while (!events(id).some((e) => e.event === 'retry_scheduled')) await sleep(20);
    runner.stop('test');
    await runner.finish();
    const key = (await pending).key;
    const notBefore = campaign.calcs.get(key)?.retryNotBefore;
    expect(notBefore).not.toBeNull();
    expect(campaign.calcs.waitingRetries(new Date().toISOString()).map((w) => w.key)).toEqual([
      key,
    ]);

    runner = await start(losing(0), { base_s: 1.5, max_s: 60, jitter: 0 }, 1);
    const again = await runner.request(cmd('lost-then-stopped'));
    await runner.finish();
    expect(again.status).toBe('succeeded');
    expect(ms(campaign.calcs.attempt(key, 2)?.submittedAt)).toBeGreaterThanOrEqual(ms(notBefore));
    expect(campaign.calcs.get(key)?.retryNotBefore).toBeNull();
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
