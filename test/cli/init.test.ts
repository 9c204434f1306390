import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ENGINES } from '../../src/engines/registry.js';
import {
  cleanupTempDirs,
  commandLines,
  runCli,
  tempCampaign,
  tempDir,
  withStore,
} from '../helpers/cli.js';

afterEach(async () => {
  expect(await cleanupTempDirs()).toEqual([]);
});

/** stderr as its non-empty lines. */
function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

describe('retort init', () => {
  it('creates retort.yaml, the store and the work, details, exports and logs directories', () => {
    const parent = tempDir();
    const dir = join(parent, 'campaign');
    const r = runCli(['init', dir], { cwd: parent });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(dir);
    expect(statSync(join(dir, 'retort.yaml')).isFile()).toBe(true);
    expect(statSync(join(dir, 'retort.db')).isFile()).toBe(true);
    for (const d of ['work', 'details', 'exports', 'logs']) {
      expect(statSync(join(dir, d)).isDirectory(), d).toBe(true);
    }
    const tables = withStore(dir, (db) =>
      (
        db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as {
          name: string;
        }[]
      ).map((t) => t.name),
    );
    expect(tables).toEqual(expect.arrayContaining(['calcs', 'attempts', 'runs']));
  });

  it('refuses to init the same directory twice, with one line and exit status 2', () => {
    const dir = tempCampaign();
    const r = runCli(['init', dir], { cwd: dir });
    expect(r.status).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^retort: .*already a campaign/);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });
});

describe('finding the campaign', () => {
  it('finds the campaign upwards from a subdirectory', () => {
    const dir = tempCampaign();
    const sub = join(dir, 'a', 'b', 'c');
    mkdirSync(sub, { recursive: true });
    const r = runCli(['status', '--json'], { cwd: sub });
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { campaign: string; runner: { alive: boolean } };
    expect(report.campaign).toBe(dir);
    expect(report.runner.alive).toBe(false);
  });

  it('says in one line that there is no campaign when none is found upwards, exit status 2', () => {
    const dir = tempDir();
    // The temp dir is under /tmp (or TMPDIR): make sure no campaign is above it by accident.
    for (let d = dir; d !== '/'; d = join(d, '..'))
      expect(existsSync(join(d, 'retort.yaml'))).toBe(false);
    writeFileSync(join(dir, 'calcs.jsonl'), commandLines([{ argv: ['true'] }]));
    for (const args of [['status'], ['stop'], ['run', 'calcs.jsonl']]) {
      const r = runCli(args, { cwd: dir });
      expect(r.status, args.join(' ')).toBe(2);
      expect(lines(r.stderr), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(/^retort: no campaign here/);
      expect(r.stderr).toContain('retort.yaml');
      expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
      expect(r.stdout).toBe('');
    }
  });

  it('refuses --campaign DIR when DIR holds no retort.yaml', () => {
    const dir = tempDir();
    const r = runCli(['--campaign', dir, 'status'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toContain(`--campaign ${dir}`);
    expect(r.stderr).toContain('retort.yaml');
  });

  it('uses --campaign DIR from anywhere', () => {
    const dir = tempCampaign();
    const elsewhere = tempDir();
    const r = runCli(['--campaign', dir, 'status', '--json'], { cwd: elsewhere });
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as { campaign: string }).campaign).toBe(dir);
  });
});

describe('help', () => {
  it('retort --help lists every command and global option', () => {
    const r = runCli(['--help'], { cwd: tempDir() });
    expect(r.status).toBe(0);
    for (const word of [
      'init',
      'calc',
      'run',
      'status',
      'stop',
      '--campaign',
      '--debug',
      '--help',
    ]) {
      expect(r.stdout, word).toContain(word);
    }
  });

  it('retort run --help lists every option of run', () => {
    const r = runCli(['run', '--help'], { cwd: tempDir() });
    expect(r.status).toBe(0);
    for (const word of [
      '<file>',
      '--workers',
      '--retry-failed',
      '--failure-threshold',
      '--headless',
      '--json',
    ]) {
      expect(r.stdout, word).toContain(word);
    }
  });

  it('retort calc --help lists every option of calc', () => {
    const r = runCli(['calc', '--help'], { cwd: tempDir() });
    expect(r.status).toBe(0);
    for (const word of [
      '--program',
      '--task',
      '--method',
      '--basis',
      '--keywords',
      '--smiles',
      '--xyz',
      '--charge',
      '--multiplicity',
      '--walltime',
      '--cores',
      '--label',
      '--retry-failed',
      '--headless',
      '--json',
    ]) {
      expect(r.stdout, word).toContain(word);
    }
  });

  it('retort calc --help and retort run --help name every program of the engine registry', () => {
    for (const command of ['calc', 'run']) {
      const r = runCli([command, '--help'], { cwd: tempDir() });
      expect(r.status).toBe(0);
      for (const engine of ENGINES)
        expect(r.stdout, `${command}: ${engine.program}`).toContain(engine.program);
    }
  });

  it('retort status --help and retort stop --help describe their commands', () => {
    const status = runCli(['status', '--help'], { cwd: tempDir() });
    expect(status.status).toBe(0);
    expect(status.stdout).toContain('--json');
    const stop = runCli(['stop', '--help'], { cwd: tempDir() });
    expect(stop.status).toBe(0);
    expect(stop.stdout).toContain('STOP');
  });
});
