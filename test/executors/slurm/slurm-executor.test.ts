import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExecutorUnavailableError } from '../../../src/core/errors.js';
import type { JobSpec } from '../../../src/core/job-spec.js';
import type { CheckLine, ExecutorJob } from '../../../src/executors/executor.js';
import { LocalTransport } from '../../../src/executors/remote/local-transport.js';
import {
  SlurmExecutor,
  type SlurmExecutorOptions,
} from '../../../src/executors/slurm/slurm-executor.js';
import { packJobName } from '../../../src/executors/slurm/slurm-job.js';
import type { SlurmHostSettings } from '../../../src/runtime/host-settings.js';
import { fakeSlurmHost, useFakeSlurm } from '../contract/fake-slurm.js';

// The slurm executor against the fake scheduler of test/fake-programs/slurm: what happens when
// the cluster does not answer, refuses the settings or a calc, and what `check` reports.
const fakeDir = useFakeSlurm();

let root: string;
let runs: string;
let counter = 0;
const open: SlurmExecutor[] = [];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'retort-slurm-exec-'));
  runs = join(root, 'runs');
});

afterEach(async () => {
  for (const executor of open.splice(0)) await executor.close();
  for (const name of ['down', 'once', 'refuse-jobs', 'refused']) {
    rmSync(join(fakeDir(), name), { force: true });
  }
  rmSync(root, { recursive: true, force: true });
});

function executor(
  host: Partial<SlurmHostSettings> = {},
  options: Partial<SlurmExecutorOptions> = {},
): SlurmExecutor {
  const made = new SlurmExecutor({
    name: 'slurm:fake',
    transport: new LocalTransport(),
    host: fakeSlurmHost(host),
    campaignId: 'test',
    localJobRoot: join(root, 'work', 'slurm'),
    killGraceS: 1,
    packWaitMs: 50,
    unreachableGiveUpMs: 300,
    ...options,
  });
  open.push(made);
  return made;
}

/** A job that counts its runs in `runs`, then runs `then`. */
function job(then = 'true', resources: Partial<JobSpec['resources']> = {}): ExecutorJob {
  counter += 1;
  const key = `${String(counter).padStart(4, '0')}${'e'.repeat(60)}`;
  return {
    key,
    attempt: 1,
    workdir: join(root, 'work', key),
    job: {
      argv: ['/bin/sh', '-c', `echo run >>'${runs}'; ${then}`],
      files: {},
      env: {},
      outputs: [],
      captureStdout: 'full',
      resources: { cores: 1, walltime_s: 600, ...resources },
    },
  };
}

function runCount(): number {
  return existsSync(runs) ? readFileSync(runs, 'utf8').split('\n').filter(Boolean).length : 0;
}

function clusterDown(): void {
  writeFileSync(join(fakeDir(), 'down'), '');
}

async function unavailable(promise: Promise<unknown>): Promise<ExecutorUnavailableError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ExecutorUnavailableError);
  return error as ExecutorUnavailableError;
}

describe('SlurmExecutor against a cluster that is not usable as configured', () => {
  it('says the cluster is unavailable when sbatch cannot reach slurmctld, and runs nothing', async () => {
    clusterDown();
    const error = await unavailable(executor().submit(job()));
    expect(error.executor).toBe('slurm:fake');
    expect(error.message).toMatch(/Unable to contact slurm controller/);
    expect(error.retryable).toBe(true);
    expect(runCount()).toBe(0);
  });

  it('says the cluster is unavailable when squeue cannot answer for an adopt, rather than give the calc up', async () => {
    const first = executor();
    const calc = job('sleep 1');
    await first.submit(calc);
    await first.close();
    clusterDown();
    // The handle was never stored: only squeue can say which job holds the calc.
    const error = await unavailable(executor().adopt(calc, undefined));
    expect(error.message).toMatch(/squeue.*Unable to contact slurm controller/);
  });

  it('blames the partition setting, not the calc, for a partition the cluster does not have', async () => {
    const error = await unavailable(executor({ partition: 'nosuchpart' }).submit(job()));
    expect(error.message).toMatch(/Invalid partition name specified/);
    expect(error.fix).toMatch(/set partition in retort\.yaml \(hosts\.fake\.partition\)/);
    expect(error.retryable).toBe(false);
  });

  it('says the scratch directory cannot be written', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, '');
    const error = await unavailable(executor({ scratch: join(file, 'scratch') }).submit(job()));
    expect(error.message).toMatch(/cannot stage the calc to .*a-file\/scratch/);
    expect(error.fix).toMatch(/make .*a-file\/scratch writable/);
  });

  it('blames pack_cores, not the calcs, when the cluster refuses a pack’s resources', async () => {
    const error = await unavailable(
      executor({ submit: 'packed' }).submit(job('true', { memory_mb: 100_000 })),
    );
    expect(error.message).toMatch(/Memory specification can not be satisfied/);
    expect(error.fix).toMatch(/pack_cores/);
  });
});

describe('SlurmExecutor and a calc asking for more than the cluster gives', () => {
  for (const submit of ['single', 'array'] as const) {
    it(`fails the calc, not the executor, when sbatch refuses its memory (${submit})`, async () => {
      const slurm = executor({ submit });
      const running = await slurm.submit(job('true', { memory_mb: 100_000 }));
      const exit = await running.exit;
      expect(exit.failure?.class).toBe('input_error');
      expect(exit.failure?.message).toMatch(
        /SLURM refused the job.*Memory specification can not be satisfied/,
      );
      // The cluster stays usable for calcs it can run.
      const next = await (await slurm.submit(job())).exit;
      expect(next.exitCode).toBe(0);
      expect(runCount()).toBe(1);
    });
  }

  it('fails a calc whose walltime is beyond max_walltime_s without submitting it', async () => {
    const jobs = () => readdirSync(join(fakeDir(), 'jobs')).length;
    const before = jobs();
    const running = await executor({ max_walltime_s: 600 }).submit(
      job('true', { walltime_s: 3600 }),
    );
    const exit = await running.exit;
    expect(exit.failure).toEqual({
      class: 'input_error',
      message: 'its walltime (3600 s) is longer than hosts.fake.max_walltime_s (600 s)',
    });
    expect(jobs()).toBe(before);
  });
});

describe('SlurmExecutor and a calc its job never started', () => {
  // The job fails before starting its calc and, as it ends, slurmctld stops taking jobs: the
  // calc goes round again into an sbatch that cannot succeed yet.
  const setup = [
    '[ -e "$FAKE_SLURM_DIR/once" ] || { touch "$FAKE_SLURM_DIR/once" "$FAKE_SLURM_DIR/refuse-jobs"; exit 1; }',
  ];
  const refused = () => join(fakeDir(), 'refused');

  it('keeps it queued while the cluster refuses jobs, and runs it once the cluster takes them again', async () => {
    const running = await executor({ setup }).submit(job('echo ran'));
    await until(() => existsSync(refused()));
    rmSync(join(fakeDir(), 'refuse-jobs'));
    const exit = await running.exit;
    expect(exit).toMatchObject({ exitCode: 0, timedOut: false });
    expect(exit.failure).toBeUndefined();
    expect(runCount()).toBe(1);
  });

  it('cancels it while it waits in the queue', async () => {
    const slurm = executor({ setup });
    const running = await slurm.submit(job('echo ran'));
    await until(() => existsSync(refused()));
    await slurm.cancel(running.handle, 'graceful');
    const exit = await running.exit;
    expect(exit.failure?.class).toBe('cancelled');
    expect(runCount()).toBe(0);
  });
});

describe('SlurmExecutor cancelling one calc of a packed job', () => {
  const jobCount = () =>
    existsSync(join(fakeDir(), 'jobs')) ? readdirSync(join(fakeDir(), 'jobs')).length : 0;
  const hold = () => join(fakeDir(), 'hold');
  afterEach(() => {
    rmSync(hold(), { force: true });
  });

  it('ends the cancelled calc alone, before its pack ends; the others succeed', async () => {
    const slurm = executor({ submit: 'packed', pack_size: 3, pack_cores: 3 });
    const before = jobCount();
    const [victim, a, b] = await Promise.all(
      ['exec sleep 300', 'sleep 6; echo a', 'sleep 6; echo b'].map((then) =>
        slurm.submit(job(then)),
      ),
    );
    if (victim === undefined || a === undefined || b === undefined) throw new Error('no jobs');
    await until(() => runCount() === 3);
    await slurm.cancel(victim.handle, 'graceful');
    const exit = await victim.exit;
    expect(exit.failure?.class).toBe('cancelled');
    expect(exit.signal).toBe('SIGTERM');
    // Resolved while its pack-mates still run.
    const markers = [a, b].map((r) => join(r.handle.remote_dir as string, '.retort', 'exit'));
    expect(markers.filter((m) => existsSync(m))).toEqual([]);
    for (const mate of [a, b]) {
      const end = await mate.exit;
      expect(end).toMatchObject({ exitCode: 0, timedOut: false });
      expect(end.failure).toBeUndefined();
    }
    expect(jobCount() - before).toBe(1);
  }, 60_000);

  it('never starts a calc cancelled before its pack starts, nor sends it into another pack', async () => {
    writeFileSync(hold(), '');
    const slurm = executor({ submit: 'packed', pack_size: 3, pack_cores: 1 });
    const before = jobCount();
    const [first, victim, last] = await Promise.all(
      ['echo first', 'echo victim', 'echo last'].map((then) => slurm.submit(job(then))),
    );
    if (first === undefined || victim === undefined || last === undefined) throw new Error('no');
    await slurm.cancel(victim.handle, 'graceful');
    rmSync(hold());
    expect((await victim.exit).failure?.class).toBe('cancelled');
    expect((await first.exit).exitCode).toBe(0);
    expect((await last.exit).exitCode).toBe(0);
    expect(existsSync(join(victim.handle.remote_dir as string, '.retort', 'pid'))).toBe(false);
    expect(runCount()).toBe(2);
    expect(jobCount() - before).toBe(1);
  }, 60_000);

  it('ignores the cancel requests of an earlier pack of the same name', async () => {
    const slurm = executor({ submit: 'packed', pack_size: 2, pack_cores: 1 });
    const calcs = [job('echo one'), job('echo two')];
    const [first] = calcs;
    if (first === undefined) throw new Error('no jobs');
    // What a pack named after the same first calc left (it went round again).
    const packDir = join(root, 'work', 'slurm', packJobName('test', first));
    mkdirSync(join(packDir, 'cancel'), { recursive: true });
    writeFileSync(join(packDir, 'cancel', '1'), '');
    writeFileSync(join(packDir, 'cancelled'), `${calcs[1]?.workdir ?? ''}/.retort/run.sh\n`);
    const exits = await Promise.all(
      (await Promise.all(calcs.map((c) => slurm.submit(c)))).map((r) => r.exit),
    );
    expect(exits.map((e) => e.exitCode)).toEqual([0, 0]);
    expect(runCount()).toBe(2);
  }, 60_000);

  it('after a restart, does not send round again a calc its pack left out on an earlier cancel', async () => {
    writeFileSync(hold(), '');
    const first = executor({ submit: 'packed', pack_size: 2, pack_cores: 1 });
    const before = jobCount();
    const keptCalc = job('sleep 1; echo kept');
    const victimCalc = job('echo victim');
    const [kept, victim] = await Promise.all([first.submit(keptCalc), first.submit(victimCalc)]);
    await first.cancel(victim.handle, 'graceful');
    await first.close();
    rmSync(hold());
    // The next runner's executor knows nothing of the cancel; the pack's runner told it.
    const second = executor({ submit: 'packed', pack_size: 2, pack_cores: 1 });
    const [keptAgain, victimAgain] = await Promise.all([
      second.adopt(keptCalc, kept.handle),
      second.adopt(victimCalc, victim.handle),
    ]);
    expect((await keptAgain?.exit)?.exitCode).toBe(0);
    expect((await victimAgain?.exit)?.failure?.class).toBe('cancelled');
    expect(runCount()).toBe(1);
    expect(jobCount() - before).toBe(1);
  }, 60_000);
});

describe('SlurmExecutor finding jobs again', () => {
  it('finds a job by its name when the runner died before storing its id', async () => {
    const first = executor();
    const calc = job('sleep 1; echo finished');
    await first.submit(calc);
    await first.close();
    const adopted = await executor().adopt(calc, undefined);
    expect(adopted).toBeDefined();
    expect((await adopted?.exit)?.exitCode).toBe(0);
    expect(runCount()).toBe(1);
  });

  it('reads how a job ended from the completion log once squeue and scontrol forgot it', async () => {
    const first = executor();
    const calc = job('exit 4');
    const { handle } = await first.submit(calc);
    await first.close();
    await until(() => existsSync(join(calc.workdir, '.retort', 'exit')));
    process.env.FAKE_SLURM_MIN_JOB_AGE_S = '0';
    try {
      const adopted = await executor().adopt(calc, handle);
      const exit = await adopted?.exit;
      expect(exit?.exitCode).toBe(4);
      // FAILED in the log: the calc's own status decides (UNKNOWN would make it `lost`).
      expect(exit?.failure).toBeUndefined();
    } finally {
      delete process.env.FAKE_SLURM_MIN_JOB_AGE_S;
    }
    expect(readFileSync(join(fakeDir(), 'jobcomp.txt'), 'utf8')).toMatch(/JobState=FAILED/);
  });
});

describe('SlurmExecutor.check', () => {
  const programs = [
    { program: 'sh', path: 'sh', argv: undefined, parse: undefined, needed: true },
    {
      program: 'mopac',
      path: 'no-such-mopac',
      argv: ['no-such-mopac', '--version'],
      parse: () => '23',
      needed: false,
    },
    {
      program: 'xtb',
      path: 'no-such-xtb',
      argv: ['no-such-xtb', '--version'],
      parse: () => '6',
      needed: true,
    },
  ];

  async function check(host: Partial<SlurmHostSettings> = {}): Promise<CheckLine[]> {
    const lines: CheckLine[] = [];
    await executor(host).check(programs, (line) => lines.push(line));
    return lines;
  }

  it('reports the cluster, its scratch, sbatch, squeue, the partition and each program', async () => {
    const lines = await check({ partition: 'main' });
    expect(
      lines.map((l) => [l.ok, l.optional ?? false, l.line.replace(/: .*? \(\d+ ms\)$/, '')]),
    ).toEqual([
      [true, false, 'reached this machine'],
      [true, false, `scratch ${join(root, 'work')} is writable`],
      [true, false, 'sbatch --version: answers (slurm-wlm 22.05.8)'],
      [true, false, expect.stringMatching(/^squeue --me --noheader --format=%i: answers \(/)],
      [true, false, 'partition main exists'],
      [true, false, expect.stringMatching(/^sh: \/.*sh$/)],
      [true, true, 'mopac: not found as no-such-mopac'],
      [false, false, 'xtb: not found as no-such-xtb (the campaign uses it)'],
      [true, true, 'note: programs were looked for where sbatch runs; compute nodes may differ'],
    ]);
  });

  it('names the partitions when the one set does not exist, and the default when none is set', async () => {
    const wrong = await check({ partition: 'gpu' });
    expect(wrong).toContainEqual({ ok: false, line: 'partition gpu is not among main' });
    const none = await check();
    expect(none).toContainEqual({ ok: true, line: 'partitions: main (the default is used)' });
  });

  it('fails squeue and the partition when slurmctld does not answer', async () => {
    clusterDown();
    const lines = await check({ partition: 'main' });
    expect(lines).toContainEqual({
      ok: false,
      line: 'squeue --me --noheader --format=%i failed: slurm_load_jobs error: Unable to contact slurm controller (connect failure)',
    });
    expect(lines.find((l) => l.line.startsWith('partition main'))?.ok).toBe(false);
  });

  it('fails the scratch line when scratch cannot be written', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, '');
    const lines = await check({ scratch: join(file, 'scratch') });
    expect(lines[1]?.ok).toBe(false);
    expect(lines[1]?.line).toMatch(/^scratch .*a-file\/scratch is not writable: /);
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 30_000) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
