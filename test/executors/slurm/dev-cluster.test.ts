import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  arrayListText,
  batchScript,
  packListText,
  packRunnerArgs,
  parseSkipped,
  sbatchArgv,
  type BatchRequest,
} from '../../../src/executors/slurm/batch-script.js';
import type { CheckLine } from '../../../src/executors/executor.js';
import { LocalTransport } from '../../../src/executors/remote/local-transport.js';
import { isActiveState } from '../../../src/executors/slurm/job-states.js';
import { parseJobcomp } from '../../../src/executors/slurm/jobcomp.js';
import { parseSbatchParsable } from '../../../src/executors/slurm/sbatch.js';
import { parseScontrolJobs, scontrolShowJobArgs } from '../../../src/executors/slurm/scontrol.js';
import { SlurmExecutor } from '../../../src/executors/slurm/slurm-executor.js';
import { parseSqueue, squeueArgs, type SqueueRow } from '../../../src/executors/slurm/squeue.js';
import { fakeSlurmHost } from '../contract/fake-slurm.js';
import {
  ensureSlurm,
  jobcompPath,
  slurmCommand,
  slurmUnavailable,
  type SlurmCluster,
} from '../../helpers/slurm.js';

// The real SLURM of scripts/dev/slurm-up.sh: brings it up (installing it if needed) and checks
// the parsers and the batch scripts against it.

const unavailable = slurmUnavailable();
const tag = `rt-smoke-${String(process.pid)}-${String(Date.now())}`;

let cluster: SlurmCluster;
let scratch: string;

function run(argv: readonly string[]): string {
  const result = slurmCommand(cluster, argv);
  if (result.status !== 0) {
    throw new Error(`${argv.join(' ')} failed (${String(result.status)}): ${result.stderr}`);
  }
  return result.stdout;
}

function sbatch(argv: readonly string[]): string {
  return parseSbatchParsable(run(argv));
}

/** This file's jobs in one real squeue call, once none of `names` is active any more. */
async function finished(names: readonly string[], timeoutMs = 60_000): Promise<SqueueRow[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = parseSqueue(run(squeueArgs())).filter((r) => names.includes(r.name));
    if (rows.length > 0 && rows.every((r) => !isActiveState(r.state))) return rows;
    if (Date.now() > deadline) {
      throw new Error(`jobs still active: ${JSON.stringify(rows)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe.skipIf(unavailable !== undefined)(`the dev SLURM cluster (${unavailable ?? 'up'})`, () => {
  beforeAll(async () => {
    cluster = await ensureSlurm();
    mkdirSync(join(cluster.dir, 'jobs'), { recursive: true });
    scratch = mkdtempSync(join(cluster.dir, 'jobs', 'smoke '));
  }, 1_800_000);

  afterAll(() => {
    if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
  });

  it('runs a job and an array to COMPLETED, as squeue, scontrol and the completion log say', async () => {
    const single = `${tag}-wrap`;
    const array = `${tag}-array`;
    const out = (name: string) => `--output=${join(scratch, name)}`;
    const id = sbatch([
      'sbatch',
      '--parsable',
      `--job-name=${single}`,
      out('%j.out'),
      '--wrap',
      'echo hi',
    ]);
    const arrayId = sbatch([
      'sbatch',
      '--parsable',
      `--job-name=${array}`,
      '--array=0-2%1',
      out('%A_%a.out'),
      '--wrap',
      'sleep 1',
    ]);

    const rows = await finished([single, array]);
    expect(rows.find((r) => r.name === single)).toEqual({
      jobId: id,
      arrayJobId: id,
      arrayTaskId: undefined,
      name: single,
      state: 'COMPLETED',
      reason: 'None',
    });
    const tasks = rows
      .filter((r) => r.name === array)
      .sort((a, b) => (a.arrayTaskId ?? 0) - (b.arrayTaskId ?? 0));
    expect(tasks.map((r) => [r.jobId, r.arrayJobId, r.arrayTaskId, r.state])).toEqual([
      [`${arrayId}_0`, arrayId, 0, 'COMPLETED'],
      [`${arrayId}_1`, arrayId, 1, 'COMPLETED'],
      [`${arrayId}_2`, arrayId, 2, 'COMPLETED'],
    ]);
    expect(readFileSync(join(scratch, `${id}.out`), 'utf8')).toBe('hi\n');

    expect(parseScontrolJobs(run(scontrolShowJobArgs(id)))).toMatchObject([
      { jobId: id, name: single, state: 'COMPLETED', exitCode: 0, signal: null },
    ]);
    const arrayJobs = parseScontrolJobs(run(scontrolShowJobArgs(arrayId)));
    expect(arrayJobs.map((j) => j.arrayTaskId).sort()).toEqual([0, 1, 2]);

    // slurmctld appends to the completion log as each job ends
    const ours = () =>
      parseJobcomp(readFileSync(jobcompPath(cluster), 'utf8')).filter(
        (r) => r.name === single || r.name === array,
      );
    for (let i = 0; i < 100 && ours().length < 4; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(ours().map((r) => r.state)).toEqual([
      'COMPLETED',
      'COMPLETED',
      'COMPLETED',
      'COMPLETED',
    ]);
  });

  it('runs the batch scripts of every mode through sbatch', async () => {
    const runScript = (name: string): string => {
      const dir = join(scratch, `calc ${name}`);
      mkdirSync(dir);
      const path = join(dir, 'run script.sh');
      writeFileSync(path, `echo "$RETORT_SMOKE" >"${join(dir, 'done')}"\n`);
      return path;
    };
    const request = (mode: BatchRequest['mode'], name: string): BatchRequest => ({
      mode,
      jobName: `${tag}-mode-${name}`,
      partition: cluster.partitions.main,
      cores: 1,
      memoryMb: 100,
      timeLimitS: 120,
      outputDir: scratch,
      workDir: scratch,
      setup: [`export RETORT_SMOKE=${mode}`],
      extraArgs: ['--comment=retort smoke test'],
    });
    const submit = (mode: BatchRequest['mode'], req: BatchRequest, args: string[]): string => {
      const script = join(scratch, `job ${mode}.sh`);
      writeFileSync(script, batchScript(mode, req.setup));
      return sbatch(sbatchArgv(req, script, args));
    };

    const single = runScript('single');
    submit('single', request('single', 'single'), [single]);

    const arrayList = join(scratch, 'array list');
    const arrayRuns = ['a0', 'a1'].map(runScript);
    writeFileSync(arrayList, arrayListText(arrayRuns));
    submit('array', { ...request('array', 'array'), arrayTasks: 2, arrayParallel: 2 }, [arrayList]);

    const packDir = join(scratch, 'pack dir');
    mkdirSync(packDir);
    const packList = join(packDir, 'list');
    const packRuns = ['p0', 'p1', 'p2'].map(runScript);
    writeFileSync(
      packList,
      packListText([
        ...packRuns.map((path) => ({ walltimeS: 5, path })),
        { walltimeS: 900, path: '/never' },
      ]),
    );
    submit(
      'packed',
      { ...request('packed', 'packed'), cores: 2 },
      packRunnerArgs(packList, 2, 120, 5, 10),
    );

    const rows = await finished(['single', 'array', 'packed'].map((n) => `${tag}-mode-${n}`));
    expect(rows.map((r) => r.state)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
    const done = (path: string) => readFileSync(join(path, '..', 'done'), 'utf8');
    expect(done(single)).toBe('single\n');
    expect(arrayRuns.map(done)).toEqual(['array\n', 'array\n']);
    expect(packRuns.map(done)).toEqual(['packed\n', 'packed\n', 'packed\n']);
    expect(parseSkipped(readFileSync(join(packDir, 'skipped'), 'utf8'))).toEqual(['/never']);
  });

  it('checks the cluster as a host: sbatch, squeue, the partition and a program answer', async () => {
    const saved = process.env.SLURM_CONF;
    process.env.SLURM_CONF = cluster.conf;
    const executor = new SlurmExecutor({
      name: 'slurm:dev',
      transport: new LocalTransport(),
      host: fakeSlurmHost({ name: 'dev', partition: cluster.partitions.main, scratch }),
      campaignId: 'check',
      localJobRoot: join(scratch, 'slurm'),
      killGraceS: 1,
    });
    const lines: CheckLine[] = [];
    try {
      await executor.check(
        [{ program: 'sh', path: 'sh', argv: undefined, parse: undefined, needed: true }],
        (line) => lines.push(line),
      );
    } finally {
      await executor.close();
      if (saved === undefined) delete process.env.SLURM_CONF;
      else process.env.SLURM_CONF = saved;
    }
    expect(lines.map((l) => l.line)).toEqual([
      expect.stringMatching(/^reached this machine: Linux /),
      `scratch ${scratch} is writable`,
      expect.stringMatching(/^sbatch --version: answers \(slurm/),
      expect.stringMatching(/^squeue --me --noheader --format=%i: answers/),
      `partition ${cluster.partitions.main} exists`,
      expect.stringMatching(/^sh: \//),
      expect.stringMatching(/^note: programs were looked for where sbatch runs/),
    ]);
    expect(lines.every((l) => l.ok)).toBe(true);
  });
});
