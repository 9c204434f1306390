import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CalcSpec } from '../../../src/core/calc-spec.js';
import { ExecutorUnavailableError, InfrastructureError } from '../../../src/core/errors.js';
import type { Executor } from '../../../src/executors/executor.js';
import { LocalExecutor } from '../../../src/executors/local/local-executor.js';
import { initCampaign, openCampaign, type Campaign } from '../../../src/runtime/campaign.js';
import { readStatusFile } from '../../../src/runtime/control/status-file.js';
import { Runner } from '../../../src/runtime/runner/runner.js';
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

function cmd(id: string): CalcSpec {
  const log = join(tmp.dir, 'executions.log');
  return {
    program: 'command',
    task: 'run',
    command: { argv: ['sh', '-c', 'echo "$1" >> "$2"', 'calc', id, log] },
    resources: { cores: 1, walltime_s: 30 },
    label: id,
  };
}

function executions(): string[] {
  const log = join(tmp.dir, 'executions.log');
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
}

/** A local executor named `name` whose `method` throws `error`. */
function broken(name: string, method: 'submit' | 'collect' | 'adopt', error: Error): Executor {
  const local = new LocalExecutor({ slots: 2, killGraceMs: 300 });
  return {
    name,
    slots: local.slots,
    submit: (job) => (method === 'submit' ? Promise.reject(error) : local.submit(job)),
    adopt: (job, handle) => (method === 'adopt' ? Promise.reject(error) : local.adopt(job, handle)),
    cancel: (handle, how) => local.cancel(handle, how),
    collect: (job, exit) =>
      method === 'collect' ? Promise.reject(error) : local.collect(job, exit),
    probe: (argv) => local.probe(argv),
    check: (programs, report) => local.check(programs, report),
    close: () => local.close(),
  };
}

function start(executor: Executor): Promise<Runner> {
  return Runner.start({
    campaign,
    executor,
    workers: 2,
    command: ['retort', 'test'],
    failureThreshold: 5,
    retries: 1,
    retryFailed: false,
    stopPollMs: 50,
  });
}

describe('an executor that throws', () => {
  it('pauses the run with its one line and returns the calcs to the queue; after the fix they run', async () => {
    const unavailable = new ExecutorUnavailableError(
      'ssh:dev',
      'the host key of 127.0.0.1:2331 has changed',
      'if the change is expected, replace its line in known_hosts',
      { retryable: false },
    );
    let runner = await start(broken('ssh:dev', 'submit', unavailable));
    const results = await Promise.all(['a', 'b', 'c'].map((id) => runner.request(cmd(id))));
    const summary = await runner.finish();
    expect(summary.state).toBe('paused');
    expect(summary.message).toBe(unavailable.message);
    expect(results.map((r) => r.status)).toEqual(['not_run', 'not_run', 'not_run']);
    expect(summary.totals).toMatchObject({ total: 3, completed: 0, failed: 0, queued: 3 });
    expect(campaign.calcs.counts()).toMatchObject({ queued: 3, failed: 0 });
    const key = results[0]?.key ?? '';
    expect(campaign.calcs.attempt(key, 1)).toMatchObject({ status: 'returned', failure: null });
    expect(campaign.runs.get(summary.runId)).toMatchObject({
      state: 'paused',
      message: unavailable.message,
    });
    expect(readStatusFile(campaign.paths.status)?.message).toBe(unavailable.message);
    expect(executions()).toEqual([]);

    // The host is fixed: the same calcs run, none answers "failed earlier".
    runner = await start(new LocalExecutor({ slots: 2, killGraceMs: 300 }));
    const again = await Promise.all(['a', 'b', 'c'].map((id) => runner.request(cmd(id))));
    const second = await runner.finish();
    expect(again.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(again.every((r) => r.status === 'succeeded' && !r.cached)).toBe(true);
    expect(second.state).toBe('complete');
    expect(executions().sort()).toEqual(['a', 'b', 'c']);
  });

  it('names the executor when its error is not an ExecutorUnavailableError', async () => {
    const runner = await start(
      broken('slurm:hpc', 'submit', new InfrastructureError('sbatch: command not found')),
    );
    const result = await runner.request(cmd('a'));
    const summary = await runner.finish();
    expect(result.status).toBe('not_run');
    expect(summary.state).toBe('paused');
    expect(summary.message).toMatch(/^executor slurm:hpc failed: sbatch: command not found; /);
    expect(summary.message).not.toContain('\n');
    expect(campaign.calcs.get(result.key)?.status).toBe('queued');
  });

  it('gives a calc whose outputs cannot be collected back to the queue, not as lost', async () => {
    const runner = await start(
      broken('ssh:dev', 'collect', new ExecutorUnavailableError('ssh:dev', 'unreachable', 'wait')),
    );
    const result = await runner.request(cmd('a'));
    const summary = await runner.finish();
    expect(result.status).toBe('not_run');
    expect(summary).toMatchObject({ state: 'paused', message: 'ssh:dev: unreachable; wait' });
    expect(campaign.calcs.get(result.key)).toMatchObject({ status: 'queued', failure: null });
    expect(campaign.calcs.attempt(result.key, 1)?.status).toBe('returned');
  });

  it('leaves a calc it cannot re-adopt in flight (never submitted twice) and pauses; a later run adopts it', async () => {
    const spec = cmd('left');
    const { key } = recordSubmittedByDeadRun(campaign, spec);

    let runner = await start(
      broken('local', 'adopt', new ExecutorUnavailableError('local', 'no answer', 'wait')),
    );
    expect(runner.currentState).toBe('paused');
    const result = await runner.request(spec);
    const summary = await runner.finish();
    expect(result.status).toBe('not_run');
    expect(summary).toMatchObject({ state: 'paused', message: 'local: no answer; wait' });
    expect(campaign.calcs.get(key)?.status).toBe('submitted');

    runner = await start(new LocalExecutor({ slots: 1, killGraceMs: 300 }));
    const again = await runner.request(spec);
    expect((await runner.finish()).state).toBe('complete');
    expect(again).toMatchObject({ status: 'succeeded', cached: false });
    expect(executions()).toEqual(['left']);
  });
});
