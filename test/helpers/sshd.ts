import { execFile } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useDaemon } from './test-daemons.js';
import { promisify } from 'node:util';

/**
 * A private sshd on 127.0.0.1 for the transport tests, run by scripts/dev/sshd-up.sh.
 *
 * The suite stops the sshds it started when it ends (see test-daemons.ts); a test file that
 * stops its own in afterAll does no harm.
 *
 * Each test file has its own port and directory, so that files run in parallel:
 *   2301  test/executors/remote/ssh2-transport.test.ts
 *   2302  test/executors/remote/system-ssh-transport.test.ts
 *   2303  test/executors/ssh/ssh-executor.test.ts
 *   2304  test/helpers/test-daemons.test.ts
 *   2321  test/cli/ssh-run.test.ts
 *   2322  test/cli/remote-pipelines.test.ts
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
  const wasRunning = sshdRunning(join(dir, 'sshd.pid'));
  await run(join(scripts, 'sshd-up.sh'), [], {
    env: {
      ...process.env,
      RETORT_SSHD_DIR: dir,
      RETORT_SSHD_PORT: String(options.port),
      RETORT_SSHD_MAX_SESSIONS: String(options.maxSessions ?? 10),
    },
  });
  useDaemon('sshd', dir, wasRunning);
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

/**
 * Starts an sshd of its own in a new temp directory (`/tmp/<prefix>XXXXXX`), for a test file
 * whose daemon must not be shared; {@link stopPrivateSshd} stops it and removes the directory.
 */
export function startPrivateSshd(port: number, prefix: string): Promise<SshdInfo> {
  return startSshd({ port, dir: mkdtempSync(join(tmpdir(), prefix)) });
}

export async function stopPrivateSshd(info: SshdInfo): Promise<void> {
  await stopSshd(info);
  rmSync(info.dir, { recursive: true, force: true });
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

/** Whether the pid file names a running sshd. */
function sshdRunning(pidFile: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return false;
  }
  return isLive(pid) && readProc(pid, 'comm')?.trim() === 'sshd';
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

/** A TCP relay on 127.0.0.1 in front of an sshd, see {@link startBurstRelay}. */
export interface BurstRelay {
  readonly port: number;
  /** A known_hosts file with the sshd's host key for `[127.0.0.1]:port` of the relay. */
  readonly knownHosts: string;
  close(): Promise<void>;
}

/**
 * A relay on 127.0.0.1 (a free port) to `targetPort` that passes the client's bytes on at once
 * but holds the server's and delivers them every `everyMs` in one write, as a loaded machine or
 * a link that joins packets does: an exec's reply, its output, its exit status and the channel's
 * close then arrive in one read.
 */
export async function startBurstRelay(sshd: SshdInfo, everyMs = 50): Promise<BurstRelay> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(sshd.port, sshd.host);
    sockets.add(client).add(upstream);
    let held: Buffer[] = [];
    const flush = (): void => {
      if (held.length === 0 || client.destroyed) return;
      client.write(Buffer.concat(held));
      held = [];
    };
    const timer = setInterval(flush, everyMs);
    upstream.on('data', (chunk: Buffer) => held.push(chunk));
    client.pipe(upstream);
    const end = (): void => {
      clearInterval(timer);
      flush();
      client.end();
      upstream.end();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    upstream.on('close', end);
    client.on('close', end);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolvePromise) => server.listen(0, sshd.host, resolvePromise));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('relay has no port');
  const knownHosts = join(sshd.dir, `known_hosts-relay-${String(address.port)}`);
  const hostKey = readFileSync(join(sshd.dir, 'host_ed25519.pub'), 'utf8').split(' ').slice(0, 2);
  writeFileSync(knownHosts, `[${sshd.host}]:${String(address.port)} ${hostKey.join(' ')}\n`);
  return {
    port: address.port,
    knownHosts,
    close: () =>
      new Promise<void>((resolvePromise) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolvePromise();
        });
      }),
  };
}
