import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { calcWrapperArgs } from '../../../src/executors/calc-wrapper.js';
import type { ExecutorJob } from '../../../src/executors/executor.js';
import { LocalExecutor } from '../../../src/executors/local/local-executor.js';
import { killAll, processesMatching, survivors } from '../../helpers/processes.js';
import { fakeProgram, makeJob, makeTempDir, waitForFile } from './make-job.js';

let root: string;
const executors: LocalExecutor[] = [];

function newExecutor(): LocalExecutor {
  const executor = new LocalExecutor({ slots: 2, killGraceMs: 300 });
  executors.push(executor);
  return executor;
}

beforeEach(() => {
  root = makeTempDir();
});

afterEach(async () => {
  for (const executor of executors.splice(0)) await executor.close();
  const left = await survivors(root);
  killAll(left);
  rmSync(root, { recursive: true, force: true });
  expect(left).toEqual([]);
});

/**
 * Starts a job's wrapper from a separate node process that exits at once, as a runner that
 * crashed right after starting it would: the wrapper is nobody's child here.
 */
function startElsewhere(job: ExecutorJob): number {
  mkdirSync(join(job.workdir, '.retort'), { recursive: true });
  const script = `const { spawn } = require('node:child_process');
const [cwd, args] = JSON.parse(process.argv[1]);
const child = spawn('/bin/sh', args, { cwd, detached: true, stdio: 'ignore' });
console.log(child.pid);
child.unref();`;
  const args = calcWrapperArgs(job.workdir, job.job.stdin, job.job.argv);
  const result = spawnSync(process.execPath, ['-e', script, JSON.stringify([job.workdir, args])], {
    encoding: 'utf8',
  });
  expect(result.status).toBe(0);
  return Number(result.stdout.trim());
}

describe('LocalExecutor.adopt', () => {
  it('follows a live job started by another process until it ends', async () => {
    const job = makeJob(root, ['/bin/sh', '-c', 'read line; echo "got $line"; exit 5']);
    const fifo = join(job.workdir, 'gate');
    mkdirSync(job.workdir, { recursive: true });
    spawnSync('mkfifo', [fifo]);
    const pid = startElsewhere({ ...job, job: { ...job.job, stdin: 'gate' } });
    await waitForFile(join(job.workdir, '.retort', 'pid'));

    const running = await newExecutor().adopt(job, undefined);
    expect(running).toBeDefined();
    expect(running?.handle).toMatchObject({ pid, pgid: pid, workdir: job.workdir });
    writeFileSync(fifo, 'go\n');
    const exit = await running?.exit;
    expect(exit).toMatchObject({ exitCode: 5, signal: null, timedOut: false });
    expect(readFileSync(join(job.workdir, 'stdout'), 'utf8')).toBe('got go\n');
  });

  it('follows a job submitted by an executor that has since closed', async () => {
    const first = newExecutor();
    const job = makeJob(root, [fakeProgram('hang.sh'), root], {
      resources: { cores: 1, walltime_s: 0.5 },
    });
    const submitted = await first.submit(job);
    await first.close();

    const running = await newExecutor().adopt(job, submitted.handle);
    expect(running?.handle).toEqual(submitted.handle);
    // The remaining walltime is enforced by the adopting executor.
    const exit = await running?.exit;
    expect(exit).toMatchObject({ exitCode: null, signal: 'SIGTERM', timedOut: true });
    expect(exit?.startedAt).toBe(submitted.handle.started_at);
  });

  it('finds a live wrapper by scanning processes when nothing names its pid', async () => {
    const job = makeJob(root, [fakeProgram('hang.sh'), root]);
    const pid = startElsewhere(job);
    await waitForFile(join(job.workdir, '.retort', 'pid'));
    unlinkSync(join(job.workdir, '.retort', 'pid'));

    const executor = newExecutor();
    const running = await executor.adopt(job, undefined);
    expect(running?.handle.pid).toBe(pid);
    if (running === undefined) return;
    await executor.cancel(running.handle, 'kill');
    expect((await running.exit).signal).toBe('SIGKILL');
  });

  it('kills the leftovers of an adopted job when it ends', async () => {
    const job = makeJob(root, ['/bin/sh', '-c', `${fakeProgram('fork-children.sh')}; sleep 0.3`]);
    startElsewhere(job);
    await waitForFile(join(job.workdir, '.retort', 'pid'));
    const running = await newExecutor().adopt(job, undefined);
    expect((await running?.exit)?.exitCode).toBe(0);
    expect(await survivors(root)).toEqual([]);
  });

  it('returns the recorded exit of a job that finished while nobody watched', async () => {
    const job = makeJob(root, ['/bin/sh', '-c', 'echo done; exit 7']);
    const submitted = await newExecutor().submit(job);
    await submitted.exit;

    const running = await newExecutor().adopt(job, submitted.handle);
    expect(running?.handle).toEqual(submitted.handle);
    expect(await running?.exit).toMatchObject({ exitCode: 7, signal: null, timedOut: false });
    const finished = await newExecutor().adopt(job, undefined);
    expect((await finished?.exit)?.exitCode).toBe(7);
  });

  it('kills the leftovers of a job that finished while nobody watched', async () => {
    const job = makeJob(root, [fakeProgram('fork-children.sh')]);
    const pid = startElsewhere(job);
    await waitForFile(join(job.workdir, '.retort', 'exit'));
    expect(processesMatching(root).length).toBeGreaterThan(0);

    const running = await newExecutor().adopt(job, { pid, pgid: pid, workdir: job.workdir });
    expect((await running?.exit)?.exitCode).toBe(0);
    expect(await survivors(root)).toEqual([]);
  });

  it('says a job that never started is not there, so that it may be submitted', async () => {
    const job = makeJob(root, ['true']);
    expect(await newExecutor().adopt(job, undefined)).toBeUndefined();
    mkdirSync(join(job.workdir, '.retort'), { recursive: true });
    expect(await newExecutor().adopt(job, undefined)).toBeUndefined();
    const exit = await (await newExecutor().submit(job)).exit;
    expect(exit.exitCode).toBe(0);
  });

  it('reports a job whose process is gone without a recorded exit as lost', async () => {
    const job = makeJob(root, ['true']);
    mkdirSync(join(job.workdir, '.retort'), { recursive: true });
    const gone = spawnSync('/bin/sh', ['-c', 'echo $$']).stdout.toString().trim();
    writeFileSync(join(job.workdir, '.retort', 'pid'), `${gone}\n`);

    const running = await newExecutor().adopt(job, undefined);
    const exit = await running?.exit;
    expect(exit).toMatchObject({ exitCode: null, signal: null, timedOut: false });
    expect(exit?.failure?.class).toBe('lost');
  });

  it('refuses a reused pid that is not the wrapper of this calc directory', async () => {
    const job = makeJob(root, ['true']);
    mkdirSync(join(job.workdir, '.retort'), { recursive: true });
    // A live process of someone else now holds the recorded pid.
    const stranger = spawn('sleep', ['1000'], { detached: true, stdio: 'ignore' });
    const pid = stranger.pid ?? 0;
    writeFileSync(join(job.workdir, '.retort', 'pid'), `${String(pid)}\n`);
    const handle = { pid, pgid: pid, workdir: job.workdir, started_at: new Date().toISOString() };
    try {
      const executor = newExecutor();
      const running = await executor.adopt(job, handle);
      expect((await running?.exit)?.failure?.class).toBe('lost');
      await executor.cancel(handle, 'kill');
      expect(stranger.exitCode).toBeNull();
      expect(processesMatching('sleep 1000').some((p) => p.pid === pid)).toBe(true);
    } finally {
      stranger.kill('SIGKILL');
    }
  });

  it('refuses a wrapper that belongs to another calc directory', async () => {
    const other = makeJob(root, [fakeProgram('hang.sh'), root]);
    const executor = newExecutor();
    const running = await executor.submit(other);
    const job = makeJob(root, ['true']);
    mkdirSync(join(job.workdir, '.retort'), { recursive: true });
    const handle = { ...running.handle, workdir: job.workdir };
    writeFileSync(join(job.workdir, '.retort', 'pid'), `${JSON.stringify(running.handle.pid)}\n`);

    expect((await (await executor.adopt(job, handle))?.exit)?.failure?.class).toBe('lost');
    await executor.cancel(running.handle, 'kill');
    await running.exit;
  });
});
