import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupTempDirs,
  hasProgram,
  runCli,
  tempCampaign,
  tempDir,
  withStore,
} from '../helpers/cli.js';
import { ensureSlurm, slurmUnavailable, type SlurmCluster } from '../helpers/slurm.js';
import {
  sshdUnavailable,
  startPrivateSshd,
  stopPrivateSshd,
  type SshdInfo,
} from '../helpers/sshd.js';
import { SI_PRIMITIVE_CIF } from '../helpers/pw-by-hand.js';

// pw.x bands from an scf's out/ on an ssh host (a real sshd on 127.0.0.1, scripts/dev/sshd-up.sh)
// and on a real SLURM cluster (scripts/dev/slurm-up.sh): the parent's files are staged there from
// the campaign's local copy, wherever the parent ran.
const PORT = 2341;
const noPw = hasProgram('pw.x') ? undefined : 'pw.x is not installed';
const skip = sshdUnavailable() ?? noPw;
const skipSlurm = slurmUnavailable() ?? noPw;
let sshd: SshdInfo;
let cluster: SlurmCluster;

beforeAll(async () => {
  if (skip === undefined) sshd = await startPrivateSshd(PORT, 'retort-sshd-qe-');
  if (skipSlurm === undefined) cluster = await ensureSlurm();
}, 600_000);

afterAll(async () => {
  if (skip === undefined) {
    await stopPrivateSshd(sshd);
  }
});

afterEach(async () => {
  expect(await cleanupTempDirs()).toEqual([]);
});

/**
 * A campaign with si.cif and, as `ssh:dev`, the test sshd (its scratch path holding a space), or
 * as `slurm:dev` the dev cluster (single jobs).
 */
function campaign(host: 'ssh' | 'slurm' = 'ssh'): string {
  const dir = tempCampaign();
  const scratch = join(tempDir('retort-remote-'), 'remote scratch');
  const settings =
    host === 'ssh'
      ? [
          '    type: ssh',
          '    hostname: 127.0.0.1',
          `    port: ${String(sshd.port)}`,
          `    user: ${sshd.user}`,
          `    identity_file: ${sshd.identityFile}`,
          `    known_hosts: ${sshd.knownHosts}`,
          `    scratch: "${scratch}"`,
        ]
      : ['    type: slurm', `    partition: ${cluster.partitions.main}`, '    submit: single'];
  writeFileSync(
    join(dir, 'retort.yaml'),
    ['hosts:', '  dev:', ...settings, '    poll_s: 1', ''].join('\n'),
  );
  writeFileSync(join(dir, 'si.cif'), SI_PRIMITIVE_CIF);
  return dir;
}

interface CalcJson {
  readonly key: string;
  readonly status: string;
  readonly message: string | null;
  readonly result: { readonly band_energies_ev?: readonly (readonly number[])[] } | null;
}

function calc(dir: string, executor: string, args: readonly string[]): CalcJson {
  const r = runCli(
    [
      'calc',
      '--program',
      'qe',
      '--structure',
      'si.cif',
      '-o',
      'ecutwfc=12',
      '--executor',
      executor,
      ...args,
      '--json',
    ],
    { cwd: dir, ...(executor.startsWith('slurm:') ? { env: cluster.env } : {}) },
  );
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as CalcJson;
}

const SCF = ['--task', 'scf', '-o', 'kpoints=[4,4,4]'];
const bandsOf = (parent: string): string[] => [
  '--task',
  'bands',
  '-o',
  `parent=${parent}`,
  '-o',
  'kpath_density=5',
];

/** The largest difference between two sets of band energies (eV); Infinity when they differ in shape. */
function worstDifference(
  a: readonly (readonly number[])[],
  b: readonly (readonly number[])[],
): number {
  if (a.length !== b.length || a.length === 0) return Infinity;
  let worst = 0;
  a.forEach((row, k) => {
    if (row.length !== b[k]?.length) worst = Infinity;
    row.forEach((e, i) => {
      worst = Math.max(worst, Math.abs(e - (b[k]?.[i] ?? NaN)));
    });
  });
  return worst;
}

/** The bands of an all-local run, in a campaign of their own. */
function localBands(): { readonly scfKey: string; readonly bands: readonly (readonly number[])[] } {
  const local = tempCampaign();
  writeFileSync(join(local, 'si.cif'), SI_PRIMITIVE_CIF);
  const scf = calc(local, 'local', SCF);
  const bands = calc(local, 'local', bandsOf(scf.key)).result?.band_energies_ev ?? [];
  expect(bands.length).toBeGreaterThan(10);
  return { scfKey: scf.key, bands };
}

describe.skipIf(skipSlurm)('qe bands from a parent scf on SLURM (real cluster, real pw.x)', () => {
  it('gives the bands of an all-local run with both calcs run as SLURM jobs', () => {
    const reference = localBands();
    const dir = campaign('slurm');
    const scf = calc(dir, 'slurm:dev', SCF);
    expect(scf.key).toBe(reference.scfKey);
    const bands = calc(dir, 'slurm:dev', bandsOf(scf.key));
    expect(bands.status, bands.message ?? '').toBe('succeeded');
    expect(
      worstDifference(bands.result?.band_energies_ev ?? [], reference.bands),
    ).toBeLessThanOrEqual(1e-4);
    const executors = withStore(dir, (db) =>
      db.prepare('SELECT executor FROM attempts ORDER BY submitted_at').pluck().all(),
    );
    expect(executors).toEqual(['slurm:dev', 'slurm:dev']);
  }, 600_000);
});

describe.skipIf(skip)('qe bands from a parent scf on an ssh host (real sshd, real pw.x)', () => {
  it('gives the bands of an all-local run, whether the scf ran here or on the host', () => {
    const reference = localBands();
    for (const scfExecutor of ['local', 'ssh:dev']) {
      const dir = campaign();
      const parent = calc(dir, scfExecutor, SCF);
      expect(parent.key).toBe(reference.scfKey);
      const bands = calc(dir, 'ssh:dev', bandsOf(parent.key));
      expect(bands.status, bands.message ?? '').toBe('succeeded');
      expect(
        worstDifference(bands.result?.band_energies_ev ?? [], reference.bands),
      ).toBeLessThanOrEqual(1e-4);
      const executors = withStore(dir, (db) =>
        db.prepare('SELECT executor FROM attempts ORDER BY submitted_at').pluck().all(),
      );
      expect(executors).toEqual([scfExecutor, 'ssh:dev']);
    }
  }, 600_000);
});
