import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TAIL_BYTES } from '../../../src/core/job-spec.js';
import type { CheckLine } from '../../../src/executors/executor.js';
import { LocalExecutor } from '../../../src/executors/local/local-executor.js';
import { prepareObabel } from '../../../src/engines/obabel/prepare.js';
import { hasProgram } from '../../helpers/run-job-directly.js';
import { killAll, processesMatching, survivors } from '../../helpers/processes.js';
import { fakeProgram, makeJob, makeTempDir, waitForFile } from './make-job.js';

let root: string;
let executor: LocalExecutor;

beforeEach(() => {
  root = makeTempDir();
  executor = new LocalExecutor({ slots: 2, killGraceMs: 300 });
});

afterEach(async () => {
  await executor.close();
  const left = await survivors(root);
  killAll(left);
  rmSync(root, { recursive: true, force: true });
  expect(left).toEqual([]);
});

describe('LocalExecutor', () => {
  it('is named local and has the slots it was given', () => {
    expect(executor.name).toBe('local');
    expect(executor.slots).toBe(2);
    expect(new LocalExecutor().slots).toBeGreaterThan(0);
  });

  it('runs a program in its directory and reports its exit code', async () => {
    const job = makeJob(root, ['/bin/sh', '-c', 'pwd; echo oops >&2; exit 3']);
    const running = await executor.submit(job);
    expect(running.handle).toMatchObject({ workdir: job.workdir });
    expect(running.handle.pid).toBe(running.handle.pgid);
    expect(typeof running.handle.started_at).toBe('string');
    const exit = await running.exit;
    expect(exit).toMatchObject({ exitCode: 3, signal: null, timedOut: false });
    expect(exit.failure).toBeUndefined();
    expect(Date.parse(exit.endedAt)).toBeGreaterThanOrEqual(Date.parse(exit.startedAt));
    const outputs = await executor.collect(job, exit);
    expect(outputs.stdout).toBe(`${job.workdir}\n`);
    expect(outputs.stderr).toBe('oops\n');
    expect(outputs.workdir).toBe(job.workdir);
    expect(readFileSync(join(job.workdir, '.retort', 'exit'), 'utf8')).toBe('3\n');
    expect(readFileSync(join(job.workdir, '.retort', 'pid'), 'utf8')).toBe(
      `${JSON.stringify(running.handle.pid)}\n`,
    );
  });

  it('writes the input files, feeds stdin and adds the environment', async () => {
    const job = makeJob(root, ['/bin/sh', '-c', 'cat; cat sub/dir/b.txt; echo "$RETORT_TEST"'], {
      files: { 'a.txt': 'from stdin\n', 'sub/dir/b.txt': 'nested\n' },
      stdin: 'a.txt',
      env: { RETORT_TEST: 'env value' },
    });
    const exit = await (await executor.submit(job)).exit;
    expect(exit.exitCode).toBe(0);
    const outputs = await executor.collect(job, exit);
    expect(outputs.stdout).toBe('from stdin\nnested\nenv value\n');
  });

  it('records a failure when the named stdin file is missing, without running the program', async () => {
    const job = makeJob(root, ['/bin/sh', '-c', 'echo ran'], { stdin: 'absent.txt' });
    const exit = await (await executor.submit(job)).exit;
    expect(exit.exitCode).not.toBe(0);
    const outputs = await executor.collect(job, exit);
    expect(outputs.stdout).toBe('');
    expect(outputs.stderr).toMatch(/absent\.txt/);
  });

  it('gives the program an empty stdin when none is named', async () => {
    const job = makeJob(root, ['/bin/sh', '-c', 'cat; echo done']);
    const exit = await (await executor.submit(job)).exit;
    expect((await executor.collect(job, exit)).stdout).toBe('done\n');
  });

  it('collects declared outputs and leaves missing ones absent', async () => {
    const job = makeJob(root, ['/bin/sh', '-c', 'echo 42 > out.txt; mkdir d; echo x > d/y'], {
      outputs: ['out.txt', 'd/y', 'missing.txt'],
    });
    const outputs = await executor.collect(job, await (await executor.submit(job)).exit);
    expect(outputs.files).toEqual({ 'out.txt': '42\n', 'd/y': 'x\n' });
  });

  it('collects garbage output of a program that claims success as it is', async () => {
    const job = makeJob(root, [fakeProgram('garbage.sh')], { outputs: ['result.out'] });
    const exit = await (await executor.submit(job)).exit;
    expect(exit).toMatchObject({ exitCode: 0, signal: null });
    const outputs = await executor.collect(job, exit);
    expect(outputs.stdout.length).toBeGreaterThan(0);
    expect(outputs.files['result.out']).toBeDefined();
  });

  it('refuses a calc directory that has already run', async () => {
    const job = makeJob(root, ['true']);
    await (
      await executor.submit(job)
    ).exit;
    await expect(executor.submit(job)).rejects.toThrow(/never reused/);
  });

  it('refuses file names that leave the calc directory', async () => {
    const job = makeJob(root, ['true'], { files: { '../escape.txt': 'x' } });
    await expect(executor.submit(job)).rejects.toThrow(/not a plain path/);
    expect(existsSync(join(root, 'escape.txt'))).toBe(false);
  });

  it('stops a program at its walltime with TERM and reports the timeout', async () => {
    const job = makeJob(root, [fakeProgram('hang.sh'), root], {
      resources: { cores: 1, walltime_s: 0.3 },
    });
    const exit = await (await executor.submit(job)).exit;
    expect(exit).toMatchObject({ exitCode: null, signal: 'SIGTERM', timedOut: true });
    expect(exit.failure?.class).toBe('timeout');
    // The wrapper outlived the TERM and recorded how the program ended.
    expect(readFileSync(join(job.workdir, '.retort', 'exit'), 'utf8')).toBe('143\n');
  });

  it('kills a program that ignores TERM once the grace period is over', async () => {
    // 2 s, so that the shell has set its trap before the walltime comes even on a loaded
    // machine (at 0.2 s and load 18 the TERM once came first and ended it).
    const job = makeJob(root, [fakeProgram('ignore-term.sh'), root], {
      resources: { cores: 1, walltime_s: 2 },
    });
    const exit = await (await executor.submit(job)).exit;
    expect(exit).toMatchObject({ exitCode: null, signal: 'SIGKILL', timedOut: true });
    expect(exit.failure?.class).toBe('timeout');
  });

  it('kills the children a program leaves behind so that no orphan survives', async () => {
    const job = makeJob(root, [fakeProgram('fork-children.sh')]);
    const exit = await (await executor.submit(job)).exit;
    expect(exit.exitCode).toBe(0);
    expect(await survivors(root)).toEqual([]);
  });

  it('reports the signal that killed a program', async () => {
    const job = makeJob(root, [fakeProgram('die-by-signal.sh')]);
    const exit = await (await executor.submit(job)).exit;
    expect(exit).toMatchObject({ exitCode: null, signal: 'SIGKILL', timedOut: false });
    expect(exit.failure).toBeUndefined();
  });

  it('keeps only a bounded tail of a program that floods stdout', async () => {
    const job = makeJob(root, [fakeProgram('flood-stdout.sh')], { captureStdout: 'tail' });
    const exit = await (await executor.submit(job)).exit;
    expect(exit.exitCode).toBe(0);
    expect(statSync(join(job.workdir, 'stdout')).size).toBeGreaterThan(50_000_000);
    const outputs = await executor.collect(job, exit);
    expect(outputs.stdout.length).toBe(TAIL_BYTES);
    expect(outputs.stdout.endsWith('x\nEND OF FLOOD\n')).toBe(true);
  });

  it('reports a program that is not installed', async () => {
    const job = makeJob(root, ['retort-no-such-program-anywhere']);
    const exit = await (await executor.submit(job)).exit;
    expect(exit.exitCode).toBe(127);
    expect(exit.failure?.class).toBe('program_missing');
  });

  it('reports a program that is not installed behind an env NAME=VALUE prefix', async () => {
    const job = makeJob(root, ['env', 'RETORT_X=1', 'retort-no-such-program-anywhere']);
    const exit = await (await executor.submit(job)).exit;
    expect(exit.exitCode).toBe(127);
    expect(exit.failure).toEqual({
      class: 'program_missing',
      message: 'program not found: retort-no-such-program-anywhere',
    });
  });

  it.skipIf(!hasProgram('obabel') || !existsSync('/usr/lib/x86_64-linux-gnu/faketime'))(
    'runs a seeded Open Babel job without the wrapper loading libfaketime (nothing left in /dev/shm)',
    async () => {
      const spec = prepareObabel({
        program: 'obabel',
        task: 'gen3d',
        molecule: { smiles: 'CCO', charge: 0, multiplicity: 1 },
        options: { seed: 3 },
        resources: { cores: 1, walltime_s: 60 },
      });
      const job = makeJob(root, spec.argv, { env: spec.env, files: spec.files });
      const running = await executor.submit(job);
      const exit = await running.exit;
      expect(exit.exitCode, readFileSync(join(job.workdir, 'stderr'), 'utf8')).toBe(0);
      // libfaketime names its files by pid: the wrapper (dash, which exits without running the
      // library's destructors) must not have made any; obabel cleans up its own.
      const wrapper = readFileSync(join(job.workdir, '.retort', 'pid'), 'utf8').trim();
      expect(existsSync(`/dev/shm/faketime_shm_${wrapper}`)).toBe(false);
      expect(existsSync(`/dev/shm/sem.faketime_sem_${wrapper}`)).toBe(false);
    },
  );

  it('resolves exit with a crash when the wrapper cannot be started', async () => {
    const job = makeJob(root, ['true'], { env: { BAD: 'nul\0byte' } });
    const running = await executor.submit(job);
    const exit = await running.exit;
    expect(exit.failure?.class).toBe('crash');
    expect(running.handle.pid).toBeNull();
  });

  it('cancels a job gracefully with TERM', async () => {
    const job = makeJob(root, [fakeProgram('hang.sh'), root]);
    const running = await executor.submit(job);
    await waitForFile(join(job.workdir, 'stdout'), 'hanging');
    await executor.cancel(running.handle, 'graceful');
    const exit = await running.exit;
    expect(exit).toMatchObject({ signal: 'SIGTERM', timedOut: false });
    expect(exit.failure?.class).toBe('cancelled');
    await executor.cancel(running.handle, 'graceful');
  });

  it('ends a job that ignores a graceful cancel with KILL after the grace period', async () => {
    const job = makeJob(root, [fakeProgram('ignore-term.sh'), root]);
    const running = await executor.submit(job);
    await waitForFile(join(job.workdir, 'stdout'), 'ignoring TERM');
    await executor.cancel(running.handle, 'graceful');
    const exit = await running.exit;
    expect(exit).toMatchObject({ exitCode: null, signal: 'SIGKILL', timedOut: false });
    expect(exit.failure?.class).toBe('cancelled');
  });

  it('cancels a job that ignores TERM with kill, whole group at once', async () => {
    const job = makeJob(root, [fakeProgram('ignore-term.sh'), root]);
    const running = await executor.submit(job);
    await waitForFile(join(job.workdir, 'stdout'), 'ignoring TERM');
    await executor.cancel(running.handle, 'kill');
    const exit = await running.exit;
    expect(exit).toMatchObject({ exitCode: null, signal: 'SIGKILL', timedOut: false });
    await executor.cancel(running.handle, 'kill');
  });

  it('does not kill the jobs it was running when closed', async () => {
    const job = makeJob(root, [fakeProgram('hang.sh'), root]);
    const running = await executor.submit(job);
    await executor.close();
    expect(processesMatching(job.workdir).length).toBeGreaterThan(0);
    const again = new LocalExecutor({ killGraceMs: 300 });
    await again.cancel(running.handle, 'kill');
    expect((await running.exit).signal).toBe('SIGKILL');
  });
});

describe('LocalExecutor.probe', () => {
  it('returns what a command printed and its exit code', async () => {
    expect(await executor.probe(['/bin/sh', '-c', 'echo out; echo err >&2; exit 4'])).toEqual({
      exitCode: 4,
      stdout: 'out\n',
      stderr: 'err\n',
    });
    expect((await executor.probe(['echo', 'a b'])).stdout).toBe('a b\n');
  });

  it('says when the command is not found', async () => {
    const result = await executor.probe(['retort-no-such-program-anywhere', '--version']);
    expect(result.exitCode).toBeNull();
    expect(result.stderr).toMatch(/not found/);
  });

  it('checks this machine: reached, its work directory writable, each program with its version', async () => {
    const checked = new LocalExecutor({ workRoot: join(root, 'work') });
    const lines: CheckLine[] = [];
    const version = (stdout: string): string | undefined => /^(\d+\.\S+)/.exec(stdout)?.[1];
    await checked.check(
      [
        { program: 'sh', path: 'sh', argv: undefined, parse: undefined, needed: true },
        {
          program: 'node',
          path: process.execPath,
          argv: [process.execPath, '--version'],
          parse: (out) => version(out.replace(/^v/, '')),
          needed: true,
        },
        {
          program: 'gone',
          path: '/nonexistent/gone',
          argv: ['/nonexistent/gone', '-v'],
          parse: version,
          needed: false,
        },
        {
          program: 'lost',
          path: 'retort-no-such-program',
          argv: undefined,
          parse: undefined,
          needed: true,
        },
      ],
      (line) => lines.push(line),
    );
    expect(lines).toEqual([
      {
        ok: true,
        line: expect.stringMatching(/^reached this machine: Linux .* \(\d+ ms\)$/) as string,
      },
      { ok: true, line: `scratch ${join(root, 'work')} is writable` },
      { ok: true, optional: false, line: expect.stringMatching(/^sh: \/.*sh$/) as string },
      { ok: true, optional: false, line: `node: ${process.versions.node} (${process.execPath})` },
      { ok: true, optional: true, line: 'gone: not found as /nonexistent/gone' },
      {
        ok: false,
        optional: false,
        line: 'lost: not found as retort-no-such-program (the campaign uses it)',
      },
    ]);
    expect(existsSync(join(root, 'work'))).toBe(true);
  });

  it('fails the check of a work directory it cannot write', async () => {
    writeFileSync(join(root, 'file'), '');
    const checked = new LocalExecutor({ workRoot: join(root, 'file', 'work') });
    const lines: CheckLine[] = [];
    await checked.check([], (line) => lines.push(line));
    expect(lines[1]).toMatchObject({
      ok: false,
      line: expect.stringMatching(/is not writable: .*Not a directory/) as string,
    });
  });
});
