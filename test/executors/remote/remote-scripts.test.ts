import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  LAUNCH,
  POLL,
  SIGNAL,
  parsePoll,
  runScript,
  scriptArgv,
  type RemoteState,
} from '../../../src/executors/remote/remote-scripts.js';
import { killAll, survivors } from '../../helpers/processes.js';
import { makeTempDir } from '../local/make-job.js';

// The remote scripts run here with /bin/sh (dash), exactly as sshd's shell would run them.
let root: string;

beforeEach(() => {
  root = makeTempDir();
});

afterEach(async () => {
  const left = await survivors(root);
  killAll(left);
  rmSync(root, { recursive: true, force: true });
  expect(left).toEqual([]);
});

function run(script: string, name: string, args: readonly string[]): string {
  const [file, ...rest] = scriptArgv(script, name, args);
  return execFileSync(file ?? '/bin/sh', rest, { encoding: 'utf8' });
}

function calcDir(name: string, argv: readonly string[], walltimeS?: number): string {
  const dir = join(root, name);
  mkdirSync(join(dir, '.retort'), { recursive: true });
  writeFileSync(
    join(dir, '.retort', 'run.sh'),
    runScript({
      dir,
      stdin: undefined,
      argv,
      env: { RETORT_TEST: "it's $HOME" },
      ...(walltimeS === undefined ? {} : { walltime: { seconds: walltimeS, graceS: 1 } }),
    }),
  );
  return dir;
}

async function until(dir: string, done: (s: RemoteState) => boolean): Promise<RemoteState> {
  for (;;) {
    const [state] = parsePoll(run(POLL, 'retort-poll', [dir]), 1);
    if (state !== undefined && done(state)) return state;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('remote scripts', () => {
  it('run a calc once in its own session with its exact argv and environment', async () => {
    const nasty = ['a b', "it's", '$(date)', '`id`', 'line\nbreak', '*', '-n', ''];
    const dir = calcDir("calc with 'quote' and space", [
      '/bin/sh',
      '-c',
      'echo run >>count; printf "%s|" "$@" "$RETORT_TEST"',
      'sh',
      ...nasty,
    ]);
    expect(parsePoll(run(POLL, 'retort-poll', [dir]), 1)).toEqual([{ kind: 'none' }]);
    const pid = run(LAUNCH, 'retort-launch', [dir]).trim();
    expect(pid).toMatch(/^\d+$/);
    // The launcher recorded is the process that became the wrapper (setsid did not fork).
    expect(readFileSync(join(dir, '.retort', 'launcher'), 'utf8')).toBe(`${pid}\n`);
    // A second launch (after a dropped connection) starts nothing.
    run(LAUNCH, 'retort-launch', [dir]);
    const state = await until(dir, (s) => s.kind === 'exit');
    expect(state).toEqual({ kind: 'exit', status: 0, timedOut: false });
    expect(readFileSync(join(dir, 'stdout'), 'utf8')).toBe(`${nasty.join('|')}|it's $HOME|`);
    expect(readFileSync(join(dir, 'count'), 'utf8')).toBe('run\n');
  });

  it('say alive while the calc runs and stop its process group on SIGNAL', async () => {
    const dir = calcDir('sleeper', ['/bin/sh', '-c', 'sleep 30 & wait']);
    run(LAUNCH, 'retort-launch', [dir]);
    expect((await until(dir, (s) => s.kind !== 'launched')).kind).toBe('alive');
    run(SIGNAL, 'retort-signal', ['TERM', dir]);
    const state = await until(dir, (s) => s.kind === 'exit');
    expect(state).toEqual({ kind: 'exit', status: 143, timedOut: false });
  });

  it('stop a calc at its walltime and leave the timeout marker', async () => {
    const dir = calcDir('slow', ['sleep', '30'], 1);
    run(LAUNCH, 'retort-launch', [dir]);
    const state = await until(dir, (s) => s.kind === 'exit');
    expect(state).toEqual({ kind: 'exit', status: 143, timedOut: true });
    expect(readFileSync(join(dir, '.retort', 'timeout'), 'utf8')).toBe('1\n');
  });

  it('wait for the run script to decide on the timeout marker before taking the exit as final', async () => {
    // The gap a loaded machine opened: the wrapper has written `exit 143`, the run script has
    // not yet written (or not) `timeout`. Held open here by a run script that is still running.
    const dir = join(root, 'gap');
    mkdirSync(join(dir, '.retort'), { recursive: true });
    writeFileSync(join(dir, '.retort', 'run.sh'), 'sleep 30\n');
    const runner = spawn('/bin/sh', [join(dir, '.retort', 'run.sh')], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, '.retort', 'runner'), `${String(runner.pid)}\n`);
      writeFileSync(join(dir, '.retort', 'exit'), '143\n');
      expect(parsePoll(run(POLL, 'retort-poll', [dir]), 1)).toEqual([
        { kind: 'alive', pid: runner.pid },
      ]);
      // Even with the timeout marker written: the script has not ended, so it is not final.
      writeFileSync(join(dir, '.retort', 'timeout'), '1\n');
      expect(parsePoll(run(POLL, 'retort-poll', [dir]), 1)).toEqual([
        { kind: 'alive', pid: runner.pid },
      ]);
    } finally {
      runner.kill('SIGKILL');
      await new Promise((done) => runner.once('exit', done));
    }
    // Once the run script is gone, the marker is final, with or without `timeout`.
    expect(parsePoll(run(POLL, 'retort-poll', [dir]), 1)).toEqual([
      { kind: 'exit', status: 143, timedOut: true },
    ]);
    rmSync(join(dir, '.retort', 'timeout'));
    expect(parsePoll(run(POLL, 'retort-poll', [dir]), 1)).toEqual([
      { kind: 'exit', status: 143, timedOut: false },
    ]);
  });

  it('tell a dead calc from a finished one, and ignore a torn exit marker', () => {
    const dead = join(root, 'dead');
    mkdirSync(join(dead, '.retort'), { recursive: true });
    writeFileSync(join(dead, '.retort', 'pid'), '999999999\n');
    writeFileSync(join(dead, '.retort', 'exit'), '0');
    const missing = join(root, 'does not exist');
    expect(parsePoll(run(POLL, 'retort-poll', [dead, missing]), 2)).toEqual([
      { kind: 'dead' },
      { kind: 'none' },
    ]);
  });

  it('tell a launch that died before the wrapper started from one still under way', async () => {
    const poll = (dir: string): RemoteState | undefined =>
      parsePoll(run(POLL, 'retort-poll', [dir]), 1)[0];
    const launch = (name: string): string => {
      const dir = join(root, name);
      mkdirSync(join(dir, '.retort', 'launched'), { recursive: true });
      return dir;
    };
    // Its launcher gone and no pid file: the wrapper will never start.
    const died = launch('died');
    writeFileSync(join(died, '.retort', 'launcher'), '999999999\n');
    expect(poll(died)).toEqual({ kind: 'dead' });
    // Its launcher still running (here the run script, not yet the wrapper): under way.
    const slow = launch('slow');
    writeFileSync(join(slow, '.retort', 'run.sh'), 'sleep 30\n');
    const launcher = spawn('/bin/sh', [join(slow, '.retort', 'run.sh')], { stdio: 'ignore' });
    try {
      writeFileSync(join(slow, '.retort', 'launcher'), `${String(launcher.pid)}\n`);
      expect(poll(slow)).toEqual({ kind: 'launched' });
    } finally {
      launcher.kill('SIGKILL');
      await new Promise((done) => launcher.once('exit', done));
    }
    expect(poll(slow)).toEqual({ kind: 'dead' });
    // Killed before it recorded a launcher: under way for 2 minutes, then given up.
    const unrecorded = launch('unrecorded');
    expect(poll(unrecorded)).toEqual({ kind: 'launched' });
    const threeMinutesAgo = new Date(Date.now() - 180_000);
    utimesSync(join(unrecorded, '.retort', 'launched'), threeMinutesAgo, threeMinutesAgo);
    expect(poll(unrecorded)).toEqual({ kind: 'dead' });
  });

  it('refuse output that does not match the directories asked about', () => {
    expect(() => parsePoll('exit 0 0\n', 2)).toThrow('printed 1 lines for 2 calcs');
    expect(() => parsePoll('bogus\n', 1)).toThrow('unexpected line');
  });
});
