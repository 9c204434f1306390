import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupTempDirs,
  countedCalcs,
  fileLines,
  labels,
  runCli,
  tempCampaign,
  tempDir,
  withStore,
} from '../helpers/cli.js';
import {
  sshdUnavailable,
  startPrivateSshd,
  stopPrivateSshd,
  type SshdInfo,
} from '../helpers/sshd.js';

// An ssh host whose key changed is the host's problem, not the calcs': the run pauses naming
// the host, nothing is recorded failed, and once the key is right the same command runs them.
const PORT = 2331;
const skip = sshdUnavailable();
let sshd: SshdInfo;

beforeAll(async () => {
  if (skip === undefined) sshd = await startPrivateSshd(PORT, 'retort-sshd-key-');
}, 600_000);

afterAll(async () => {
  if (skip === undefined) {
    await stopPrivateSshd(sshd);
  }
});

afterEach(async () => {
  expect(await cleanupTempDirs()).toEqual([]);
});

/** known_hosts naming the test sshd with a key that is not its own (as after a host change). */
function wrongKnownHosts(): string {
  const dir = tempDir();
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'other')]);
  const other = readFileSync(join(dir, 'other.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  const path = join(dir, 'known_hosts');
  writeFileSync(path, `[127.0.0.1]:${String(PORT)} ${other}\n`);
  return path;
}

function sshCampaign(knownHosts: string): string {
  const dir = tempCampaign();
  const scratch = join(tempDir('retort-remote-'), 'scratch');
  writeFileSync(
    join(dir, 'retort.yaml'),
    [
      'hosts:',
      '  dev:',
      '    type: ssh',
      '    hostname: 127.0.0.1',
      `    port: ${String(PORT)}`,
      `    user: ${sshd.user}`,
      `    identity_file: ${sshd.identityFile}`,
      `    known_hosts: ${knownHosts}`,
      `    scratch: "${scratch}"`,
      '    max_calcs: 2',
      '    poll_s: 1',
      '',
    ].join('\n'),
  );
  return dir;
}

function calcStatuses(dir: string): Record<string, number> {
  return Object.fromEntries(
    withStore(
      dir,
      (db) =>
        db.prepare('SELECT status, count(*) AS n FROM calcs GROUP BY status').all() as {
          status: string;
          n: number;
        }[],
    ).map((r) => [r.status, r.n]),
  );
}

describe.skipIf(skip)('retort run --executor ssh:NAME on a host whose key changed', () => {
  it('pauses naming the host and records no calc failed; with the key restored the same run succeeds', () => {
    const knownHosts = wrongKnownHosts();
    const dir = sshCampaign(knownHosts);
    const { file, counter } = countedCalcs(dir, 3, 'echo ok');
    const args = ['run', file, '--executor', 'ssh:dev', '--headless'];

    const paused = runCli(args, { cwd: dir });
    expect(paused.status).not.toBe(0);
    expect(paused.stdout + paused.stderr).toMatch(/paused/);
    const pauseLines = paused.stderr.split('\n').filter((l) => l.includes('run paused'));
    expect(pauseLines, paused.stderr).toHaveLength(1);
    expect(pauseLines[0]).toMatch(/ssh:dev|127\.0\.0\.1/);
    expect(paused.stderr).not.toMatch(/\n\s+at /);
    expect(calcStatuses(dir)).toEqual({ queued: 3 });
    expect(fileLines(counter)).toEqual([]);

    // The administrator confirms the new key: known_hosts gets the host's real key.
    writeFileSync(knownHosts, readFileSync(sshd.knownHosts));
    const fixed = runCli(args, { cwd: dir });
    expect(fixed.status, fixed.stderr).toBe(0);
    expect(fixed.stdout).not.toMatch(/FAILED earlier/);
    expect(calcStatuses(dir)).toEqual({ succeeded: 3 });
    expect(fileLines(counter).sort()).toEqual(labels(3));
  }, 300_000);
});
