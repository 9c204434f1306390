import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type BackgroundCli,
  cleanupTempDirs,
  countedCalcs,
  fileLines,
  runCli,
  startCli,
  tempCampaign,
  tempDir,
  untilStarted,
  withStore,
} from '../helpers/cli.js';
import { ensureSlurm, slurmUnavailable, type SlurmCluster } from '../helpers/slurm.js';
import {
  sshdUnavailable,
  startPrivateSshd,
  stopPrivateSshd,
  type SshdInfo,
} from '../helpers/sshd.js';

// `retort cancel` of one calc of a packed job on the real SLURM of scripts/dev/slurm-up.sh:
// the calc ends alone, its pack-mates go on in the same allocation. `slurm:dev` runs sbatch
// here; `slurm:login` reaches the same cluster through a real sshd, with a scratch directory.
const PORT = 2351;
const skip = slurmUnavailable() ?? sshdUnavailable();
let cluster: SlurmCluster;
let sshd: SshdInfo;

beforeAll(async () => {
  if (skip !== undefined) return;
  cluster = await ensureSlurm();
  sshd = await startPrivateSshd(PORT, 'retort-sshd-cancel-');
}, 600_000);

afterAll(async () => {
  if (skip !== undefined) return;
  await stopPrivateSshd(sshd);
});

afterEach(async () => {
  expect(await cleanupTempDirs()).toEqual([]);
});

/** A campaign with the dev cluster as `slurm:dev` and `slurm:login`: packs of 3 calcs at once. */
function packedCampaign(): string {
  const dir = tempCampaign();
  const scratch = join(tempDir('retort-remote-'), 'remote scratch');
  const packed = [
    `    partition: ${cluster.partitions.main}`,
    '    submit: packed',
    '    pack_size: 3',
    '    pack_cores: 3',
    '    poll_s: 1',
  ];
  writeFileSync(
    join(dir, 'retort.yaml'),
    [
      'control:',
      '  kill_grace_s: 5',
      'hosts:',
      '  server:',
      '    type: ssh',
      '    hostname: 127.0.0.1',
      `    port: ${String(sshd.port)}`,
      '    user: root',
      `    identity_file: ${sshd.identityFile}`,
      `    known_hosts: ${sshd.knownHosts}`,
      `    scratch: "${scratch}"`,
      '  dev:',
      '    type: slurm',
      ...packed,
      '  login:',
      '    type: slurm',
      '    via: server',
      `    scratch: "${scratch} on the cluster"`,
      ...packed,
      '',
    ].join('\n'),
  );
  return dir;
}

interface CalcRow {
  readonly key: string;
  readonly label: string;
  readonly status: string;
  readonly failure_class: string | null;
}

function calcs(dir: string): Record<string, CalcRow> {
  return withStore(dir, (db) =>
    Object.fromEntries(
      (db.prepare('SELECT key, label, status, failure_class FROM calcs').all() as CalcRow[]).map(
        (c) => [c.label, c],
      ),
    ),
  );
}

/** The SLURM jobs the campaign's attempts ran in (distinct job ids). */
function jobIds(dir: string): unknown[] {
  return withStore(dir, (db) =>
    db.prepare("SELECT DISTINCT json_extract(handle_json, '$.job_id') FROM attempts").pluck().all(),
  );
}

/** Waits until the three calcs run; a run that ends first fails the test with what it said. */
async function allStarted(run: BackgroundCli, counter: string): Promise<void> {
  const ended = run.exit.then((r) => {
    throw new Error(`the run ended before its calcs started: ${r.stderr}`);
  });
  await Promise.race([untilStarted(counter, 3), ended]);
  ended.catch(() => undefined);
}

function expectOneCancelled(dir: string): void {
  expect(calcs(dir)).toMatchObject({
    c0: { status: 'succeeded' },
    c1: { status: 'failed', failure_class: 'cancelled' },
    c2: { status: 'succeeded' },
  });
  // One allocation ran the three: nothing was cancelled with the calc, nothing resubmitted.
  expect(jobIds(dir)).toHaveLength(1);
}

describe.skipIf(skip)('retort cancel of one calc of a packed SLURM job', () => {
  for (const host of ['dev', 'login']) {
    it(`ends that calc alone; the other two of its pack succeed in the same job (slurm:${host})`, async () => {
      const dir = packedCampaign();
      const { file, counter } = countedCalcs(dir, 3, 'sleep 20; echo done');
      const run = startCli(['run', file, '--executor', `slurm:${host}`, '--headless'], {
        cwd: dir,
        env: cluster.env,
      });
      await allStarted(run, counter);
      const victim = calcs(dir).c1;
      if (victim === undefined) throw new Error('calc c1 missing');
      const cancel = runCli(['cancel', victim.key], { cwd: dir });
      expect(cancel.status, cancel.stderr).toBe(0);
      const done = await run.exit;
      expect(done.status).toBe(1);
      expectOneCancelled(dir);
      expect(fileLines(counter).sort()).toEqual(['c0', 'c1', 'c2']);
    }, 300_000);
  }

  it('reaches the calc through the next run when the runner was killed with SIGKILL', async () => {
    const dir = packedCampaign();
    const { file, counter } = countedCalcs(dir, 3, 'sleep 25; echo done');
    const first = startCli(['run', file, '--executor', 'slurm:dev', '--headless'], {
      cwd: dir,
      env: cluster.env,
    });
    await allStarted(first, counter);
    first.child.kill('SIGKILL');
    await first.exit;
    const victim = calcs(dir).c1;
    if (victim === undefined) throw new Error('calc c1 missing');
    const cancel = runCli(['cancel', victim.key], { cwd: dir });
    expect(cancel.stdout).toContain('left running by a runner that ended');
    const second = runCli(['run', file, '--executor', 'slurm:dev', '--headless'], {
      cwd: dir,
      env: cluster.env,
    });
    expect(second.status).toBe(1);
    expectOneCancelled(dir);
    // Each calc started once: the pack went on while no runner watched it.
    expect(fileLines(counter).sort()).toEqual(['c0', 'c1', 'c2']);
  }, 300_000);
});
