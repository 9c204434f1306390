import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshdUnavailable, startSshd, stopSshd, type SshdInfo } from './sshd.js';
import { releaseDaemons } from './test-daemons.js';

// The suite's teardown of the daemons it started, with a real sshd on 127.0.0.1:2304.
const PORT = 2304;
const skip = sshdUnavailable();

/** Whether the sshd of `info` runs: its pid file names a live process. */
function running(info: SshdInfo): boolean {
  try {
    process.kill(Number(readFileSync(info.pidFile, 'utf8').trim()), 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(skip !== undefined)('the teardown of the daemons the suite started', () => {
  const saved = {
    registry: process.env.RETORT_TEST_DAEMONS,
    suite: process.env.RETORT_TEST_SUITE_PID,
  };
  let registry: string;
  const dir = mkdtempSync(join(tmpdir(), 'retort-sshd-teardown-'));

  /** A registry of this test's own, as the global setup makes one for the suite. */
  function newRegistry(): string {
    registry = mkdtempSync(join(tmpdir(), 'retort-test-daemons-'));
    process.env.RETORT_TEST_DAEMONS = registry;
    process.env.RETORT_TEST_SUITE_PID = String(process.pid);
    return registry;
  }

  beforeAll(() => {
    newRegistry();
  });

  afterAll(async () => {
    if (saved.registry === undefined) delete process.env.RETORT_TEST_DAEMONS;
    else process.env.RETORT_TEST_DAEMONS = saved.registry;
    if (saved.suite === undefined) delete process.env.RETORT_TEST_SUITE_PID;
    else process.env.RETORT_TEST_SUITE_PID = saved.suite;
    await stopSshd({ dir } as SshdInfo);
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops an sshd the tests started', async () => {
    const sshd = await startSshd({ port: PORT, dir });
    expect(running(sshd)).toBe(true);
    expect(releaseDaemons(registry)).toEqual([`sshd:${dir}`]);
    expect(running(sshd)).toBe(false);
    expect(existsSync(registry)).toBe(false);
  }, 120_000);

  it('leaves alone an sshd that was running before the suite', async () => {
    execFileSync(join(import.meta.dirname, '../../scripts/dev/sshd-up.sh'), {
      env: { ...process.env, RETORT_SSHD_DIR: dir, RETORT_SSHD_PORT: String(PORT) },
      stdio: 'ignore',
    });
    newRegistry();
    const sshd = await startSshd({ port: PORT, dir });
    expect(releaseDaemons(registry)).toEqual([]);
    expect(running(sshd)).toBe(true);
    expect(existsSync(join(dir, 'test-leases'))).toBe(false);
    await stopSshd(sshd);
  }, 120_000);

  it('leaves an sshd it started to another test run that still uses it', async () => {
    newRegistry();
    const sshd = await startSshd({ port: PORT, dir });
    // Another run, alive (this process's parent), holds a lease too.
    writeFileSync(join(dir, 'test-leases', String(process.ppid)), '');
    expect(releaseDaemons(registry)).toEqual([]);
    expect(running(sshd)).toBe(true);
    rmSync(join(dir, 'test-leases', String(process.ppid)));
    // The last one to leave stops it.
    newRegistry();
    writeFileSync(join(registry, 'x'), JSON.stringify({ kind: 'sshd', dir }));
    expect(releaseDaemons(registry)).toEqual([`sshd:${dir}`]);
    expect(running(sshd)).toBe(false);
  }, 120_000);

  it('passes over a daemon whose test file stopped it and removed its directory', () => {
    newRegistry();
    const gone = join(dir, 'gone');
    writeFileSync(join(registry, 'x'), JSON.stringify({ kind: 'sshd', dir: gone }));
    expect(releaseDaemons(registry)).toEqual([]);
    expect(existsSync(registry)).toBe(false);
  });
});
