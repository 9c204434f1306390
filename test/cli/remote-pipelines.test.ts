import { readFileSync, writeFileSync } from 'node:fs';
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
import { MOLECULES, heats, mopacList, runJson } from '../helpers/mopac-list.js';
import { ensureSlurm, slurmUnavailable, type SlurmCluster } from '../helpers/slurm.js';
import {
  sshdUnavailable,
  startPrivateSshd,
  stopPrivateSshd,
  type SshdInfo,
} from '../helpers/sshd.js';

// The dataset pipeline and the many-body expansion, unchanged, through a real sshd and a real
// SLURM: the same results as on the local executor.
const PORT = 2322;
const skip =
  sshdUnavailable() ??
  slurmUnavailable() ??
  (['mopac', 'obabel', 'xtb', 'psi4'].every(hasProgram)
    ? undefined
    : 'needs MOPAC, Open Babel, xtb and psi4 (scripts/install-deps.sh)');
let sshd: SshdInfo;
let cluster: SlurmCluster;

beforeAll(async () => {
  if (skip !== undefined) return;
  sshd = await startPrivateSshd(PORT, 'retort-sshd-pipes-');
  cluster = await ensureSlurm();
}, 600_000);

afterAll(async () => {
  if (skip !== undefined) return;
  await stopPrivateSshd(sshd);
});

afterEach(async () => {
  expect(await cleanupTempDirs()).toEqual([]);
});

/** A campaign with the test sshd as `ssh:dev` and the dev cluster as `slurm:dev`. */
function campaign(): string {
  const dir = tempCampaign();
  const scratch = join(tempDir('retort-remote-'), 'remote scratch');
  writeFileSync(
    join(dir, 'retort.yaml'),
    `hosts:
  server:
    type: ssh
    hostname: 127.0.0.1
    port: ${String(sshd.port)}
    user: root
    identity_file: ${sshd.identityFile}
    known_hosts: ${sshd.knownHosts}
    scratch: "${scratch}"
    max_calcs: 2
    poll_s: 1
  dev:
    type: slurm
    partition: ${cluster.partitions.main}
    submit: packed
    pack_size: 4
    poll_s: 1
  login:
    type: slurm
    via: server
    scratch: "${scratch} on the cluster"
    partition: ${cluster.partitions.main}
    submit: array
    pack_size: 4
    poll_s: 1
`,
  );
  return dir;
}

const DATASET = `,smiles,multiplicity,charge,nheavy,H298_cbs
1,C=O,1,0,2,-25.96
2,[CH3],2,0,1,35.06
3,N,1,0,1,-10.97
`;

function batchHofs(executor: string): Record<string, number> {
  const dir = campaign();
  writeFileSync(join(dir, 'data.csv'), DATASET);
  expect(runCli(['import', 'data.csv'], { cwd: dir }).status).toBe(0);
  const r = runCli(['batch', 'run', '--size', '3', '--headless', '--executor', executor], {
    cwd: dir,
    env: cluster.env,
  });
  expect(r.status, r.stderr).toBe(0);
  const rows = withStore(dir, (db) =>
    db
      .prepare<[], { mol_id: string; hof: number }>(
        `SELECT item_id AS mol_id, json_extract(result_json, '$.most_stable_hof_kcal_mol') AS hof
         FROM items ORDER BY item_id`,
      )
      .all(),
  );
  const executors = withStore(dir, (db) =>
    db.prepare('SELECT DISTINCT executor FROM attempts').pluck().all(),
  );
  expect(executors).toEqual([executor]);
  return Object.fromEntries(rows.map((row) => [row.mol_id, row.hof]));
}

const DIMER = (executor: string): string => `molecule:
  units: angstrom
  xyz: |
    O  -1.551007  -0.114520   0.000000
    H  -1.934259   0.762503   0.000000
    H  -0.599677   0.040712   0.000000
    --
    O   1.350625   0.111469   0.000000
    H   1.680398  -0.373741  -0.758561
    H   1.680398  -0.373741   0.758561
driver: energy
bsse_type: [cp, nocp]
model_chemistries:
  hf: {program: psi4, method: hf, basis: sto-3g, keywords: {}}
execution: {timeout_s: 300, executor: ${executor}}
`;

function mbeInteraction(executor: string): number {
  const dir = campaign();
  writeFileSync(join(dir, 'dimer.yaml'), DIMER(executor));
  const r = runCli(['mbe', 'run', 'dimer.yaml', '--headless'], { cwd: dir, env: cluster.env });
  expect(r.status, r.stderr).toBe(0);
  const result = JSON.parse(readFileSync(join(dir, 'exports', 'mbe-dimer.json'), 'utf8')) as {
    properties: Record<string, number>;
  };
  const ie = result.properties.cp_corrected_interaction_energy;
  if (ie === undefined) throw new Error('no cp_corrected_interaction_energy');
  return ie;
}

describe.skipIf(skip)('pipelines through remote executors', () => {
  it('runs calcs on a cluster reached through ssh (sbatch on the login node, files by SFTP)', () => {
    const dir = campaign();
    writeFileSync(join(dir, 'calcs.jsonl'), mopacList());
    const local = heats(runJson(dir, join(dir, 'calcs.jsonl')));
    const again = campaign();
    writeFileSync(join(again, 'calcs.jsonl'), mopacList());
    const lines = runJson(
      again,
      join(again, 'calcs.jsonl'),
      ['--executor', 'slurm:login'],
      cluster.env,
    );
    expect(lines.map((l) => l.status)).toEqual(MOLECULES.map(() => 'succeeded'));
    const remote = heats(lines);
    for (const [label] of MOLECULES) expect(remote[label]).toBeCloseTo(local[label] ?? NaN, 2);
    const jobs = withStore(again, (db) =>
      db
        .prepare("SELECT DISTINCT json_extract(handle_json, '$.remote_dir') FROM attempts")
        .pluck()
        .all(),
    ) as string[];
    expect(jobs.every((d) => d.includes(' on the cluster/'))).toBe(true);
  }, 600_000);

  it('a dataset batch gives the local heats of formation through ssh and SLURM', () => {
    const local = batchHofs('local');
    expect(Object.keys(local)).toEqual(['MOL00001', 'MOL00002', 'MOL00003']);
    for (const executor of ['ssh:server', 'slurm:dev']) {
      const remote = batchHofs(executor);
      for (const [mol, hof] of Object.entries(local)) {
        expect(Math.abs((remote[mol] ?? Number.NaN) - hof), `${executor} ${mol}`).toBeLessThan(
          0.05,
        );
      }
    }
  }, 600_000);

  it('a many-body expansion gives the local interaction energy through ssh and SLURM', () => {
    const local = mbeInteraction('local');
    // psi4 on the same geometry and basis: the same doubles, wherever it ran.
    expect(Math.abs(mbeInteraction('ssh:server') - local)).toBeLessThan(1e-10);
    expect(Math.abs(mbeInteraction('slurm:dev') - local)).toBeLessThan(1e-10);
  }, 600_000);
});
