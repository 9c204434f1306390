import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CALC_WRAPPER } from '../../../src/executors/calc-wrapper.js';
import {
  batchScript,
  packListText,
  packRunnerArgs,
  parseSkipped,
} from '../../../src/executors/slurm/batch-script.js';
import { killAll, survivors } from '../../helpers/processes.js';
import { tempDir } from '../../helpers/temp-dir.js';

// The pack runner as sbatch would start it, run by /bin/sh (dash here) without SLURM. Every
// path has spaces in it.

let root: string;
let remove: () => void;

beforeEach(() => {
  ({ dir: root, remove } = tempDir('retort pack '));
});

afterEach(async () => {
  const left = await survivors(root);
  killAll(left);
  remove();
  expect(left).toEqual([]);
});

interface Calc {
  readonly name: string;
  readonly dir: string;
  readonly run: string;
}

/** A calc whose run script records when it started and ended, with `body` in between. */
function calc(name: string, body: string): Calc {
  const dir = join(root, 'calcs', `calc ${name}`);
  mkdirSync(dir, { recursive: true });
  const run = join(dir, 'run script.sh');
  writeFileSync(
    run,
    `cd "$(dirname "$0")" || exit 1
date +%s.%N >start
${body}
date +%s.%N >end
`,
  );
  return { name, dir, run };
}

const ran = (c: Calc): boolean => existsSync(join(c.dir, 'end'));
const stamp = (c: Calc, which: 'start' | 'end'): number =>
  Number(readFileSync(join(c.dir, which), 'utf8'));

interface Pack {
  readonly listDir: string;
  readonly pid: number;
  readonly done: Promise<{ status: number | null; stderr: string; at: number }>;
}

/** Starts the packed batch script on a list of `[walltime, calc]`. */
function startPack(
  entries: readonly (readonly [number, Calc])[],
  concurrency: number,
  limitS: number,
  marginS: number,
): Pack {
  const listDir = join(root, 'job dir');
  mkdirSync(listDir, { recursive: true });
  const list = join(listDir, 'the list');
  writeFileSync(list, packListText(entries.map(([walltimeS, c]) => ({ walltimeS, path: c.run }))));
  const script = join(listDir, 'job script.sh');
  writeFileSync(script, batchScript('packed', ['export RETORT_TEST_SETUP=1']));
  const child = spawn('/bin/sh', [script, ...packRunnerArgs(list, concurrency, limitS, marginS)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // `at`: when the runner itself exited ('close' waits for the calcs, which share its stderr)
  const exited = new Promise<number>((resolve) => {
    child.on('exit', () => {
      resolve(Date.now() / 1000);
    });
  });
  const done = new Promise<{ status: number | null; stderr: string; at: number }>((resolve) => {
    child.on('close', (status) => {
      void exited.then((at) => {
        resolve({ status, stderr, at });
      });
    });
  });
  if (child.pid === undefined) throw new Error('the pack runner did not start');
  return { listDir, pid: child.pid, done };
}

const skipped = (pack: Pack): string[] =>
  parseSkipped(readFileSync(join(pack.listDir, 'skipped'), 'utf8'));

/** The largest number of calcs running at the same time. */
function maxOverlap(calcs: readonly Calc[]): number {
  const events = calcs.flatMap((c) => [
    { t: stamp(c, 'start'), d: 1 },
    { t: stamp(c, 'end'), d: -1 },
  ]);
  events.sort((a, b) => a.t - b.t || a.d - b.d);
  let running = 0;
  let max = 0;
  for (const { d } of events) {
    running += d;
    max = Math.max(max, running);
  }
  return max;
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('the pack runner', () => {
  it('runs every calc, never more than `concurrency` at once', async () => {
    const calcs = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => calc(n, 'sleep 1'));
    const pack = startPack(
      calcs.map((c) => [10, c] as const),
      2,
      600,
      5,
    );
    const { status, stderr } = await pack.done;
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(calcs.filter((c) => !ran(c))).toEqual([]);
    expect(maxOverlap(calcs)).toBe(2);
    expect(skipped(pack)).toEqual([]);
  });

  it('starts no calc whose walltime and margin exceed the time left, and lists it', async () => {
    const huge = calc('huge', 'true');
    const first = calc('first', 'sleep 3');
    const tooLong = calc('too long', 'true');
    const short = calc('short', 'true');
    // limit 8 s, margin 1 s: `huge` never fits; once `first` has taken 3 s, at most 5 s are
    // left, too few for `too long` (5 + 1) but enough for `short` (1 + 1).
    const pack = startPack(
      [
        [100, huge],
        [2, first],
        [5, tooLong],
        [1, short],
      ],
      1,
      8,
      1,
    );
    const { status } = await pack.done;
    expect(status).toBe(0);
    expect([huge, first, tooLong, short].map(ran)).toEqual([false, true, false, true]);
    expect(skipped(pack)).toEqual([huge.run, tooLong.run]);
  });

  it('starts no new calc once STOP exists next to the list', async () => {
    const listDir = join(root, 'job dir');
    const calcs = [
      calc('1', `touch "${join(listDir, 'STOP')}"; sleep 1`),
      calc('2', 'true'),
      calc('3', 'true'),
    ];
    const pack = startPack(
      calcs.map((c) => [1, c] as const),
      1,
      600,
      0,
    );
    expect((await pack.done).status).toBe(0);
    expect(calcs.map(ran)).toEqual([true, false, false]);
    expect(skipped(pack)).toEqual([calcs[1]?.run, calcs[2]?.run]);
  });

  it('reads odd lines: fractional walltimes, bad ones, blank lines, no final newline', async () => {
    const calcs = ['x', 'y', 'z'].map((n) => calc(n, 'true'));
    const [x, y, z] = calcs as [Calc, Calc, Calc];
    const listDir = join(root, 'job dir');
    mkdirSync(listDir, { recursive: true });
    const list = join(listDir, 'the list');
    writeFileSync(list, `0.5 ${x.run}\n\nabc ${y.run}\n2 ${z.run}`);
    const script = join(listDir, 'job script.sh');
    writeFileSync(script, batchScript('packed', []));
    const child = spawn('/bin/sh', [script, list, '2', '60', '0'], { stdio: 'pipe' });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const status = await new Promise((resolve) => child.on('close', resolve));
    expect(status).toBe(0);
    expect(calcs.map(ran)).toEqual([true, false, true]);
    expect(stderr).toContain('bad walltime');
    expect(parseSkipped(readFileSync(join(listDir, 'skipped'), 'utf8'))).toEqual([y.run]);
  });

  it('passes TERM to the running calcs’ process groups and waits for their wrappers', async () => {
    // Each calc runs a program through the real calc wrapper, as retort's run scripts do. The
    // program takes a second to end after TERM: a runner that did not wait would exit first.
    const wrapper = join(root, 'calc wrapper.sh');
    writeFileSync(wrapper, CALC_WRAPPER);
    const program = 'trap "sleep 1; exit 7" TERM; sleep 30 & wait';
    const calcs = ['p', 'q', 'r'].map((n) => {
      const c = calc(n, '');
      mkdirSync(join(c.dir, '.retort'));
      writeFileSync(c.run, `exec /bin/sh "${wrapper}" "${c.dir}" '' /bin/sh -c '${program}'\n`);
      return c;
    });
    const pack = startPack(
      calcs.map((c) => [60, c] as const),
      2,
      3600,
      0,
    );
    const pidFile = (c: Calc) => join(c.dir, '.retort', 'pid');
    const exitFile = (c: Calc) => join(c.dir, '.retort', 'exit');
    await until(() => calcs.slice(0, 2).every((c) => existsSync(pidFile(c))), 'two calcs');
    // Only the runner gets the signal; it must reach the programs through their groups.
    process.kill(pack.pid, 'SIGTERM');
    const { status, at } = await pack.done;
    expect(status).toBe(143);
    const markers = calcs.map((c) =>
      existsSync(exitFile(c)) ? readFileSync(exitFile(c), 'utf8') : undefined,
    );
    expect(markers).toEqual(['7\n', '7\n', undefined]);
    // Both were written before the runner exited.
    for (const c of calcs.slice(0, 2))
      expect(statSync(exitFile(c)).mtimeMs / 1000).toBeLessThan(at);
    expect(skipped(pack)).toEqual([calcs[2]?.run]);
  });
});
