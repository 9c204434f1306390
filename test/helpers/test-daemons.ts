import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The daemons the test suite starts (a private sshd, the SLURM dev cluster) are stopped when the
 * suite ends, and only those: a daemon someone had running before is left alone, and one that
 * another test run (another worktree) still uses is left to that run.
 *
 * - The suite's global setup makes a registry directory ({@link openRegistry}) and names it in
 *   RETORT_TEST_DAEMONS, which the test files' processes inherit.
 * - A helper that brings a daemon up calls {@link useDaemon} with its state directory and
 *   whether the daemon was running before it asked: the suite takes a lease on it (a file named
 *   after the suite's pid in `<dir>/test-leases/`) and, when it started it, marks it
 *   `<dir>/test-leases/started-by-tests`.
 * - The teardown ({@link releaseDaemons}) drops the suite's leases and stops each daemon marked
 *   as started by tests that no live test run holds a lease on any more.
 */

const REGISTRY = 'RETORT_TEST_DAEMONS';
const SUITE = 'RETORT_TEST_SUITE_PID';
const MARK = 'started-by-tests';
const scripts = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'dev');

export type DaemonKind = 'sshd' | 'slurm';

/** For the global setup: a new registry, named in the environment the test files inherit. */
export function openRegistry(): string {
  const registry = mkdtempSync(join(tmpdir(), 'retort-test-daemons-'));
  process.env[REGISTRY] = registry;
  process.env[SUITE] = String(process.pid);
  return registry;
}

/**
 * Records that this suite uses the daemon whose state is in `dir`, and whether it started it
 * (`wasRunning`: it was up before the helper asked). Outside a suite with a registry (a helper
 * used by hand), nothing is recorded.
 */
export function useDaemon(kind: DaemonKind, dir: string, wasRunning: boolean): void {
  const registry = process.env[REGISTRY];
  const suite = process.env[SUITE];
  if (registry === undefined || suite === undefined || !existsSync(registry)) return;
  const entry = JSON.stringify({ kind, dir });
  const record = join(registry, Buffer.from(entry).toString('base64url'));
  // What the suite found at its first use decides: a daemon a test kills and starts again is
  // still the one someone had running before.
  const first = !existsSync(record);
  const leases = join(dir, 'test-leases');
  mkdirSync(leases, { recursive: true });
  writeFileSync(join(leases, suite), '');
  if (first && !wasRunning) writeFileSync(join(leases, MARK), '');
  writeFileSync(record, entry);
}

/**
 * For the global teardown: drops this suite's leases and stops each daemon it used that tests
 * started and no live test run still holds; then removes the registry. Returns the daemons
 * stopped, `kind:dir`.
 */
export function releaseDaemons(registry: string): string[] {
  const stopped: string[] = [];
  try {
    for (const name of readdirSync(registry)) {
      const { kind, dir } = JSON.parse(readFileSync(join(registry, name), 'utf8')) as {
        kind: DaemonKind;
        dir: string;
      };
      if (release(kind, dir)) stopped.push(`${kind}:${dir}`);
    }
  } finally {
    rmSync(registry, { recursive: true, force: true });
  }
  return stopped;
}

/** Drops this suite's lease on one daemon; stops it when tests started it and none holds it. */
function release(kind: DaemonKind, dir: string): boolean {
  const leases = join(dir, 'test-leases');
  // A test file that stopped its daemon may have removed its directory too.
  if (!existsSync(leases)) return false;
  rmSync(join(leases, String(process.pid)), { force: true });
  if (!existsSync(join(leases, MARK))) {
    if (readdirSync(leases).length === 0) rmSync(leases, { recursive: true, force: true });
    return false;
  }
  const holders = readdirSync(leases).filter((lease) => lease !== MARK && alive(Number(lease)));
  if (holders.length > 0) return false;
  stopDaemon(kind, dir);
  rmSync(leases, { recursive: true, force: true });
  return true;
}

function stopDaemon(kind: DaemonKind, dir: string): void {
  const [script, variable] =
    kind === 'sshd' ? ['sshd-down.sh', 'RETORT_SSHD_DIR'] : ['slurm-down.sh', 'RETORT_SLURM_DIR'];
  execFileSync(join(scripts, script), [], {
    env: { ...process.env, [variable]: dir },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
