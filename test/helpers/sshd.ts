import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * A private sshd on 127.0.0.1 for the transport tests, run by scripts/dev/sshd-up.sh.
 *
 * Each test file has its own port and directory, so that files run in parallel:
 *   2301  test/executors/remote/ssh2-transport.test.ts
 *   2302  test/executors/remote/system-ssh-transport.test.ts
 *   2321  test/cli/ssh-run.test.ts
 *   2331  test/cli/ssh-host-key.test.ts
 */
export interface SshdInfo {
  readonly dir: string;
  readonly port: number;
  readonly host: '127.0.0.1';
  readonly user: 'root';
  /** The client key, authorised for root. */
  readonly identityFile: string;
  /** Holds the host key as `[127.0.0.1]:port`. */
  readonly knownHosts: string;
  /** An ssh_config whose Host `alias` has all of the above. */
  readonly sshConfig: string;
  readonly alias: string;
  readonly pidFile: string;
}

const run = promisify(execFile);
const scripts = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'dev');

/** Why these tests cannot run here, or undefined when they can. */
export function sshdUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to run a private sshd';
  if (!existsSync('/usr/sbin/sshd') && !existsSync('/usr/bin/apt-get')) {
    return 'no /usr/sbin/sshd and no apt-get to install openssh-server';
  }
  return undefined;
}

/** Starts (or finds running) the sshd of `dir`, by default /tmp/retort-sshd-test-PORT. */
export async function startSshd(options: {
  port: number;
  dir?: string;
  maxSessions?: number;
}): Promise<SshdInfo> {
  const dir = options.dir ?? `/tmp/retort-sshd-test-${options.port}`;
  await run(join(scripts, 'sshd-up.sh'), [], {
    env: {
      ...process.env,
      RETORT_SSHD_DIR: dir,
      RETORT_SSHD_PORT: String(options.port),
      RETORT_SSHD_MAX_SESSIONS: String(options.maxSessions ?? 10),
    },
  });
  return {
    dir,
    port: options.port,
    host: '127.0.0.1',
    user: 'root',
    identityFile: join(dir, 'id_ed25519'),
    knownHosts: join(dir, 'known_hosts'),
    sshConfig: join(dir, 'ssh_config'),
    alias: 'retort-sshd',
    pidFile: join(dir, 'sshd.pid'),
  };
}

/** Stops the sshd the way a user would (sessions already open end by themselves). */
export async function stopSshd(info: SshdInfo): Promise<void> {
  await run(join(scripts, 'sshd-down.sh'), [], {
    env: { ...process.env, RETORT_SSHD_DIR: info.dir },
  });
}

/**
 * Simulates a crash of the host's sshd: SIGKILL to the listening sshd and everything under it
 * (the per-connection sshds and their sessions), so open connections drop at once. The pid
 * file is removed, as a crashed sshd would leave it stale.
 */
export function killSshd(info: SshdInfo): void {
  const pid = Number(readFileSync(info.pidFile, 'utf8').trim());
  if (!isLive(pid) || readProc(pid, 'comm')?.trim() !== 'sshd') {
    throw new Error(`${info.pidFile}: pid ${pid} is not a running sshd`);
  }
  // Freeze the tree first, so that nothing forks while it is collected.
  const tree = new Set([pid]);
  for (let size = 0; size !== tree.size;) {
    size = tree.size;
    for (const member of tree) signal(member, 'SIGSTOP');
    for (const [child, parent] of parents()) if (tree.has(parent)) tree.add(child);
  }
  for (const member of tree) signal(member, 'SIGKILL');
  rmSync(info.pidFile, { force: true });
  // SIGKILL is delivered at once; ending takes a moment.
  const deadline = Date.now() + 5000;
  while ([...tree].some(isLive)) {
    if (Date.now() > deadline)
      throw new Error(`sshd processes ${[...tree].join(' ')} survived SIGKILL`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'latin1');
  } catch {
    return undefined;
  }
}

/** Running: /proc has it and it is not a zombie (which has ended, whoever reaps it). */
function isLive(pid: number): boolean {
  const stat = readProc(pid, 'stat');
  if (stat === undefined) return false;
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

/** [pid, parent pid] of every process. */
function* parents(): Generator<[number, number]> {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readProc(Number(name), 'stat');
    if (stat === undefined) continue;
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    yield [Number(name), parent];
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}
