import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  arrayListText,
  assertNoNewline,
  batchScript,
  packListText,
  packRunnerArgs,
  parseSkipped,
  sbatchArgv,
  slurmMinutes,
  type BatchRequest,
} from '../../../src/executors/slurm/batch-script.js';
import { tempDir } from '../../helpers/temp-dir.js';

const base: BatchRequest = {
  mode: 'single',
  jobName: 'rt-c1-abc.1',
  cores: 4,
  timeLimitS: 3600,
  outputDir: '/scratch/rt/c1/.retort',
  workDir: '/scratch/rt/c1',
  setup: [],
  extraArgs: [],
};

describe('slurmMinutes', () => {
  it('rounds up to whole minutes, at least one', () => {
    expect(slurmMinutes(1)).toBe(1);
    expect(slurmMinutes(60)).toBe(1);
    expect(slurmMinutes(61)).toBe(2);
    expect(slurmMinutes(3600)).toBe(60);
    expect(slurmMinutes(0.5)).toBe(1);
  });

  it('throws on a time that is not positive', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => slurmMinutes(bad)).toThrow(/positive number of seconds/);
    }
  });
});

describe('sbatchArgv', () => {
  it('builds a single job with only the required options', () => {
    expect(
      sbatchArgv(base, '/scratch/rt/c1/.retort/job.sh', ['/scratch/rt/c1/.retort/run']),
    ).toEqual([
      'sbatch',
      '--parsable',
      '--job-name=rt-c1-abc.1',
      '--output=/scratch/rt/c1/.retort/slurm-%j.out',
      '--chdir=/scratch/rt/c1',
      '--time=60',
      '--cpus-per-task=4',
      '/scratch/rt/c1/.retort/job.sh',
      '/scratch/rt/c1/.retort/run',
    ]);
  });

  it('adds memory, partition, account, QOS and the user’s options in order', () => {
    const req: BatchRequest = {
      ...base,
      memoryMb: 2000.5,
      partition: 'short',
      account: 'chem',
      qos: 'low',
      timeLimitS: 90,
      outputDir: '/out dir/',
      extraArgs: ['--constraint=avx2', '--exclusive'],
    };
    expect(sbatchArgv(req, '/s/job.sh', ['/a b/run'])).toEqual([
      'sbatch',
      '--parsable',
      '--job-name=rt-c1-abc.1',
      '--output=/out dir/slurm-%j.out',
      '--chdir=/scratch/rt/c1',
      '--time=2',
      '--cpus-per-task=4',
      '--mem=2001M',
      '--partition=short',
      '--account=chem',
      '--qos=low',
      '--constraint=avx2',
      '--exclusive',
      '/s/job.sh',
      '/a b/run',
    ]);
  });

  it('builds an array job, throttled or not', () => {
    const req: BatchRequest = { ...base, mode: 'array', cores: 2, arrayTasks: 5, timeLimitS: 600 };
    expect(sbatchArgv(req, '/j/job.sh', ['/j/list'])).toEqual([
      'sbatch',
      '--parsable',
      '--job-name=rt-c1-abc.1',
      '--output=/scratch/rt/c1/.retort/slurm-%A_%a.out',
      '--chdir=/scratch/rt/c1',
      '--time=10',
      '--cpus-per-task=2',
      '--array=0-4',
      '/j/job.sh',
      '/j/list',
    ]);
    expect(sbatchArgv({ ...req, arrayParallel: 2, partition: 'p' }, '/j/job.sh', [])).toEqual([
      'sbatch',
      '--parsable',
      '--job-name=rt-c1-abc.1',
      '--output=/scratch/rt/c1/.retort/slurm-%A_%a.out',
      '--chdir=/scratch/rt/c1',
      '--time=10',
      '--cpus-per-task=2',
      '--partition=p',
      '--array=0-4%2',
      '/j/job.sh',
    ]);
  });

  it('builds a packed allocation: one task with all the cores', () => {
    const req: BatchRequest = { ...base, mode: 'packed', cores: 16, memoryMb: 8000 };
    expect(sbatchArgv(req, '/j/job.sh', packRunnerArgs('/j/list', 4, 3600, 30, 10))).toEqual([
      'sbatch',
      '--parsable',
      '--job-name=rt-c1-abc.1',
      '--output=/scratch/rt/c1/.retort/slurm-%j.out',
      '--chdir=/scratch/rt/c1',
      '--time=60',
      '--ntasks=1',
      '--cpus-per-task=16',
      '--mem=8000M',
      '/j/job.sh',
      '/j/list',
      '4',
      '3600',
      '30',
      '10',
    ]);
  });

  it('refuses what sbatch would misread', () => {
    expect(() => sbatchArgv({ ...base, outputDir: 'relative' }, '/j', [])).toThrow(/absolute/);
    expect(() => sbatchArgv({ ...base, outputDir: '/a%j' }, '/j', [])).toThrow(/"%"/);
    expect(() => sbatchArgv({ ...base, jobName: 'a\nb' }, '/j', [])).toThrow(/newline/);
    expect(() => sbatchArgv({ ...base, workDir: '/a\nb' }, '/j', [])).toThrow(/newline/);
    expect(() => sbatchArgv({ ...base, cores: 0 }, '/j', [])).toThrow(/cores/);
    expect(() => sbatchArgv({ ...base, cores: 1.5 }, '/j', [])).toThrow(/cores/);
    expect(() => sbatchArgv({ ...base, memoryMb: 0 }, '/j', [])).toThrow(/memoryMb/);
    expect(() => sbatchArgv({ ...base, mode: 'array' }, '/j', [])).toThrow(/arrayTasks/);
    expect(() =>
      sbatchArgv({ ...base, mode: 'array', arrayTasks: 2, arrayParallel: 0 }, '/j', []),
    ).toThrow(/arrayParallel/);
  });
});

describe('batchScript', () => {
  it('is static text plus the setup lines, verbatim, one per line', () => {
    const setup = ['module load xtb/6.5', 'export OMP_NUM_THREADS="$SLURM_CPUS_PER_TASK"'];
    for (const mode of ['single', 'array', 'packed'] as const) {
      const script = batchScript(mode, setup);
      expect(script.startsWith('#!/bin/sh\n')).toBe(true);
      expect(script).toContain(`\nset --\n${setup.join('\n')}\n`);
      expect(batchScript(mode, [])).not.toContain('module load');
    }
  });

  it('refuses setup lines with a newline or NUL', () => {
    expect(() => batchScript('single', ['ok', 'a\nb'])).toThrow(/setup line 2/);
    expect(() => batchScript('packed', ['a\0b'])).toThrow(/setup line 1/);
    expect(() => batchScript('array', ['a\rb'])).toThrow(/newline/);
  });
});

describe('the batch scripts, run by /bin/sh', () => {
  let dir: string;
  let remove: () => void;

  beforeEach(() => {
    ({ dir, remove } = tempDir('retort slurm script '));
  });

  afterEach(() => {
    remove();
  });

  /** A run script in a directory whose name has spaces: it writes its name and $# to `ran`. */
  function runScript(name: string): string {
    const calc = join(dir, `calc ${name}`);
    mkdirSync(calc);
    const path = join(calc, 'run script.sh');
    writeFileSync(path, `echo "${name} $# $RETORT_SETUP" >>"${join(dir, 'ran')}"\n`);
    return path;
  }

  function runBatch(
    mode: 'single' | 'array',
    args: string[],
    env: Record<string, string> = {},
  ): { status: number | null; stderr: string } {
    const script = join(dir, 'job script.sh');
    // The setup line sees no positional parameters: the script cleared them.
    writeFileSync(script, batchScript(mode, ['export RETORT_SETUP="setup saw $#"']));
    const result = spawnSync('/bin/sh', [script, ...args], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    return { status: result.status, stderr: result.stderr };
  }

  it('single: runs the run script after the setup lines', () => {
    const run = runScript('one');
    expect(runBatch('single', [run]).status).toBe(0);
    expect(readFileSync(join(dir, 'ran'), 'utf8')).toBe('one 0 setup saw 0\n');
  });

  it('array: runs the run script on line task + 1 of the list', () => {
    const paths = ['a', 'b', 'c'].map(runScript);
    const list = join(dir, 'the list');
    writeFileSync(list, arrayListText(paths));
    expect(runBatch('array', [list], { SLURM_ARRAY_TASK_ID: '1' }).status).toBe(0);
    expect(runBatch('array', [list], { SLURM_ARRAY_TASK_ID: '0' }).status).toBe(0);
    expect(readFileSync(join(dir, 'ran'), 'utf8')).toBe('b 0 setup saw 0\na 0 setup saw 0\n');
    const missing = runBatch('array', [list], { SLURM_ARRAY_TASK_ID: '3' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('no run script on line 4');
  });
});

describe('list files', () => {
  it('writes one path per line, with the walltime in front for packs', () => {
    expect(arrayListText(['/a b/run', '/c/run'])).toBe('/a b/run\n/c/run\n');
    expect(
      packListText([
        { walltimeS: 60, path: '/a b/run' },
        { walltimeS: 0.2, path: '/c/run' },
      ]),
    ).toBe('60 /a b/run\n1 /c/run\n');
    expect(() => arrayListText(['/a\nb'])).toThrow(/newline/);
    expect(() => packListText([{ walltimeS: 1, path: '/a\0' }])).toThrow(/NUL/);
  });

  it('passes the pack runner its arguments as strings', () => {
    expect(packRunnerArgs('/j/list', 3, 3600.7, 29.2, 9.5)).toEqual([
      '/j/list',
      '3',
      '3600',
      '30',
      '10',
    ]);
    expect(() => packRunnerArgs('/j/list', 0, 60, 0, 10)).toThrow(/concurrency/);
  });

  it('reads the skipped and cancelled files', () => {
    expect(parseSkipped('/a b/run\n/c/run\n')).toEqual(['/a b/run', '/c/run']);
    expect(parseSkipped('')).toEqual([]);
  });

  it('assertNoNewline names what it checks', () => {
    expect(() => {
      assertNoNewline('/x\ny', 'the list path');
    }).toThrow(/the list path contains a newline/);
    expect(() => {
      assertNoNewline('/x y', 'p');
    }).not.toThrow();
  });
});
