import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, runCli, tempCampaign, tempDir } from '../helpers/cli.js';

afterEach(async () => {
  expect(await cleanupTempDirs()).toEqual([]);
});

/** A directory of stand-ins for sbatch, squeue and sinfo, answering as a cluster with `main`. */
function fakeSlurm(): string {
  const bin = join(tempDir('retort-fake-slurm-'), 'bin');
  mkdirSync(bin);
  const scripts: Record<string, string> = {
    sbatch: 'echo "slurm 22.05.8"',
    squeue: 'exit 0',
    sinfo: 'printf "main* up 1:00:00 2\\nfaults up 1:00:00 2\\n"',
  };
  for (const [name, body] of Object.entries(scripts)) {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  }
  return bin;
}

/** A campaign with the cluster `cl` (its commands run here) using `partition`. */
function clusterCampaign(partition: string): string {
  const dir = tempCampaign();
  writeFileSync(
    join(dir, 'retort.yaml'),
    ['hosts:', '  cl:', '    type: slurm', `    partition: ${partition}`, ''].join('\n'),
  );
  return dir;
}

describe('retort hosts check', () => {
  it('checks a cluster whose commands run here: scratch, sbatch, squeue and the partition', () => {
    const dir = clusterCampaign('main');
    const env = { PATH: `${fakeSlurm()}${delimiter}${process.env.PATH ?? ''}` };
    const check = runCli(['hosts', 'check', 'cl'], { cwd: dir, env });
    expect(check.stdout).toMatch(/^ok +reached this machine: /m);
    expect(check.stdout).toMatch(/^ok +scratch .*work is writable$/m);
    expect(check.stdout).toMatch(/^ok +sbatch --version: answers \(slurm 22\.05\.8\)$/m);
    expect(check.stdout).toMatch(/^ok +partition main exists$/m);
    // No calc yet: every program is worth knowing about, none is needed.
    expect(check.stdout).not.toMatch(/\(the campaign uses it\)/);
    expect(check.status, check.stdout).toBe(0);
  });

  it('fails for a partition the cluster does not have', () => {
    const dir = clusterCampaign('gpu');
    const env = { PATH: `${fakeSlurm()}${delimiter}${process.env.PATH ?? ''}` };
    const check = runCli(['hosts', 'check', 'cl'], { cwd: dir, env });
    expect(check.stdout).toMatch(/^FAIL +partition gpu is not among main, faults$/m);
    expect(check.status).toBe(1);
  });

  it('refuses a host retort.yaml does not have, naming those it has', () => {
    const dir = clusterCampaign('main');
    const check = runCli(['hosts', 'check', 'nope'], { cwd: dir });
    expect(check.stderr).toContain('nope: no host of that name in retort.yaml (hosts: cl)');
    expect(check.status).toBe(2);
    expect(check.stdout).toBe('');
  });
});
