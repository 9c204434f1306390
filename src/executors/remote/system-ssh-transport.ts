import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rename, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { shellCommand, shellQuote } from './shell-quote.js';
import { ReconnectBackoff } from './reconnect-backoff.js';
import { Semaphore } from './semaphore.js';
import {
  AUTH_FIX,
  TransportError,
  type ExecOptions,
  type ExecResult,
  type SshTarget,
  type Transport,
} from './transport.js';

const DEFAULT_TIMEOUT_MS = 120_000;
/** The master lingers this long after its last session (ControlPersist). */
const CONTROL_PERSIST_S = 60;

/**
 * The `system-ssh` transport: the user's own `ssh` and `sftp`, so that ~/.ssh/config, agents,
 * jump hosts and Kerberos work as they do for the user. One master connection per instance
 * (ControlMaster, its socket in a private temp dir) carries every call; at most `maxSessions`
 * ssh/sftp processes run at once, each one session on it. Processes are spawned from argv
 * arrays, never through a local shell; the remote command is quoted by `shell-quote.ts`.
 *
 * ssh exits 255 when it fails itself, but a remote command may exit 255 too: a 255 counts as a
 * transport failure when stderr has a line ssh writes on failure (`ssh: …`, host key or
 * authentication refusals, `Connection closed/refused/reset`, `kex_exchange_identification`,
 * `mux_client…`), or when it says nothing and the master is gone (`ssh -O check`: a session
 * whose master died ends silently with 255). ssh also reports a remote process killed by a
 * signal as 255, so `exitCode` is 255 here where the ssh2 transport says null.
 */
export class SystemSshTransport implements Transport {
  readonly description: string;
  readonly #target: SshTarget;
  readonly #destination: string;
  readonly #sessions: Semaphore;
  readonly #backoff = new ReconnectBackoff();
  /** Private directory of the control socket (and of download staging), made on first use. */
  #controlDir: Promise<string> | undefined;
  /** Whether the master is believed up: then calls go straight to it. */
  #connected = false;
  #connecting: Promise<void> | undefined;
  /** ssh/sftp processes running, and when the last one ended (for the master's idle exit). */
  #active = 0;
  #lastActive = 0;
  #downloads = 0;

  constructor(target: SshTarget) {
    const destination = target.alias ?? target.hostname;
    if (destination === undefined) {
      throw new TransportError(`host ${target.name}: set either hostname or alias`, {
        retryable: false,
      });
    }
    this.#target = target;
    this.#destination = destination;
    this.#sessions = new Semaphore(target.maxSessions ?? 10);
    this.description =
      target.alias !== undefined
        ? `${target.alias} (system ssh)`
        : `${target.user === undefined ? '' : `${target.user}@`}${destination}${target.port === undefined ? '' : `:${target.port}`} (system ssh)`;
  }

  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    if (argv.length === 0) {
      throw new TransportError('exec needs a command (argv is empty)', { retryable: false });
    }
    let command: string;
    try {
      command = shellCommand(argv);
    } catch (error) {
      throw new TransportError((error as Error).message, { retryable: false, cause: error });
    }
    const result = await this.#session('ssh', ['--', this.#destination, command], {
      ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      what: command,
    });
    if (result.code === 255) {
      if (looksLikeSshFailure(result.stderr)) throw this.#failure(result.stderr);
      // A session whose master died ends with 255 and says nothing: ask the master.
      if (!(await this.#masterAlive())) {
        this.#connected = false;
        throw new TransportError(
          `${this.description}: lost the connection while running ${command}`,
          { retryable: true },
        );
      }
    }
    return { exitCode: result.code, stdout: result.stdout, stderr: withoutMuxNotes(result.stderr) };
  }

  async upload(localDir: string, remoteDir: string, names: readonly string[]): Promise<void> {
    const unique = [...new Set(names)];
    for (const name of unique) {
      const path = join(localDir, name);
      try {
        await stat(path);
      } catch (error) {
        throw new TransportError(`cannot upload ${path}: ${(error as Error).message}`, {
          retryable: false,
          cause: error,
        });
      }
    }
    // Every level of every directory, parents first; `-` lets those that exist fail quietly.
    const dirs = new Set<string>();
    for (const dir of [remoteDir, ...unique.map((n) => posix.dirname(posix.join(remoteDir, n)))]) {
      for (const level of levels(dir)) dirs.add(level);
    }
    await this.#sftp([
      ...[...dirs].map((dir) => `-mkdir ${sftpQuote(dir)}`),
      ...unique.map(
        (name) =>
          `put ${sftpQuote(join(localDir, name))} ${sftpQuote(posix.join(remoteDir, name))}`,
      ),
    ]);
  }

  async download(remoteDir: string, localDir: string, names: readonly string[]): Promise<string[]> {
    const unique = [...new Set(names)];
    if (unique.length === 0) return [];
    // Into an empty staging directory first: what exists there afterwards is what the host had
    // (`-get` skips a missing file quietly), and stale local files cannot be taken for it.
    const staging = join(await this.#privateDir(), `download-${++this.#downloads}`);
    try {
      for (const name of unique) await mkdir(dirname(join(staging, name)), { recursive: true });
      await this.#sftp(
        unique.map(
          (name) =>
            `-get ${sftpQuote(posix.join(remoteDir, name))} ${sftpQuote(join(staging, name))}`,
        ),
      );
      const copied: string[] = [];
      for (const name of unique) {
        const from = join(staging, name);
        if (!existsSync(from)) continue;
        const to = join(localDir, name);
        try {
          await mkdir(dirname(to), { recursive: true });
          await move(from, to);
        } catch (error) {
          throw new TransportError(`cannot write ${to}: ${(error as Error).message}`, {
            retryable: false,
            cause: error,
          });
        }
        copied.push(name);
      }
      return copied;
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  async close(): Promise<void> {
    this.#connected = false;
    const dir = this.#controlDir;
    this.#controlDir = undefined;
    if (dir === undefined) return;
    const path = await dir.catch(() => undefined);
    if (path === undefined) return;
    if (existsSync(join(path, 'cm'))) {
      // Ends the master; sessions still on it end with it (their calls fail as retryable).
      await run('ssh', [...this.#options('ssh', path), '-O', 'exit', '--', this.#destination], {
        timeoutMs: 10_000,
      }).catch(() => undefined);
    }
    await rm(path, { recursive: true, force: true });
  }

  // ---- connection ------------------------------------------------------------------------

  /** Runs ssh or sftp with the common options (after connecting if need be) in a session slot. */
  async #session(
    program: 'ssh' | 'sftp',
    args: readonly string[],
    options: RunOptions & { what: string },
  ): Promise<RunResult> {
    await this.#connect();
    const permit = await this.#sessions.acquire();
    this.#active++;
    try {
      const dir = await this.#privateDir();
      const result = await run(program, [...this.#options(program, dir), ...args], options);
      if (result.timedOut) {
        throw new TransportError(
          `${this.description}: ${options.what} did not finish within ${options.timeoutMs ?? 0} ms`,
          { retryable: true },
        );
      }
      if (result.code === null) {
        this.#connected = false;
        throw new TransportError(
          `${this.description}: ${program} was killed by ${result.signal ?? 'a signal'}`,
          { retryable: true },
        );
      }
      if (result.code === 255 && looksLikeSshFailure(result.stderr)) this.#connected = false;
      return result;
    } finally {
      this.#active--;
      this.#lastActive = Date.now();
      permit.release();
    }
  }

  /**
   * Makes sure a master connection is up before calls share it: started by one call while the
   * others wait (many at once would each open a connection of their own), with backoff between
   * failed attempts. Skipped while the master is known to be up.
   */
  #connect(): Promise<void> {
    const idle =
      this.#active === 0 && Date.now() - this.#lastActive > (CONTROL_PERSIST_S - 10) * 1000;
    if (this.#connected && !idle) return Promise.resolve();
    this.#connecting ??= (async () => {
      const epoch = await this.#backoff.wait();
      const permit = await this.#sessions.acquire();
      this.#active++;
      try {
        const dir = await this.#privateDir();
        const result = await run(
          'ssh',
          [...this.#options('ssh', dir), '--', this.#destination, 'true'],
          { timeoutMs: ((this.#target.connectTimeoutS ?? 10) + 30) * 1000 },
        );
        if (result.code !== 0) {
          throw result.code === 255 || result.code === null
            ? this.#failure(result.stderr)
            : new TransportError(
                `${this.description}: the login shell failed to run \`true\` (exit ${result.code}): ${result.stderr.trim()}`,
                { retryable: false },
              );
        }
        this.#connected = true;
        this.#backoff.succeeded();
      } catch (error) {
        this.#backoff.failed(epoch);
        throw error;
      } finally {
        this.#active--;
        this.#lastActive = Date.now();
        permit.release();
      }
    })().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #masterAlive(): Promise<boolean> {
    const dir = await this.#privateDir();
    const check = await run(
      'ssh',
      [...this.#options('ssh', dir), '-O', 'check', '--', this.#destination],
      { timeoutMs: 10_000 },
    ).catch(() => undefined);
    return check?.code === 0;
  }

  #privateDir(): Promise<string> {
    this.#controlDir ??= mkdtemp(join(socketParent(), 'retort-ssh-'));
    return this.#controlDir;
  }

  /** The options of every ssh/sftp run: connection sharing, no prompts, the target's settings. */
  #options(program: 'ssh' | 'sftp', dir: string): string[] {
    const t = this.#target;
    const args: string[] = [];
    if (t.sshConfig !== undefined) args.push('-F', t.sshConfig);
    const option = (setting: string): void => {
      args.push('-o', setting);
    };
    option('ControlMaster=auto');
    option(`ControlPath=${join(dir, 'cm')}`);
    option(`ControlPersist=${CONTROL_PERSIST_S}`);
    option('BatchMode=yes');
    option('ServerAliveInterval=5');
    option('ServerAliveCountMax=3');
    option(`ConnectTimeout=${t.connectTimeoutS ?? 10}`);
    if (t.alias === undefined) {
      if (t.port !== undefined) args.push(program === 'ssh' ? '-p' : '-P', String(t.port));
      if (t.user !== undefined) {
        if (program === 'ssh') args.push('-l', t.user);
        else option(`User=${configValue(t.user)}`);
      }
      if (t.identityFile !== undefined) {
        // Not -i: ssh expands % in it with no way to escape a literal one.
        option(`IdentityFile=${configValue(t.identityFile)}`);
        option('IdentitiesOnly=yes');
      }
      if (t.knownHosts !== undefined) option(`UserKnownHostsFile=${configValue(t.knownHosts)}`);
      option('StrictHostKeyChecking=yes');
    }
    return args;
  }

  /** Runs an sftp batch; a failing command aborts it unless it starts with `-`. */
  async #sftp(commands: readonly string[]): Promise<void> {
    const result = await this.#session('sftp', ['-b', '-', '--', this.#destination], {
      stdin: `${commands.join('\n')}\n`,
      what: 'sftp',
    });
    if (result.code === 0) return;
    if (result.code === 255 && looksLikeSshFailure(result.stderr))
      throw this.#failure(result.stderr);
    throw new TransportError(
      `${this.description}: sftp failed (exit ${result.code}): ${lastLines(result.stderr)}`,
      { retryable: false },
    );
  }

  /** The TransportError for what ssh said when it failed. */
  #failure(stderr: string): TransportError {
    const said = lastLines(stderr);
    const t = this.#target;
    const hostname = t.hostname ?? '';
    const where =
      t.alias ?? (t.port === undefined || t.port === 22 ? hostname : `[${hostname}]:${t.port}`);
    if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/.test(stderr)) {
      const offending = /Offending .* key in (.*)/.exec(stderr)?.[1]?.trim();
      const file = offending?.replace(/:\d+$/, '') ?? t.knownHosts ?? '~/.ssh/known_hosts';
      return new TransportError(
        `${this.description}: the host key of ${where} has CHANGED${offending === undefined ? '' : ` (the old key is in ${offending})`}. Someone may be intercepting the connection, or the host was reinstalled`,
        {
          retryable: false,
          fix: `check the host and verify the new key, then update or remove its entry in ${file} (ssh-keygen -R ${shellQuote(where)} -f ${shellQuote(file)}, then ssh-keyscan)`,
        },
      );
    }
    if (/Host key verification failed|No .* host key is known for/.test(stderr)) {
      const file = t.knownHosts ?? '~/.ssh/known_hosts';
      const scan = `ssh-keyscan ${
        t.alias === undefined
          ? `${t.port === undefined ? '' : `-p ${t.port} `}${shellQuote(hostname)}`
          : '-p PORT HOSTNAME'
      } >> ${t.knownHosts === undefined ? file : shellQuote(file)}`;
      return new TransportError(
        `${this.description}: the host key of ${where} is not in ${file} (ssh said: ${said})`,
        { retryable: false, fix: `verify it and add it (${scan})` },
      );
    }
    if (stderr.includes('Permission denied (')) {
      return new TransportError(
        `${this.description}: authentication was refused (ssh said: ${said})`,
        { retryable: false, fix: AUTH_FIX },
      );
    }
    if (
      /Bad configuration option|bad configuration options|Unsupported option|Could not resolve hostname .*: (Name or service not known|No address associated)|Can't open user config file|Bad owner or permissions/.test(
        stderr,
      )
    ) {
      return new TransportError(`${this.description}: ssh refused its settings: ${said}`, {
        retryable: false,
      });
    }
    return new TransportError(`${this.description}: cannot reach the host: ${said}`, {
      retryable: true,
    });
  }
}

// ---- helpers -----------------------------------------------------------------------------

/**
 * Where the private directory goes: the temp directory (TMPDIR), unless its path is too long
 * for the control socket in it (a socket path holds about 100 bytes, and ssh adds a random
 * suffix to it while it sets the master up); then /tmp.
 */
function socketParent(): string {
  const dir = tmpdir();
  return dir.length + '/retort-ssh-XXXXXX/cm.XXXXXXXXXXXXXXXX'.length < 100 ? dir : '/tmp';
}

const SSH_FAILURE =
  /^ssh: |^Connection closed|Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|Permission denied \(|Connection (closed|refused|reset|timed out)|Connection to .* closed|kex_exchange_identification|mux_client|Control socket|Timeout, server .* not responding|client_loop: |Bad configuration option|Could not resolve hostname/m;

function looksLikeSshFailure(stderr: string): boolean {
  return SSH_FAILURE.test(stderr);
}

/**
 * stderr without what ssh wrote there when the master refused the session (sshd had no free
 * session just then) and ssh fell back to a connection of its own.
 */
function withoutMuxNotes(stderr: string): string {
  return stderr.replace(
    /^(?:mux_client_request_session: .*\n|ControlSocket .* already exists, disabling multiplexing\r?\n)+/,
    '',
  );
}

function lastLines(text: string): string {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  return lines.slice(-3).join(' / ') || '(nothing on stderr)';
}

/**
 * A path as one argument of an sftp batch command: double quotes, with `\"` and `\\` escapes.
 * sftp treats `*`, `?` and `[` inside quotes literally. A newline would end the command.
 */
function sftpQuote(path: string): string {
  if (/[\n\r\0]/.test(path)) {
    throw new TransportError(
      `sftp cannot handle a path with a line break: ${JSON.stringify(path)}`,
      {
        retryable: false,
      },
    );
  }
  return `"${path.replace(/[\\"]/g, '\\$&')}"`;
}

/**
 * A value for `-o Key=value`: ssh splits it like a config line (double quotes group, `\"` and
 * `\\` escape) and expands `%` tokens in paths (`%%` is a literal `%`).
 */
function configValue(value: string): string {
  const escaped = value.replaceAll('%', '%%');
  return /[\s"'\\]/.test(escaped) ? `"${escaped.replace(/[\\"]/g, '\\$&')}"` : escaped;
}

/** `a/b/c` → a, a/b, a/b/c (the root itself left out). */
function levels(dir: string): string[] {
  const out: string[] = [];
  let current = dir;
  while (current !== '' && current !== '.' && current !== '/') {
    out.unshift(current);
    const parent = posix.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return out;
}

async function move(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await copyFile(from, to);
    await unlink(from);
  }
}

interface RunOptions {
  readonly stdin?: string;
  readonly timeoutMs?: number;
}

interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** Runs a program (no shell), feeding stdin and collecting its output. */
function run(program: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise<RunResult>((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGTERM');
          }, options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin.on('error', () => undefined); // ssh may exit before reading its stdin
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new TransportError(
          error.code === 'ENOENT'
            ? `cannot run ${program}: it is not installed (or not on PATH); install the OpenSSH client`
            : `cannot run ${program}: ${error.message}`,
          { retryable: false, cause: error },
        ),
      );
    });
    // A session's stdio was handed to the master, which keeps it until the remote command
    // ends: after a timeout, ssh's own exit is what counts, not its pipes closing.
    child.on('exit', (code, signal) => {
      if (timedOut) resolve({ code, signal, stdout: '', stderr: '', timedOut });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        timedOut,
      });
    });
    child.stdin.end(options.stdin ?? '');
  });
}
