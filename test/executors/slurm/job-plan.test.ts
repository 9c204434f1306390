import { describe, expect, it } from 'vitest';
import { planJob } from '../../../src/executors/slurm/job-plan.js';
import { parseSettings } from '../../../src/runtime/settings.js';
import type { SlurmHostSettings } from '../../../src/runtime/host-settings.js';

const host = parseSettings(
  `hosts:
  c:
    type: slurm
    partition: short
    setup: ["module load mopac"]
    pack_cores: 8
    max_walltime_s: 600
    sbatch_args: ["--constraint=avx2"]
`,
  'retort.yaml',
).hosts.c as SlurmHostSettings;

const calc = (i: number, cores = 2, walltime_s = 100) => ({
  remoteDir: `/scratch/my runs/k${String(i)}.1`,
  localDir: `/home/me/c/work/k${String(i)}`,
  resources: { cores, walltime_s, memory_mb: 500 },
});
const jobDir = { local: '/home/me/c/work/slurm/J', remote: '/scratch/my runs/jobs/J' };

describe('planJob', () => {
  it('single: the calc’s own resources, job.sh in its .retort, never requeued', () => {
    const plan = planJob({
      name: 'J',
      mode: 'single',
      host,
      calcs: [calc(0)],
      jobDir,
      killGraceS: 10,
    });
    expect(plan.dir).toEqual({
      local: '/home/me/c/work/k0/.retort',
      remote: '/scratch/my runs/k0.1/.retort',
    });
    expect(Object.keys(plan.files)).toEqual(['job.sh']);
    expect(plan.files['job.sh']).toContain('module load mopac');
    expect(plan.argv).toContain('--no-requeue');
    expect(plan.argv).toContain('--constraint=avx2');
    expect(plan.argv).toContain('--time=2');
    expect(plan.argv).toContain('--cpus-per-task=2');
    expect(plan.argv).toContain('--mem=500M');
    expect(plan.argv.slice(-2)).toEqual([
      '/scratch/my runs/k0.1/.retort/job.sh',
      '/scratch/my runs/k0.1/.retort/run.sh',
    ]);
  });

  it('array: one task per calc, a list of run scripts', () => {
    const plan = planJob({
      name: 'J',
      mode: 'array',
      host,
      calcs: [0, 1, 2].map((i) => calc(i)),
      jobDir,
      killGraceS: 10,
    });
    expect(plan.files.list).toBe(
      [0, 1, 2].map((i) => `/scratch/my runs/k${String(i)}.1/.retort/run.sh\n`).join(''),
    );
    expect(plan.argv).toContain('--array=0-2');
    expect(plan.argv.at(-1)).toBe('/scratch/my runs/jobs/J/list');
  });

  it('packed: pack_cores ÷ cores slots, a time limit from the walltimes, capped', () => {
    const calcs = [0, 1, 2, 3, 4, 5].map((i) => calc(i));
    const plan = planJob({ name: 'J', mode: 'packed', host, calcs, jobDir, killGraceS: 10 });
    // 4 slots of 2 cores; 600 s of walltimes ÷ 4 + 100 + 2 × 30 = 310 s → 6 minutes.
    expect(plan.argv).toContain('--cpus-per-task=8');
    expect(plan.argv).toContain('--mem=2000M');
    expect(plan.argv).toContain('--time=6');
    // the last: a calc cancelled alone has 10 s between TERM and KILL
    expect(plan.argv.slice(-5)).toEqual(['/scratch/my runs/jobs/J/list', '4', '310', '30', '10']);
    expect(plan.files.list?.split('\n')[0]).toBe('100 /scratch/my runs/k0.1/.retort/run.sh');
    const long = planJob({
      name: 'J',
      mode: 'packed',
      host,
      calcs: calcs.map((c) => ({ ...c, resources: { ...c.resources, walltime_s: 500 } })),
      jobDir,
      killGraceS: 10,
    });
    expect(long.argv.slice(-4, -2)).toEqual(['4', '600']);
  });
});
