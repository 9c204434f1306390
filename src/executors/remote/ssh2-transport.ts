import { mkdir, readFile, stat } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { InfrastructureError } from '../../core/errors.js';
import { Client, type ClientChannel, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import {
  checkHostKey,
  knownHostsName,
  knownKeysFor,
  preferredHostKeys,
  readKnownHosts,
} from './known-hosts.js';
import { ReconnectBackoff } from './reconnect-backoff.js';
import { Semaphore, type Permit } from './semaphore.js';
import { shellCommand } from './shell-quote.js';
import {
  AUTH_FIX,
  TransportError,
  type ExecOptions,
  type ExecResult,
  type SshTarget,
  type Transport,
} from './transport.js';

const DEFAULT_TIMEOUT_MS = 120_000;
/** Files copied at once over the one SFTP session (its requests are pipelined). */
const FILES_AT_ONCE = 8;
/** Retries of a refused channel open, 10 ms doubling (about 1.3 s in all). */
const OPEN_RETRIES = 7;

/**
 * The `ssh2` transport: one TCP connection per instance, opened on the first call and shared by
 * all calls, at most `maxSessions` channels on it at once (the SFTP session, kept open for
 * reuse, is one of them, and gives its slot up when idle and execs are waiting). The host key
 * is always checked against known_hosts (plain, `[host]:port` and hashed entries);
 * authentication uses `identityFile`, else the agent at `SSH_AUTH_SOCK`. A lost connection
 * (noticed at once when the socket closes, or by keepalive within about 20 s) fails the calls
 * in flight as retryable and is reopened by the next call, with backoff between failed
 * attempts.
 */
export class Ssh2Transport implements Transport {
  readonly description: string;
  readonly #target: SshTarget;
  readonly #hostname: string;
  readonly #port: number;
  readonly #user: string;
  readonly #knownHosts: string;
  readonly #channels: Semaphore;
  readonly #backoff = new ReconnectBackoff();
  /** The open connection, until it is lost or closed. */
  #current: Connection | undefined;
  /** The attempt under way, shared by the calls that wait for it. */
  #connecting: Promise<Connection> | undefined;
  /** The client of the attempt under way, so that close() can abort it. */
  #attempt: Client | undefined;
  /** Bumped by close(), so that an attempt finishing afterwards does not stay open. */
  #generation = 0;

  constructor(target: SshTarget) {
    if (target.hostname === undefined) {
      throw new TransportError(
        `host ${target.name}: the ssh2 transport needs a hostname (a Host alias of an ssh config works only with the system ssh transport)`,
        { retryable: false },
      );
    }
    this.#target = target;
    this.#hostname = target.hostname;
    this.#port = target.port ?? 22;
    this.#user = target.user ?? userInfo().username;
    this.#knownHosts = target.knownHosts ?? join(homedir(), '.ssh', 'known_hosts');
    this.#channels = new Semaphore(target.maxSessions ?? 10);
    this.description = `${this.#user}@${this.#hostname}:${this.#port} (ssh2)`;
  }

  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const command = remoteCommand(argv);
    const conn = await this.#connection();
    const permit = await this.#permit(conn);
    return this.#run(conn, permit, command, options);
  }

  async upload(localDir: string, remoteDir: string, names: readonly string[]): Promise<void> {
    const modes = new Map<string, number>();
    for (const name of new Set(names)) {
      const path = join(localDir, name);
      try {
        modes.set(name, (await stat(path)).mode & 0o777);
      } catch (error) {
        throw new TransportError(`cannot upload ${path}: ${errorText(error)}`, {
          retryable: false,
          cause: error,
        });
      }
    }
    await this.#withSftp(async (sftp) => {
      const dirs = new Map<string, Promise<void>>();
      await ensureRemoteDir(sftp, remoteDir, dirs);
      await forEachLimit([...modes], FILES_AT_ONCE, async ([name, mode]) => {
        const remote = posix.join(remoteDir, name);
        await ensureRemoteDir(sftp, posix.dirname(remote), dirs);
        await sftpCall<undefined>((done) => {
          sftp.fastPut(join(localDir, name), remote, { mode }, done);
        }, remote);
      });
    });
  }

  async download(remoteDir: string, localDir: string, names: readonly string[]): Promise<string[]> {
    const unique = [...new Set(names)];
    const copied = new Set<string>();
    await this.#withSftp((sftp) =>
      forEachLimit(unique, FILES_AT_ONCE, async (name) => {
        const remote = posix.join(remoteDir, name);
        const local = join(localDir, name);
        try {
          const stats = await sftpCall<{ isFile: () => boolean }>((done) => {
            sftp.stat(remote, done);
          }, remote);
          if (!stats.isFile()) return;
          await mkdir(dirname(local), { recursive: true });
          await sftpCall<undefined>((done) => {
            sftp.fastGet(remote, local, done);
          }, remote);
          copied.add(name);
        } catch (error) {
          if (!isNoSuchFile(error)) throw error;
        }
      }),
    );
    return unique.filter((name) => copied.has(name));
  }

  async close(): Promise<void> {
    this.#generation++;
    this.#attempt?.destroy();
    this.#attempt = undefined;
    const conn = this.#current;
    this.#current = undefined;
    if (conn === undefined || conn.lost !== undefined) return;
    conn.lost = new TransportError(`the connection to ${this.description} was closed`, {
      retryable: true,
    });
    await new Promise<void>((resolve) => {
      conn.client.once('close', () => {
        resolve();
      });
      conn.client.end();
      // A server that does not answer the disconnect is not waited for.
      setTimeout(() => {
        conn.client.destroy();
      }, 2000).unref();
    });
  }

  // ---- connection ------------------------------------------------------------------------

  #connection(): Promise<Connection> {
    if (this.#current !== undefined && this.#current.lost === undefined) {
      return Promise.resolve(this.#current);
    }
    this.#connecting ??= this.#connect().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #connect(): Promise<Connection> {
    const epoch = await this.#backoff.wait();
    const generation = this.#generation;
    let conn: Connection;
    try {
      conn = await this.#handshake();
    } catch (error) {
      this.#backoff.failed(epoch);
      throw error;
    }
    this.#backoff.succeeded();
    if (generation !== this.#generation) {
      conn.client.end();
      throw new TransportError(`the connection to ${this.description} was closed`, {
        retryable: true,
      });
    }
    this.#current = conn;
    return conn;
  }

  async #handshake(): Promise<Connection> {
    const [privateKey, knownHostsText] = await Promise.all([
      this.#privateKey(),
      readKnownHosts(this.#knownHosts),
    ]);
    const hostPattern = knownHostsName(this.#hostname, this.#port);
    const known = knownKeysFor(knownHostsText ?? '', hostPattern);
    const agent = privateKey === undefined ? process.env.SSH_AUTH_SOCK : undefined;
    let hostKeyProblem: { problem: string; fix: string } | undefined;
    const config: ConnectConfig = {
      host: this.#hostname,
      port: this.#port,
      username: this.#user,
      readyTimeout: (this.#target.connectTimeoutS ?? 10) * 1000,
      keepaliveInterval: 5000,
      keepaliveCountMax: 3,
      ...(privateKey === undefined ? {} : { privateKey }),
      ...(agent === undefined || agent === '' ? {} : { agent }),
      // Like OpenSSH: ask for the key types known_hosts has for this host first.
      ...(known.length === 0 ? {} : { algorithms: { serverHostKey: preferredHostKeys(known) } }),
      hostVerifier: (key: Buffer): boolean => {
        hostKeyProblem = checkHostKey(known, key, {
          pattern: hostPattern,
          hostname: this.#hostname,
          port: this.#port,
          file: this.#knownHosts,
        });
        return hostKeyProblem === undefined;
      },
    };
    const client = new Client();
    return new Promise<Connection>((resolve, reject) => {
      const conn: Connection = { client, lost: undefined, onLoss: new Set(), sftp: undefined };
      let ready = false;
      let lastError: Error | undefined;
      const fail = (error: TransportError): void => {
        if (this.#attempt === client) this.#attempt = undefined;
        reject(error);
        client.destroy();
      };
      client.on('ready', () => {
        ready = true;
        if (this.#attempt === client) this.#attempt = undefined;
        resolve(conn);
      });
      client.on('error', (error: Error) => {
        lastError ??= error;
        if (!ready) fail(this.#connectError(error, hostKeyProblem, agent));
      });
      client.on('close', () => {
        if (!ready) {
          fail(
            new TransportError(
              `cannot connect to ${this.description}: the connection closed during the handshake`,
              { retryable: true },
            ),
          );
          return;
        }
        if (this.#current === conn) this.#current = undefined;
        const loss =
          conn.lost ??
          new TransportError(
            `lost the connection to ${this.description}${lastError === undefined ? '' : `: ${lastError.message}`}`,
            { retryable: true, cause: lastError },
          );
        conn.lost = loss;
        const waiting = [...conn.onLoss];
        conn.onLoss.clear();
        for (const notify of waiting) notify(loss);
      });
      this.#attempt = client;
      try {
        client.connect(config);
      } catch (error) {
        // ssh2 throws here for a private key it cannot use (encrypted, unknown format).
        fail(
          new TransportError(`cannot connect to ${this.description}: ${errorText(error)}`, {
            retryable: false,
            cause: error,
          }),
        );
      }
    });
  }

  async #privateKey(): Promise<Buffer | undefined> {
    const file = this.#target.identityFile;
    if (file === undefined) return undefined;
    try {
      return await readFile(file);
    } catch (error) {
      throw new TransportError(`cannot read the identity file ${file}: ${errorText(error)}`, {
        retryable: false,
        cause: error,
      });
    }
  }

  #connectError(
    error: Error,
    hostKey: { problem: string; fix: string } | undefined,
    agent: string | undefined,
  ): TransportError {
    const prefix = `cannot connect to ${this.description}`;
    if (hostKey !== undefined) {
      return new TransportError(`${prefix}: ${hostKey.problem}`, {
        retryable: false,
        fix: hostKey.fix,
        cause: error,
      });
    }
    const { level, code } = error as Error & { level?: string; code?: string };
    if (level === 'client-authentication' || level === 'agent') {
      const tried =
        this.#target.identityFile !== undefined
          ? `the key ${this.#target.identityFile}`
          : agent !== undefined && agent !== ''
            ? `the keys of the SSH agent at ${agent}`
            : 'no key: no identity file is set and SSH_AUTH_SOCK is not set';
      return new TransportError(
        `${prefix}: authentication as ${this.#user} was refused (tried ${tried}: ${error.message})`,
        { retryable: false, fix: AUTH_FIX, cause: error },
      );
    }
    if (code === 'ENOTFOUND') {
      return new TransportError(`${prefix}: unknown host name ${this.#hostname}`, {
        retryable: false,
        fix: 'check the hostname in retort.yaml',
        cause: error,
      });
    }
    if (error.message.startsWith('Handshake failed')) {
      // No algorithm in common: settings, not the network.
      return new TransportError(`${prefix}: ${error.message}`, { retryable: false, cause: error });
    }
    return new TransportError(`${prefix}: ${error.message}`, { retryable: true, cause: error });
  }

  // ---- channels --------------------------------------------------------------------------

  /** A channel slot; an idle SFTP session gives its slot up when execs are waiting. */
  async #permit(conn: Connection): Promise<Permit> {
    let permit = this.#channels.tryAcquire();
    if (permit === undefined) {
      closeIdleSftp(conn);
      permit = await this.#channels.acquire();
    }
    if (conn.lost !== undefined) {
      permit.release();
      throw conn.lost;
    }
    return permit;
  }

  #run(
    conn: Connection,
    permit: Permit,
    command: string,
    options: ExecOptions,
  ): Promise<ExecResult> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new Promise<ExecResult>((resolve, reject) => {
      let settled = false;
      let channel: ClientChannel | undefined;
      const settle = (action: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        conn.onLoss.delete(onLoss);
        action();
      };
      const onLoss = (error: TransportError): void => {
        permit.release();
        settle(() => {
          reject(error);
        });
      };
      const timer = setTimeout(() => {
        settle(() => {
          reject(
            new TransportError(
              `${this.description}: ${command} did not finish within ${timeoutMs} ms`,
              { retryable: true },
            ),
          );
        });
        // The slot is released when the channel has closed.
        channel?.close();
      }, timeoutMs);
      if (conn.lost !== undefined) {
        onLoss(conn.lost);
        return;
      }
      conn.onLoss.add(onLoss);
      const opened = (ch: ClientChannel): void => {
        channel = ch;
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        let exit: { code: number | null } | undefined;
        ch.on('data', (chunk: Buffer) => stdout.push(chunk));
        ch.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
        ch.on('exit', (code: number | null) => {
          exit = { code: typeof code === 'number' ? code : null };
        });
        ch.on('close', () => {
          permit.release();
          settle(() => {
            if (exit === undefined) {
              // Closed without an exit status or signal: the connection went away.
              reject(
                conn.lost ??
                  new TransportError(
                    `${this.description}: the channel closed before ${command} reported its exit`,
                    { retryable: true },
                  ),
              );
              return;
            }
            resolve({
              exitCode: exit.code,
              stdout: Buffer.concat(stdout).toString('utf8'),
              stderr: Buffer.concat(stderr).toString('utf8'),
            });
          });
        });
        if (settled) ch.close();
        else if (options.stdin === undefined) ch.end();
        else ch.end(options.stdin);
      };
      // `opened` attaches the listeners in the same tick as ssh2 hands the channel over: the
      // exit status may come in the same read as the exec's reply, and ssh2 emits it at once.
      openChannel<ClientChannel>(
        (done) => {
          conn.client.exec(command, done);
        },
        () => settled,
        opened,
      ).catch((error: unknown) => {
        permit.release();
        settle(() => {
          reject(this.#channelError(conn, toError(error)));
        });
      });
    });
  }

  #channelError(conn: Connection, error: Error): TransportError {
    if (conn.lost !== undefined) return conn.lost;
    const refused = (error as { reason?: unknown }).reason !== undefined;
    const hint = refused
      ? ` (the host refuses more sessions: is its MaxSessions below maxSessions, ${this.#target.maxSessions ?? 10}?)`
      : '';
    return new TransportError(
      `${this.description}: cannot open a channel: ${error.message}${hint}`,
      { retryable: true, cause: error },
    );
  }

  // ---- SFTP ------------------------------------------------------------------------------

  async #withSftp<T>(work: (sftp: SFTPWrapper) => Promise<T>): Promise<T> {
    const conn = await this.#connection();
    const session = await this.#sftpSession(conn);
    session.users++;
    try {
      return await guarded(conn, work(session.sftp));
    } catch (error) {
      throw this.#sftpError(conn, error);
    } finally {
      session.users--;
      if (this.#channels.waiting > 0 && conn.sftpSession === session) closeIdleSftp(conn);
    }
  }

  #sftpSession(conn: Connection): Promise<SftpSession> {
    if (conn.sftp !== undefined) return conn.sftp;
    const opening = (async () => {
      const permit = await this.#permit(conn);
      let sftp: SFTPWrapper;
      try {
        sftp = await guarded(
          conn,
          openChannel<SFTPWrapper>((done) => {
            conn.client.sftp(done);
          }),
        );
      } catch (error) {
        permit.release();
        throw error instanceof TransportError ? error : this.#channelError(conn, toError(error));
      }
      const session: SftpSession = { sftp, users: 0 };
      const release = (): void => {
        permit.release();
        if (conn.sftpSession === session) {
          conn.sftpSession = undefined;
          conn.sftp = undefined;
        }
      };
      sftp.on('close', release);
      conn.onLoss.add(release);
      conn.sftpSession = session;
      return session;
    })();
    conn.sftp = opening;
    opening.catch(() => {
      if (conn.sftp === opening) conn.sftp = undefined;
    });
    return opening;
  }

  #sftpError(conn: Connection, error: unknown): TransportError {
    if (error instanceof TransportError) return error;
    if (conn.lost !== undefined) return conn.lost;
    const { code, path, syscall } = error as { code?: unknown; path?: string; syscall?: unknown };
    // A numeric code is an SFTP status from the server (no such file, permission denied,
    // failure), a syscall a local file error: neither goes away by itself. Anything else is
    // the channel going away.
    const retryable = typeof code !== 'number' && syscall === undefined;
    return new TransportError(
      `${this.description}: ${path === undefined ? '' : `${path}: `}${errorText(error)}`,
      { retryable, cause: error },
    );
  }
}

// ---- connection bookkeeping --------------------------------------------------------------

interface Connection {
  readonly client: Client;
  /** Set once the connection is gone (or closed); the work in flight is rejected with it. */
  lost: TransportError | undefined;
  /** Work in flight on this connection, told when it is lost. */
  readonly onLoss: Set<(error: TransportError) => void>;
  sftp: Promise<SftpSession> | undefined;
  sftpSession?: SftpSession | undefined;
}

interface SftpSession {
  readonly sftp: SFTPWrapper;
  /** Uploads and downloads using it now. */
  users: number;
}

/** Ends the SFTP session if no upload or download uses it; its slot is freed once it closes. */
function closeIdleSftp(conn: Connection): void {
  const session = conn.sftpSession;
  if (session?.users !== 0) return;
  conn.sftpSession = undefined;
  conn.sftp = undefined;
  session.sftp.end();
}

/** `work`, or the connection's loss if that comes first. */
function guarded<T>(conn: Connection, work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (conn.lost !== undefined) {
      reject(conn.lost);
      work.catch(() => undefined);
      return;
    }
    conn.onLoss.add(reject);
    work.then(resolve, reject).finally(() => conn.onLoss.delete(reject));
  });
}

/**
 * Opens a channel. sshd frees a session only once its close has gone both ways and its main
 * loop has come round, so a channel opened just after another closed can be refused for want
 * of a session (MaxSessions): such refusals are retried for a moment before they count.
 * `onOpen` runs synchronously when the channel is handed over, before any later event of it.
 */
async function openChannel<T>(
  open: (done: (error: Error | undefined, channel: T) => void) => void,
  cancelled: () => boolean = () => false,
  onOpen: (channel: T) => void = () => undefined,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await new Promise<T>((resolve, reject) => {
        open((error, channel) => {
          if (error === undefined) {
            onOpen(channel);
            resolve(channel);
          } else reject(error);
        });
      });
    } catch (error) {
      // SSH_OPEN_ADMINISTRATIVELY_PROHIBITED, _CONNECT_FAILED, _RESOURCE_SHORTAGE
      const reason = (error as { reason?: unknown }).reason;
      const refused = reason === 1 || reason === 2 || reason === 4;
      if (!refused || attempt >= OPEN_RETRIES || cancelled()) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt));
    }
  }
}

function remoteCommand(argv: readonly string[]): string {
  if (argv.length === 0) {
    throw new TransportError('exec needs a command (argv is empty)', { retryable: false });
  }
  try {
    return shellCommand(argv);
  } catch (error) {
    throw new TransportError(errorText(error), { retryable: false, cause: error });
  }
}

// ---- SFTP helpers ------------------------------------------------------------------------

/** An SFTP call as a promise; its error remembers the path. */
function sftpCall<T>(
  call: (done: (error?: Error | null, value?: T) => void) => void,
  path: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    call((error, value) => {
      if (error === null || error === undefined) resolve(value as T);
      else reject(Object.assign(error, { path }));
    });
  });
}

/** SFTP's SSH_FX_NO_SUCH_FILE. */
function isNoSuchFile(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === 2;
}

/** `mkdir -p` over SFTP, each directory made once per call however many files need it. */
function ensureRemoteDir(
  sftp: SFTPWrapper,
  dir: string,
  made: Map<string, Promise<void>>,
): Promise<void> {
  if (dir === '' || dir === '.' || dir === '/') return Promise.resolve();
  let making = made.get(dir);
  if (making === undefined) {
    making = (async () => {
      const isDir = (): Promise<boolean> =>
        sftpCall<{ isDirectory: () => boolean }>((done) => {
          sftp.stat(dir, done);
        }, dir).then((stats) => stats.isDirectory());
      try {
        if (await isDir()) return;
        throw new TransportError(`${dir} exists and is not a directory`, { retryable: false });
      } catch (error) {
        if (!isNoSuchFile(error)) throw error;
      }
      await ensureRemoteDir(sftp, posix.dirname(dir), made);
      try {
        await sftpCall<undefined>((done) => {
          sftp.mkdir(dir, done);
        }, dir);
      } catch (error) {
        // Made meanwhile by someone else is fine.
        if (!(await isDir().catch(() => false))) throw error;
      }
    })();
    made.set(dir, making);
  }
  return making;
}

async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new InfrastructureError(String(error));
}

function errorText(error: unknown): string {
  return toError(error).message;
}
