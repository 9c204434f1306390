import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, hasProgram, runCli, tempCampaign } from '../helpers/cli.js';
import { ensureSlurm, slurmUnavailable, type SlurmCluster } from '../helpers/slurm.js';

// A workflow through a real SLURM cluster (scripts/dev/slurm-up.sh: munge, slurmctld, 4 slurmd
// "nodes" on this host) gives what the same workflow gives on the local executor.
const skip = slurmUnavailable() ?? (hasProgram('xtb') ? undefined : 'xtb is not installed');
let cluster: SlurmCluster;

beforeAll(async () => {
  if (skip === undefined) cluster = await ensureSlurm();
}, 600_000);

afterEach(async () => {
  expect(await cleanupTempDirs()).toEqual([]);
});

/**
 * Two instances × two steps: xtb optimises the molecule (from an XYZ file, so that both runs
 * start from the same geometry: a SMILES' 3D embedding is not the same twice), then a command
 * step reads the optimised energy through an expression and writes it to a file of its own.
 */
const SWEEP = `name: slurm-sweep
matrix:
  molecule: [water.xyz, methane.xyz]
steps:
  opt:
    program: xtb
    task: optimize
    method: GFN2
    xyz: \${{ matrix.molecule }}
  report:
    needs: [opt]
    program: command
    argv: [sh, -c, 'echo "$0" > energy.txt', '\${{ steps.opt.result.total_energy_hartree }}']
    outputs: [energy.txt]
`;

interface StepJson {
  readonly state: string;
  readonly key: string | null;
  readonly result: {
    readonly total_energy_hartree?: number;
    readonly geometry?: unknown;
    readonly files?: Record<string, string>;
  } | null;
}
interface InstanceJson {
  readonly instance: string;
  readonly status: string;
  readonly steps: Record<string, StepJson>;
}

const XYZ = {
  'water.xyz': '3\nwater\nO 0 0 0.1173\nH 0 0.7572 -0.4692\nH 0 -0.7572 -0.4692\n',
  'methane.xyz':
    '5\nmethane\nC 0 0 0\nH 0.629 0.629 0.629\nH -0.629 -0.629 0.629\nH -0.629 0.629 -0.629\nH 0.629 -0.629 -0.629\n',
};

function run(dir: string, executor: string[]): InstanceJson[] {
  writeFileSync(join(dir, 'sweep.yaml'), SWEEP);
  for (const [name, text] of Object.entries(XYZ)) writeFileSync(join(dir, name), text);
  const r = runCli(['workflow', 'run', 'sweep.yaml', '--headless', ...executor], {
    cwd: dir,
    env: cluster.env,
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(
    readFileSync(join(dir, 'exports', 'workflow-slurm-sweep.json'), 'utf8'),
  ) as InstanceJson[];
}

describe.skipIf(skip)('retort workflow run --executor slurm:NAME (real SLURM, real xtb)', () => {
  it('gives the results of the local run, step by step', () => {
    const local = run(tempCampaign(), ['--executor', 'local']);

    const dir = tempCampaign();
    writeFileSync(
      join(dir, 'retort.yaml'),
      [
        'hosts:',
        '  dev:',
        '    type: slurm',
        `    partition: ${cluster.partitions.main}`,
        '    submit: packed',
        '    pack_size: 4',
        '    poll_s: 1',
        '',
      ].join('\n'),
    );
    const remote = run(dir, ['--executor', 'slurm:dev']);
    // Every calc ran on the cluster (a fresh campaign: nothing from a store).
    const status = JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8')) as {
      executor: string;
      totals: { total: number; succeeded: number; cached: number; failed: number };
      items: Record<string, Record<string, number>>;
    };
    expect(status.executor).toBe('slurm:dev');
    expect(status.totals).toMatchObject({ total: 4, succeeded: 4, cached: 0, failed: 0 });
    expect(status.items).toMatchObject({
      instances: { total: 2, succeeded: 2 },
      steps: { total: 4, succeeded: 4 },
    });

    expect(remote.map((i) => [i.instance, i.status])).toEqual([
      ['molecule=water.xyz', 'OK'],
      ['molecule=methane.xyz', 'OK'],
    ]);
    for (const [i, instance] of remote.entries()) {
      const mine = local[i];
      for (const step of ['opt', 'report']) {
        const there = instance.steps[step];
        const here = mine?.steps[step];
        expect(there?.state).toBe('succeeded');
        // The same calcs (same keys), with the same results.
        expect(there?.key).toBe(here?.key);
        expect(there?.result?.total_energy_hartree).toBe(here?.result?.total_energy_hartree);
        expect(there?.result?.geometry).toEqual(here?.result?.geometry);
        expect(there?.result?.files).toEqual(here?.result?.files);
      }
      const energy = instance.steps.opt?.result?.total_energy_hartree;
      expect(energy).toBeLessThan(-4);
      expect(instance.steps.report?.result?.files?.['energy.txt']).toBe(`${String(energy)}\n`);
    }
  }, 600_000);
});
