import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CALC_WRAPPER } from '../../../src/executors/calc-wrapper.js';
import { runScript } from '../../../src/executors/remote/remote-scripts.js';
import {
  PACK_CANCEL_DIR,
  PACK_CANCELLED_FILE,
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
  shell = '/bin/sh',
): Pack {
  const listDir = join(root, 'job dir');
  mkdirSync(listDir, { recursive: true });
  const list = join(listDir, 'the list');
  writeFileSync(list, packListText(entries.map(([walltimeS, c]) => ({ walltimeS, path: c.run }))));
  const script = join(listDir, 'job script.sh');
  writeFileSync(script, batchScript('packed', ['export RETORT_TEST_SETUP=1']));
  const child = spawn(shell, [script, ...packRunnerArgs(list, concurrency, limitS, marginS, 2)], {
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
const cancelled = (pack: Pack): string[] =>
  parseSkipped(readFileSync(join(pack.listDir, PACK_CANCELLED_FILE), 'utf8'));

/** Asks the runner of the pack in `listDir` to cancel the calc on line `index`, as retort does. */
function requestCancel(listDir: string, index: number): void {
  mkdirSync(join(listDir, PACK_CANCEL_DIR), { recursive: true });
  writeFileSync(join(listDir, PACK_CANCEL_DIR, String(index)), '');
}

/**
 * A calc as retort stages it: `.retort/run.sh` from runScript, running `program` (sh) through
 * the calc wrapper under GNU timeout (walltime 60 s, KILL `graceS` after), which leads a process
 * group of its own.
 */
function wrapped(name: string, program: string, graceS = 2): Calc {
  const dir = join(root, 'calcs', `calc ${name}`);
  mkdirSync(join(dir, '.retort'), { recursive: true });
  const run = join(dir, '.retort', 'run.sh');
  writeFileSync(
    run,
    runScript({
      dir,
      stdin: undefined,
      argv: ['/bin/sh', '-c', program],
      env: {},
      walltime: { seconds: 60, graceS },
    }),
  );
  return { name, dir, run };
}

/** The wrapper's exit marker of a wrapped calc, undefined when it wrote none. */
function exitMarker(c: Calc): string | undefined {
  const file = join(c.dir, '.retort', 'exit');
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

const started = (c: Calc): boolean => existsSync(join(c.dir, '.retort', 'pid'));

/** The shells the runner is tried with: dash (/bin/sh here) and bash when present. */
const SHELLS = ['/bin/sh', '/bin/dash', '/bin/bash'].filter(
  (sh, i, all) =>
    existsSync(sh) && all.findIndex((other) => realpathSync(other) === realpathSync(sh)) === i,
);

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
    const child = spawn('/bin/sh', [script, list, '2', '60', '0', '2'], { stdio: 'pipe' });
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

describe.each(SHELLS)('the pack runner cancelling one calc (%s)', (shell) => {
  it('TERMs a started calc whose cancel request appears; the others run to their end', async () => {
    // Two slots: `victim` and `slow` start; the runner waits for a slot for `last` when the
    // request comes, and starts `last` once the victim has ended.
    const victim = wrapped('victim', 'echo started; exec sleep 300');
    const slow = wrapped('slow', 'sleep 2; echo slow done');
    const last = wrapped('last', 'echo last done');
    const pack = startPack(
      [
        [60, victim],
        [60, slow],
        [60, last],
      ],
      2,
      3600,
      0,
      shell,
    );
    await until(() => started(victim) && started(slow), 'two calcs to start');
    expect(started(last)).toBe(false);
    requestCancel(pack.listDir, 0);
    const { status, stderr } = await pack.done;
    expect(stderr).toBe('');
    expect(status).toBe(0);
    // The victim's program died of TERM (128 + 15) and its wrapper recorded it.
    expect(exitMarker(victim)).toBe('143\n');
    expect([slow, last].map(exitMarker)).toEqual(['0\n', '0\n']);
    expect(readFileSync(join(last.dir, 'stdout'), 'utf8')).toBe('last done\n');
    expect(cancelled(pack)).toEqual([]);
    expect(skipped(pack)).toEqual([]);
  }, 30_000);

  it('KILLs a cancelled calc that ignores TERM once the grace period is over', async () => {
    // Both lines are read at once: the request comes while the runner waits for the last calcs.
    const stubborn = wrapped(
      'stubborn',
      'trap "echo TERM >>seen" TERM; echo started; while :; do sleep 1; done',
      // timeout, which gets the TERM too, would KILL only after 60 s: the runner's KILL (2 s)
      120,
    );
    const other = wrapped('other', 'sleep 1; echo other done');
    const pack = startPack(
      [
        [60, stubborn],
        [60, other],
      ],
      2,
      3600,
      0,
      shell,
    );
    await until(() => started(stubborn) && started(other), 'both calcs to start');
    requestCancel(pack.listDir, 0);
    const { status } = await pack.done;
    expect(status).toBe(0);
    // It got TERM first, and outlived it; KILL took its wrapper too (no exit marker).
    expect(readFileSync(join(stubborn.dir, 'seen'), 'utf8')).toContain('TERM');
    expect(exitMarker(stubborn)).toBeUndefined();
    expect(exitMarker(other)).toBe('0\n');
  }, 30_000);

  it('never starts a calc cancelled before its turn, and lists it as cancelled, not skipped', async () => {
    const first = wrapped('first', 'sleep 1');
    const dropped = wrapped('dropped', 'echo ran');
    const third = wrapped('third', 'echo ran');
    const listDir = join(root, 'job dir');
    requestCancel(listDir, 1);
    const pack = startPack(
      [
        [60, first],
        [60, dropped],
        [60, third],
      ],
      1,
      3600,
      0,
      shell,
    );
    expect((await pack.done).status).toBe(0);
    expect([first, dropped, third].map(started)).toEqual([true, false, true]);
    expect(cancelled(pack)).toEqual([dropped.run]);
    expect(skipped(pack)).toEqual([]);
  }, 30_000);
});
