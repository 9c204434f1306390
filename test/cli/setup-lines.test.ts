import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CRYSTAL_REAL,
  haveCrystalFixtures,
  MGO_CIF,
  noCrystalFixtures,
} from '../engines/crystal/crystal-fixtures.js';
import { cleanupTempDirs, hasProgram, runCli, tempCampaign, withStore } from '../helpers/cli.js';
import { ensureSlurm, slurmUnavailable, type SlurmCluster } from '../helpers/slurm.js';
import {
  sshdUnavailable,
  startPrivateSshd,
  stopPrivateSshd,
  type SshdInfo,
} from '../helpers/sshd.js';

/**
 * The setup lines of retort.yaml (this machine) and of a host (ssh, SLURM) run before the
 * program on every executor: a CRYSTAL install's environment script, sourced there, puts the
 * stand-in programs on PATH and sets the variable they check; without it they refuse to run.
 */

afterEach(async () => {
  expect(await cleanupTempDirs()).toEqual([]);
});

/**
 * A CRYSTAL "install" in `dir/crystal`: `bin/crystal` and `bin/Pcrystal` replay the real MgO
 * SCF only when CRY23_ENV is set (as cry23.bashrc would), `cry23.bashrc` sets it, puts `bin` on
 * PATH and lets Open MPI run as root (these tests run as root). Pcrystal prints on rank 0 only
 * and reads INPUT from its directory, as the real one does. Returns the setup line.
 */
function crystalInstall(dir: string): string {
  const root = join(dir, 'crystal');
  const bin = join(root, 'bin');
  mkdirSync(bin, { recursive: true });
  const out = join(CRYSTAL_REAL, 'mgo_scf_hf_c17', 'main.out');
  const check =
    '[ "$CRY23_ENV" = sourced ] || { echo "CRY23_ENV not set: source cry23.bashrc" >&2; exit 3; }';
  writeFileSync(
    join(bin, 'crystal'),
    `#!/bin/sh\n${check}\ncat > input-seen.d12\ncat '${out}'\necho wf > fort.9\n`,
  );
  writeFileSync(
    join(bin, 'Pcrystal'),
    `#!/bin/sh\n${check}\n[ -s INPUT ] || exit 4\nif [ "\${OMPI_COMM_WORLD_RANK:-0}" = 0 ]; then echo "$OMPI_COMM_WORLD_SIZE" > ranks; cat '${out}'; echo wf > fort.9; fi\nexit 0\n`,
  );
  chmodSync(join(bin, 'crystal'), 0o755);
  chmodSync(join(bin, 'Pcrystal'), 0o755);
  writeFileSync(
    join(root, 'cry23.bashrc'),
    [
      'export CRY23_ENV=sourced',
      `export PATH="${bin}:$PATH"`,
      'export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1',
      '',
    ].join('\n'),
  );
  return `. "${join(root, 'cry23.bashrc')}"`;
}

interface CalcJson {
  readonly key: string | null;
  readonly status: string;
  readonly result: Record<string, unknown> | null;
  readonly failure: { readonly class: string; readonly message: string } | null;
}

function crystalScf(
  dir: string,
  extra: readonly string[] = [],
  env: Readonly<Record<string, string>> = {},
): CalcJson {
  const r = runCli(
    ['calc', '--template', 'crystal-scf', '--structure', 'mgo.cif', '--json', ...extra],
    { cwd: dir, env },
  );
  expect(r.stderr).not.toContain('internal error');
  return JSON.parse(r.stdout) as CalcJson;
}

const REAL_SCF_ENERGY = -271.21814374931;

describe.skipIf(!haveCrystalFixtures)(
  `setup lines on this machine${haveCrystalFixtures ? '' : ` (skipped: ${noCrystalFixtures})`}`,
  () => {
    it('runs crystal after the sourced environment script, and fails without it', () => {
      const dir = tempCampaign();
      writeFileSync(join(dir, 'mgo.cif'), MGO_CIF);
      const setup = crystalInstall(dir);
      writeFileSync(
        join(dir, 'retort.yaml'),
        `programs:\n  crystal: ${join(dir, 'crystal', 'bin', 'crystal')}\n`,
      );
      const without = crystalScf(dir);
      expect(without.status).toBe('failed');
      writeFileSync(join(dir, 'retort.yaml'), `setup:\n  - ${JSON.stringify(setup)}\n`);
      const scf = crystalScf(dir, ['--set', 'hamiltonian=HF']);
      expect([scf.status, scf.result?.energy_hartree], JSON.stringify(scf.failure)).toEqual([
        'succeeded',
        REAL_SCF_ENERGY,
      ]);
    });

    it.skipIf(!hasProgram('mpirun'))(
      'runs Pcrystal under mpirun with as many ranks as the calc has cores',
      () => {
        const dir = tempCampaign();
        writeFileSync(join(dir, 'mgo.cif'), MGO_CIF);
        writeFileSync(
          join(dir, 'retort.yaml'),
          `setup:\n  - ${JSON.stringify(crystalInstall(dir))}\n`,
        );
        const scf = crystalScf(dir, ['--cores', '2']);
        expect([scf.status, scf.result?.energy_hartree], JSON.stringify(scf.failure)).toEqual([
          'succeeded',
          REAL_SCF_ENERGY,
        ]);
        const argv = withStore(
          dir,
          (db) =>
            db
              .prepare('SELECT argv_json FROM attempts WHERE calc_key = ?')
              .pluck()
              .get(scf.key) as string,
        );
        expect(JSON.parse(argv)).toEqual(['mpirun', '-np', '2', 'Pcrystal']);
      },
    );
  },
);

const sshSkip = haveCrystalFixtures ? sshdUnavailable() : noCrystalFixtures;
describe.skipIf(sshSkip)('setup lines of an ssh host (real sshd)', () => {
  let sshd: SshdInfo;
  beforeAll(async () => {
    sshd = await startPrivateSshd(2331, 'retort-sshd-setup-');
  }, 600_000);
  afterAll(async () => {
    await stopPrivateSshd(sshd);
  });

  it('sources the environment script on the host before crystal runs there', () => {
    const dir = tempCampaign();
    writeFileSync(join(dir, 'mgo.cif'), MGO_CIF);
    const setup = crystalInstall(dir);
    const scratch = mkdtempSync(join(tmpdir(), 'retort-setup-scratch-'));
    writeFileSync(
      join(dir, 'retort.yaml'),
      [
        'hosts:',
        '  dev:',
        '    type: ssh',
        '    hostname: 127.0.0.1',
        `    port: ${String(sshd.port)}`,
        `    user: ${sshd.user}`,
        `    identity_file: ${sshd.identityFile}`,
        `    known_hosts: ${sshd.knownHosts}`,
        `    scratch: ${scratch}`,
        '    poll_s: 1',
        `    setup: [${JSON.stringify(setup)}]`,
        '',
      ].join('\n'),
    );
    try {
      const scf = crystalScf(dir, ['--executor', 'ssh:dev']);
      expect([scf.status, scf.result?.energy_hartree], JSON.stringify(scf.failure)).toEqual([
        'succeeded',
        REAL_SCF_ENERGY,
      ]);
      // The host check looks for the program as a calc would find it: after the setup lines.
      const check = runCli(['hosts', 'check', 'dev'], { cwd: dir });
      expect(check.stdout).toContain(`crystal: ${join(dir, 'crystal', 'bin', 'crystal')}`);
      expect(check.status, check.stdout).toBe(0);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 300_000);
});

const slurmSkip = haveCrystalFixtures ? slurmUnavailable() : noCrystalFixtures;
describe.skipIf(slurmSkip)('setup lines of a SLURM cluster (dev cluster)', () => {
  let cluster: SlurmCluster;
  beforeAll(async () => {
    cluster = await ensureSlurm();
  }, 600_000);

  it('puts them in the job script, and the calc on the node sees what they set', () => {
    const dir = tempCampaign();
    writeFileSync(join(dir, 'mgo.cif'), MGO_CIF);
    const setup = crystalInstall(dir);
    writeFileSync(
      join(dir, 'retort.yaml'),
      [
        'hosts:',
        '  dev:',
        '    type: slurm',
        `    partition: ${cluster.partitions.main}`,
        '    submit: single',
        '    poll_s: 1',
        `    setup: [${JSON.stringify(setup)}]`,
        '',
      ].join('\n'),
    );
    const scf = crystalScf(dir, ['--executor', 'slurm:dev'], cluster.env);
    expect([scf.status, scf.result?.energy_hartree], JSON.stringify(scf.failure)).toEqual([
      'succeeded',
      REAL_SCF_ENERGY,
    ]);
    // A single job's script is kept in the calc's directory: the setup line is in it.
    const key = scf.key ?? '';
    const jobScript = readFileSync(
      join(dir, 'work', key.slice(0, 2), key, '.retort', 'job.sh'),
      'utf8',
    );
    expect(jobScript).toContain(setup);
    // The host check looks for the program after the setup lines too, as a job script would.
    const check = runCli(['hosts', 'check', 'dev'], { cwd: dir, env: cluster.env });
    expect(check.stdout).toContain(`crystal: ${join(dir, 'crystal', 'bin', 'crystal')}`);
    expect(check.stdout).toContain('after the setup lines');
  }, 300_000);
});
