import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutorJob, RunningJob } from '../../../src/executors/executor.js';
import { LocalTransport } from '../../../src/executors/remote/local-transport.js';
import { SlurmExecutor } from '../../../src/executors/slurm/slurm-executor.js';
import { fakeSlurmHost } from '../contract/fake-slurm.js';
import {
  ensureSlurm,
  slurmCommand,
  slurmUnavailable,
  type SlurmCluster,
} from '../../helpers/slurm.js';

// submit_interval_s against the real dev cluster (scripts/dev/slurm-up.sh): the times SLURM
// itself recorded for the jobs' submissions are never closer than the interval.

const unavailable = slurmUnavailable();
let cluster: SlurmCluster;
let scratch = '';

/** SubmitTime of a job as slurmctld recorded it, epoch s (SLURM keeps whole seconds). */
function submitTime(jobId: string): number {
  const result = slurmCommand(cluster, ['scontrol', 'show', 'job', '-o', jobId]);
  const stamp = /SubmitTime=(\S+)/.exec(result.stdout)?.[1];
  if (result.status !== 0 || stamp === undefined) {
    throw new Error(`scontrol show job ${jobId}: ${result.stdout}${result.stderr}`);
  }
  return Date.parse(stamp) / 1000;
}

function job(i: number): ExecutorJob {
  const key = `${String(i).padStart(4, '0')}${'f'.repeat(60)}`;
  return {
    key,
    attempt: 1,
    workdir: join(scratch, 'work', key),
    job: {
      argv: ['/bin/sh', '-c', 'echo ok'],
      files: {},
      env: {},
      outputs: [],
      captureStdout: 'full',
      resources: { cores: 1, walltime_s: 120 },
    },
  };
}

describe.skipIf(unavailable !== undefined)(
  `submit_interval_s on the dev SLURM cluster (${unavailable ?? 'up'})`,
  () => {
    beforeAll(async () => {
      cluster = await ensureSlurm();
      mkdirSync(join(cluster.dir, 'jobs'), { recursive: true });
      scratch = mkdtempSync(join(cluster.dir, 'jobs', 'interval-'));
    }, 1_800_000);

    afterAll(() => {
      if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
    });

    it('never lets SLURM receive two sbatch calls closer than submit_interval_s', async () => {
      const saved = process.env.SLURM_CONF;
      process.env.SLURM_CONF = cluster.conf;
      const interval = 3;
      const executor = new SlurmExecutor({
        name: 'slurm:dev',
        transport: new LocalTransport(),
        host: fakeSlurmHost({
          name: 'dev',
          partition: cluster.partitions.main,
          submit: 'single',
          submit_interval_s: interval,
          poll_s: 1,
        }),
        campaignId: `iv${String(process.pid)}`,
        localJobRoot: join(scratch, 'work', 'slurm'),
        killGraceS: 1,
      });
      let running: RunningJob[];
      try {
        // All four are handed over at once, as a runner with free workers does.
        running = await Promise.all([1, 2, 3, 4].map((i) => executor.submit(job(i))));
        const exits = await Promise.all(running.map((r) => r.exit));
        expect(exits.map((e) => e.exitCode)).toEqual([0, 0, 0, 0]);
      } finally {
        await executor.close();
        if (saved === undefined) delete process.env.SLURM_CONF;
        else process.env.SLURM_CONF = saved;
      }
      const ids = running.map((r) => r.handle.job_id as string);
      expect(new Set(ids).size).toBe(4);
      const times = ids.map(submitTime).sort((a, b) => a - b);
      const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
      // The interval runs from the end of one sbatch call to the start of the next, and SLURM
      // stamps a job while its sbatch call runs: whole seconds apart by at least the interval.
      for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(interval);
    }, 300_000);
  },
);
