import { execFileSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  campaignLogs,
  cleanupTempDirs,
  commandLines,
  countedCalcs,
  fileLines,
  hasProgram,
  labels,
  runCli,
  startCli,
  tempCampaign,
  tempDir,
  untilStarted,
  waitFor,
  withStore,
} from '../helpers/cli.js';
import {
  MOLECULES,
  heats,
  mopacList,
  runJson as runJsonIn,
  type RunLine,
} from '../helpers/mopac-list.js';
import {
  ensureSlurm,
  jobcompPath,
  setNodeState,
  slurmUnavailable,
  type SlurmCluster,
} from '../helpers/slurm.js';

// Real calcs through a real SLURM (scripts/dev/slurm-up.sh: munge, slurmctld, 4 slurmd
// "nodes" on this host). Every run goes through the CLI, as a user would run it.
const skip = slurmUnavailable() ?? (hasProgram('mopac') ? undefined : 'MOPAC is not installed');
let cluster: SlurmCluster;

beforeAll(async () => {
  if (skip === undefined) cluster = await ensureSlurm();
}, 600_000);

afterEach(async () => {
  expect(await cleanupTempDirs()).toEqual([]);
});

interface HostOptions {
  readonly submit: 'single' | 'array' | 'packed';
  readonly partition?: string;
  readonly packSize?: number;
  readonly retries?: number;
  readonly packCores?: number;
  readonly maxWalltimeS?: number;
}

/** A campaign whose retort.yaml has the dev cluster as `slurm:dev`. */
function slurmCampaign(options: HostOptions): string {
  const dir = tempCampaign();
  writeFileSync(
    join(dir, 'retort.yaml'),
    [
      'control:',
      `  retries: ${String(options.retries ?? 1)}`,
      // Retries here test what is retried, not the backoff (test/runtime/runner/retry-policy).
      '  retry_base_s: 1',
      'hosts:',
      '  dev:',
      '    type: slurm',
      `    partition: ${options.partition ?? cluster.partitions.main}`,
      `    submit: ${options.submit}`,
      `    pack_size: ${String(options.packSize ?? 50)}`,
      `    pack_cores: ${String(options.packCores ?? 4)}`,
      `    max_walltime_s: ${String(options.maxWalltimeS ?? 86_400)}`,
      '    poll_s: 1',
      '    max_jobs: 20',
      '',
    ].join('\n'),
  );
  return dir;
}

function runJson(
  dir: string,
  file: string,
  extra: readonly string[] = [],
  env: Readonly<Record<string, string>> = {},
): RunLine[] {
  return runJsonIn(dir, file, extra, { ...cluster.env, ...env });
}

describe.skipIf(skip)('retort run --executor slurm:NAME (real SLURM, real MOPAC)', () => {
  let localHeats: Record<string, number | undefined>;

  beforeAll(() => {
    if (skip !== undefined) return;
    const dir = tempCampaign();
    const file = join(dir, 'calcs.jsonl');
    writeFileSync(file, mopacList());
    localHeats = heats(runJson(dir, file));
  }, 300_000);

  for (const submit of ['single', 'array', 'packed'] as const) {
    it(`gives the local results in ${submit} mode`, () => {
      const dir = slurmCampaign({ submit, packSize: 4 });
      const file = join(dir, 'calcs.jsonl');
      writeFileSync(file, mopacList());
      const lines = runJson(dir, file, ['--executor', 'slurm:dev']);
      expect(lines.map((l) => l.status)).toEqual(MOLECULES.map(() => 'succeeded'));
      const remote = heats(lines);
      for (const [label] of MOLECULES) {
        expect(remote[label]).toBeCloseTo(localHeats[label] ?? NaN, 2);
      }
      const jobIds = withStore(dir, (db) =>
        db
          .prepare(
            "SELECT DISTINCT json_extract(handle_json, '$.job_name') AS name FROM attempts WHERE executor = 'slurm:dev'",
          )
          .pluck()
          .all(),
      );
      // 12 calcs (6 Open Babel geometries, 6 MOPAC): single = one job each; packs of 4.
      if (submit === 'single') expect(jobIds.length).toBe(12);
      else expect(jobIds.length).toBeLessThanOrEqual(6);
      const status = runCli(['status'], { cwd: dir });
      expect(status.stdout).toMatch(/slurm:dev\s+0 submitted, 0 running, 12 done, 0 failed/);
    }, 300_000);
  }

  it('never submits twice when the runner is killed with jobs queued and running', async () => {
    const dir = slurmCampaign({ submit: 'array', packSize: 3 });
    const { file, counter } = countedCalcs(dir, 9, 'sleep 4');
    const first = startCli(['run', file, '--executor', 'slurm:dev', '--headless'], {
      cwd: dir,
      env: cluster.env,
    });
    // Kill the runner once some calcs run and others are still queued in SLURM.
    await untilStarted(counter, 1);
    first.child.kill('SIGKILL');
    await first.exit;
    const second = runCli(['run', file, '--executor', 'slurm:dev', '--json'], {
      cwd: dir,
      env: cluster.env,
    });
    const lines = JSON.parse(second.stdout) as RunLine[];
    expect(lines.map((l) => l.status)).toEqual(lines.map(() => 'succeeded'));
    // Every calc ran exactly once: no double submission, nothing lost.
    expect(fileLines(counter).sort()).toEqual(labels(9));
    expect(campaignLogs(dir)).toMatch(/re-adopted/);
  }, 300_000);

  it('sends a calc its pack has no time left for into the next pack', () => {
    // One core per pack, 3 calcs of 12 s with walltimes of 20 s, allocations of 70 s: the
    // third would start at 24 s with 46 s left, less than its 20 s + 30 s margin, and goes
    // into a second pack (the second too, on a machine slow enough to start it 8 s late).
    const dir = slurmCampaign({ submit: 'packed', packSize: 3, packCores: 1, maxWalltimeS: 70 });
    const { file, counter } = countedCalcs(dir, 3, 'sleep 12', {
      note: ' $SLURM_JOB_ID',
      walltimeS: 20,
    });
    const lines = runJson(dir, file, ['--executor', 'slurm:dev']);
    expect(lines.map((l) => l.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    // Each calc ran once, and no pack ran a third calc after two (the runner may also have
    // formed its packs otherwise on a loaded machine, e.g. c1 alone and then c0 with c2).
    const starts = fileLines(counter).map((line) => line.split(' '));
    expect(starts.map(([label]) => label).sort()).toEqual(['c0', 'c1', 'c2']);
    const perJob = new Map<string, number>();
    for (const [, job = ''] of starts) perJob.set(job, (perJob.get(job) ?? 0) + 1);
    expect(perJob.size).toBeGreaterThanOrEqual(2);
    expect(Math.max(...perJob.values())).toBeLessThanOrEqual(2);
  }, 300_000);

  it('refuses a calc longer than the cluster allows, before submitting anything', () => {
    const dir = slurmCampaign({ submit: 'single', maxWalltimeS: 600, retries: 0 });
    const file = join(dir, 'calcs.jsonl');
    writeFileSync(file, commandLines([{ label: 'long', argv: ['true'], walltime_s: 3600 }]));
    const [line] = runJson(dir, file, ['--executor', 'slurm:dev']);
    expect(line?.status).toBe('failed');
    expect(line?.failure?.message).toMatch(
      /walltime \(3600 s\) is longer than hosts\.dev\.max_walltime_s \(600 s\)/,
    );
  }, 120_000);

  it('finds a job by its name when the runner died between sbatch and recording the job id', async () => {
    const dir = slurmCampaign({ submit: 'array', packSize: 4 });
    const { file, counter } = countedCalcs(dir, 4, 'sleep 5');
    const first = startCli(['run', file, '--executor', 'slurm:dev', '--headless'], {
      cwd: dir,
      env: cluster.env,
    });
    await untilStarted(counter, 1);
    first.child.kill('SIGKILL');
    await first.exit;
    // As if the crash came right after sbatch: the calcs are `submitted`, no job id recorded.
    const db = new Database(join(dir, 'retort.db'));
    db.exec(
      "UPDATE attempts SET handle_json = NULL, started_at = NULL, status = 'submitted' WHERE status = 'running'; UPDATE calcs SET status = 'submitted' WHERE status = 'running'",
    );
    db.close();
    const lines = runJson(dir, file, ['--executor', 'slurm:dev']);
    expect(lines.map((l) => l.status)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
    expect(fileLines(counter).sort()).toEqual(['c0', 'c1', 'c2', 'c3']);
    const jobNames = withStore(dir, (db2) =>
      db2
        .prepare("SELECT DISTINCT json_extract(handle_json, '$.job_name') FROM attempts")
        .pluck()
        .all(),
    );
    expect(jobNames).toHaveLength(1);
  }, 300_000);

  it('stop --now cancels the campaign’s jobs with scancel and returns their calcs to the queue', async () => {
    const dir = slurmCampaign({ submit: 'single' });
    const { file, counter } = countedCalcs(dir, 2, 'sleep 120');
    const run = startCli(['run', file, '--executor', 'slurm:dev', '--headless'], {
      cwd: dir,
      env: cluster.env,
    });
    await untilStarted(counter, 2);
    const stop = runCli(['stop', '--now'], { cwd: dir });
    expect(stop.stdout).toMatch(/cancel its SLURM jobs/);
    await run.exit;
    const ids = withStore(dir, (db) =>
      db.prepare("SELECT json_extract(handle_json, '$.job_id') FROM attempts").pluck().all(),
    ) as string[];
    expect(ids).toHaveLength(2);
    for (const id of ids) {
      const state = execFileSync(
        'squeue',
        ['--noheader', '--states=all', '--jobs', id, '--format=%T'],
        {
          encoding: 'utf8',
          env: { ...process.env, ...cluster.env },
        },
      ).trim();
      expect(state).toBe('CANCELLED');
    }
    const statuses = withStore(dir, (db) => db.prepare('SELECT status FROM calcs').pluck().all());
    expect(statuses).toEqual(['queued', 'queued']);
    // And the cluster as a host: sbatch, squeue and the partition answer.
    const check = runCli(['hosts', 'check', 'dev'], { cwd: dir, env: cluster.env });
    expect(check.stdout).toMatch(/ok +sbatch --version: answers/);
    expect(check.stdout).toMatch(/ok +partition main exists/);
  }, 300_000);

  it('classifies a job SLURM stopped at its time limit as a timeout', () => {
    const dir = slurmCampaign({ submit: 'single', retries: 0 });
    const file = join(dir, 'calcs.jsonl');
    writeFileSync(file, commandLines([{ label: 'slow', argv: ['sleep', '300'], walltime_s: 60 }]));
    const [line] = runJson(dir, file, ['--executor', 'slurm:dev']);
    expect(line?.status).toBe('failed');
    expect(line?.failure?.class).toBe('timeout');
  }, 300_000);

  it('reports a job cancelled outside retort as cancelled', async () => {
    const dir = slurmCampaign({ submit: 'single', retries: 0 });
    const { file, counter } = countedCalcs(dir, 1, 'sleep 120');
    const run = startCli(['run', file, '--executor', 'slurm:dev', '--json'], {
      cwd: dir,
      env: cluster.env,
    });
    await untilStarted(counter, 1);
    const jobId = withStore(dir, (db) =>
      db.prepare("SELECT json_extract(handle_json, '$.job_id') FROM attempts").pluck().get(),
    ) as string;
    // retort status shows the calc per executor with its SLURM job, and the job's state.
    const status = await waitFor(
      'status to show the running job',
      () => {
        const out = runCli(['status'], { cwd: dir }).stdout;
        return /^job +\d+ RUNNING single/m.test(out) ? out : undefined;
      },
      60_000,
      500,
    );
    expect(status).toMatch(
      new RegExp(`slurm:dev +0 submitted, 1 running, 0 done, 0 failed; SLURM jobs ${jobId}`),
    );
    execFileSync('scancel', [jobId], { env: { ...process.env, ...cluster.env } });
    const result = await run.exit;
    const [line] = JSON.parse(result.stdout) as RunLine[];
    expect(line?.failure?.class).toBe('cancelled');
    expect(line?.failure?.message).toMatch(/outside retort/);
  }, 300_000);

  it('reads how a job ended from the completion log once squeue and scontrol forgot it', async () => {
    const dir = slurmCampaign({ submit: 'single', retries: 0 });
    const { file, counter } = countedCalcs(dir, 1, 'sleep 120');
    const first = startCli(['run', file, '--executor', 'slurm:dev', '--headless'], {
      cwd: dir,
      env: cluster.env,
    });
    await untilStarted(counter, 1);
    first.child.kill('SIGKILL');
    await first.exit;
    const jobId = withStore(dir, (db) =>
      db.prepare("SELECT json_extract(handle_json, '$.job_id') FROM attempts").pluck().get(),
    ) as string;
    execFileSync('scancel', [jobId], { env: { ...process.env, ...cluster.env } });
    await waitFor(
      'the cancel in the completion log',
      () =>
        fileLines(jobcompPath(cluster)).some((l) => l.startsWith(`JobId=${jobId} `))
          ? true
          : undefined,
      60_000,
      200,
    );
    // A controller that has forgotten the job (MinJobAge passed while retort was away).
    const shims = tempDir();
    const realScontrol = execFileSync('sh', ['-c', 'command -v scontrol'], {
      encoding: 'utf8',
    }).trim();
    writeFileSync(join(shims, 'squeue'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    writeFileSync(
      join(shims, 'scontrol'),
      `#!/bin/sh\n[ "$1 $2" = "show config" ] && exec ${realScontrol} "$@"\necho "slurm_load_jobs error: Invalid job id specified" >&2\nexit 1\n`,
      { mode: 0o755 },
    );
    const [line] = runJson(dir, file, ['--executor', 'slurm:dev'], {
      PATH: `${shims}:${process.env.PATH ?? ''}`,
    });
    expect(line?.failure?.class).toBe('cancelled');
    expect(line?.failure?.message).toMatch(/outside retort/);
  }, 300_000);

  it('runs again a calc whose node went DOWN under it', async () => {
    const dir = slurmCampaign({
      submit: 'single',
      partition: cluster.partitions.faults,
      retries: 1,
    });
    const { file, counter } = countedCalcs(dir, 1, 'sleep 8; echo survived', {
      note: ' $SLURMD_NODENAME',
    });
    const run = startCli(['run', file, '--executor', 'slurm:dev', '--json'], {
      cwd: dir,
      env: cluster.env,
    });
    await untilStarted(counter, 1);
    const node = fileLines(counter)[0]?.split(' ')[1] ?? '';
    setNodeState(cluster, node, 'DOWN', 'retort fault test');
    try {
      const result = await run.exit;
      const [line] = JSON.parse(result.stdout) as RunLine[];
      const attempts = withStore(dir, (db) =>
        db
          .prepare("SELECT failure_class || ': ' || failure_message FROM attempts ORDER BY attempt")
          .pluck()
          .all(),
      );
      expect(attempts, JSON.stringify(attempts)).toHaveLength(2);
      expect(attempts[0]).toMatch(/^lost: .*NODE_FAIL/);
      expect(attempts[1], JSON.stringify(line)).toBeNull();
      expect(line?.status).toBe('succeeded');
    } finally {
      setNodeState(cluster, node, 'RESUME', 'retort fault test');
    }
  }, 300_000);
});
