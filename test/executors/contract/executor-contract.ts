import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobSpec } from '../../../src/core/job-spec.js';
import type { Executor, ExecutorJob } from '../../../src/executors/executor.js';
import { fakeProgram } from '../local/make-job.js';

/**
 * How the contract suite makes one kind of executor. `make` is called once per "runner
 * process": a test that restarts the runner closes the first executor and makes another over
 * the same root, which must find the first one's jobs again.
 */
export interface ExecutorKind {
  readonly name: string;
  make(root: string): Executor;
  /** The directory where the calc really runs (its `.retort/exit` marker is written there). */
  runDir(root: string, job: ExecutorJob): string;
}

/** Seconds a test job may run: long enough for every test, short enough for a fake scheduler. */
const WALLTIME_S = 600;

let counter = 0;

function makeJob(
  root: string,
  script: string,
  spec: Partial<Omit<JobSpec, 'argv'>> = {},
): ExecutorJob {
  counter += 1;
  const key = `${String(counter).padStart(4, '0')}${'c'.repeat(60)}`;
  return {
    key,
    attempt: 1,
    workdir: join(root, 'work', key),
    job: {
      argv: ['/bin/sh', '-c', script],
      files: {},
      env: {},
      outputs: [],
      captureStdout: 'full',
      resources: { cores: 1, walltime_s: WALLTIME_S },
      ...spec,
    },
  };
}

function lines(path: string): string[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : [];
}

async function until(what: string, condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 30_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * What src/executors/executor.ts promises, asserted against one kind of executor: a submitted
 * job runs once and its declared outputs come back; its exit is classified (status, signal,
 * walltime); cancel ends it either way; after a restart `adopt` never loses a live job, finds a
 * job that ended while nobody watched, and gives back only a job that never started.
 */
export function executorContract(kind: ExecutorKind): void {
  describe(`the executor contract: ${kind.name}`, () => {
    let root: string;
    let runs: string;
    const open: Executor[] = [];

    const make = (): Executor => {
      const executor = kind.make(root);
      open.push(executor);
      return executor;
    };

    beforeEach(() => {
      root = mkdtempSync(join(tmpdir(), 'retort-contract-'));
      runs = join(root, 'runs');
    });

    afterEach(async () => {
      for (const executor of open.splice(0)) await executor.close();
      rmSync(root, { recursive: true, force: true });
    });

    /** A job that counts its runs in `runs` and then does `then`. */
    const counted = (then: string, spec: Partial<Omit<JobSpec, 'argv'>> = {}): ExecutorJob =>
      makeJob(root, `echo run >>'${runs}'; ${then}`, spec);

    it('runs a submitted job exactly once and brings its declared outputs back', async () => {
      const executor = make();
      const job = counted('echo result >out.txt; echo hello', { outputs: ['out.txt', 'none'] });
      const running = await executor.submit(job);
      const exit = await running.exit;
      expect(exit).toMatchObject({ exitCode: 0, signal: null, timedOut: false });
      expect(exit.failure).toBeUndefined();
      const outputs = await executor.collect(job, exit);
      expect(outputs.stdout).toBe('hello\n');
      expect(outputs.files).toEqual({ 'out.txt': 'result\n' });
      expect(lines(runs)).toEqual(['run']);
    });

    it("copies a parent's directory into the calc directory before the program runs, and leaves the parent's untouched", async () => {
      const executor = make();
      const parentOut = join(root, 'parent', 'out');
      mkdirSync(join(parentOut, 'save'), { recursive: true });
      writeFileSync(join(parentOut, 'density.txt'), 'rho\n');
      const binary = Buffer.from([0, 255, 1, 254, 10, 13, 128]);
      writeFileSync(join(parentOut, 'save', 'charge.dat'), binary);
      const job = {
        ...counted(
          "cat out/density.txt; od -An -tu1 out/save/charge.dat | tr -s ' ' | sed 's/^ //'; echo rewritten >out/density.txt",
        ),
        parents: [{ from: parentOut, path: 'out' }],
      };
      const exit = await (await executor.submit(job)).exit;
      expect(exit).toMatchObject({ exitCode: 0 });
      expect((await executor.collect(job, exit)).stdout).toBe('rho\n0 255 1 254 10 13 128\n');
      expect(readFileSync(join(parentOut, 'density.txt'), 'utf8')).toBe('rho\n');
      expect(readFileSync(join(kind.runDir(root, job), 'out', 'density.txt'), 'utf8')).toBe(
        'rewritten\n',
      );
    });

    it('reports a non-zero exit status as it is', async () => {
      const executor = make();
      const exit = await (await executor.submit(counted('exit 3'))).exit;
      expect(exit).toMatchObject({ exitCode: 3, signal: null, timedOut: false });
    });

    it('reports a program killed by a signal as that signal', async () => {
      const executor = make();
      const exit = await (await executor.submit(counted(fakeProgram('die-by-signal.sh')))).exit;
      expect(exit).toMatchObject({ exitCode: null, signal: 'SIGKILL', timedOut: false });
    });

    it('stops a job at its walltime and says it timed out', async () => {
      const executor = make();
      const job = counted(`exec ${fakeProgram('hang.sh')}`, {
        resources: { cores: 1, walltime_s: 1 },
      });
      const exit = await (await executor.submit(job)).exit;
      expect(exit.timedOut).toBe(true);
      expect(exit.failure?.class).toBe('timeout');
    });

    for (const how of ['graceful', 'kill'] as const) {
      it(`ends a running job on cancel (${how}) and resolves its exit`, async () => {
        const executor = make();
        const job = counted(`exec ${fakeProgram('hang.sh')}`);
        const running = await executor.submit(job);
        await until('the job to start', () => lines(runs).length === 1);
        await executor.cancel(running.handle, how);
        const exit = await running.exit;
        expect(exit.failure?.class).toBe('cancelled');
        expect(exit.exitCode).not.toBe(0);
        expect(lines(runs)).toEqual(['run']);
      });
    }

    it('adopts a live job from its stored handle after a restart, and its exit resolves later', async () => {
      const first = make();
      const job = counted(`sleep 2; echo finished`);
      const { handle } = await first.submit(job);
      await until('the job to start', () => lines(runs).length === 1);
      await first.close();
      const second = make();
      const adopted = await second.adopt(job, handle);
      expect(adopted).toBeDefined();
      const exit = await adopted?.exit;
      expect(exit).toMatchObject({ exitCode: 0, timedOut: false });
      if (exit === undefined) return;
      expect((await second.collect(job, exit)).stdout).toBe('finished\n');
      expect(lines(runs)).toEqual(['run']);
    });

    it('adopts a job that ended while nobody watched, and its exit resolves', async () => {
      const first = make();
      const job = counted('echo done');
      const { handle } = await first.submit(job);
      await first.close();
      const marker = join(kind.runDir(root, job), '.retort', 'exit');
      await until('the job to end', () => existsSync(marker));
      const second = make();
      const adopted = await second.adopt(job, handle);
      expect(adopted).toBeDefined();
      const exit = await adopted?.exit;
      expect(exit).toMatchObject({ exitCode: 0, timedOut: false });
      if (exit === undefined) return;
      expect((await second.collect(job, exit)).stdout).toBe('done\n');
      expect(lines(runs)).toEqual(['run']);
    });

    it('gives back, without a handle, a job that never started', async () => {
      const executor = make();
      expect(await executor.adopt(counted('true'), undefined)).toBeUndefined();
      expect(lines(runs)).toEqual([]);
    });
  });
}
