import { ExecutorUnavailableError, InfrastructureError } from '../../core/errors.js';

/**
 * How executors reach the machine where calcs run, without knowing what a calc is.
 *
 * Three transports implement it: `ssh2` (the ssh2 library: one TCP connection per host, its
 * channels multiplexed, SFTP for files), `system-ssh` (the user's own `ssh`/`sftp` with
 * ControlMaster sharing one connection, so `~/.ssh/config`, agents, jump hosts and Kerberos work
 * as the user has them) and `local` (this machine: a SLURM cluster whose commands are here).
 *
 * Contract:
 *
 * - `exec(argv)` runs argv on the host. The remote side receives exactly these arguments: the
 *   transport quotes every one for the remote login shell (see `shell-quote.ts`), so no shell
 *   string is ever built from user data. It resolves with the exit status (null when the remote
 *   process was killed by a signal) and what it printed; a non-zero status is not an error.
 * - `upload(localDir, remoteDir, names)` creates `remoteDir` (and missing parents) and copies
 *   each named file (relative to `localDir`, may contain `/`) to the same relative path there.
 * - `download(remoteDir, localDir, names)` copies each named file that exists remotely into
 *   `localDir` (creating subdirectories) and returns the names copied; a missing file is skipped.
 * - `close()` releases the connection; later calls reconnect.
 *
 * Failures: every method rejects with a {@link TransportError}. `retryable: true` means the
 * connection could not be made or was lost (the host, sshd or network may come back: callers
 * retry later and must assume an interrupted `exec` may or may not have run); `retryable: false`
 * means it will not work without the user acting (unknown or changed host key, authentication
 * refused, bad settings), and the message says what to do (`fix`, when the transport knows). Transports reconnect by themselves
 * on the next call after a loss, waiting with exponential backoff (0.5 s doubling to 30 s)
 * between failed connection attempts; they never run more concurrent channels than the host
 * allows (`maxSessions`, sshd's MaxSessions, 10 by default).
 */
export interface Transport {
  /** For messages: `root@127.0.0.1:2222 (ssh2)`, `cluster-login (system ssh)`, `this machine`. */
  readonly description: string;
  exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  upload(localDir: string, remoteDir: string, names: readonly string[]): Promise<void>;
  download(remoteDir: string, localDir: string, names: readonly string[]): Promise<string[]>;
  close(): Promise<void>;
}

export interface ExecOptions {
  /** Sent to the remote process's stdin, then closed. Without it stdin is empty. */
  readonly stdin?: string;
  /** Gives up (retryable TransportError) after this long; default 120 s. */
  readonly timeoutMs?: number;
}

export interface ExecResult {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * A transport failure; `retryable` says whether the same call may succeed later unchanged.
 * When the connection itself is refused for a reason the user can act on (the host key, the
 * authentication, the host out of reach), `problem` says what and `fix` what to do; the
 * message is both. The executors turn such a failure into an ExecutorUnavailableError
 * ({@link unavailable}).
 */
export class TransportError extends InfrastructureError {
  readonly problem: string;
  readonly fix: string | undefined;

  constructor(
    problem: string,
    options: { retryable: boolean; cause?: unknown; fix?: string | undefined },
  ) {
    super(options.fix === undefined ? problem : `${problem}; ${options.fix}`, {
      retryable: options.retryable,
      cause: options.cause,
    });
    this.problem = problem;
    this.fix = options.fix;
  }
}

/** What to do when the host refuses the key (both ssh transports say it). */
export const AUTH_FIX =
  "check the user, and give a key the host accepts: identity_file in retort.yaml, a key loaded in ssh-agent, or this key's public half in the host's authorized_keys";

/**
 * The error an executor throws when its host cannot be used: a TransportError with a fix (a
 * changed or unknown host key, refused authentication) or still retryable when the executor
 * stopped waiting (the host out of reach), as an ExecutorUnavailableError naming the executor
 * (`ssh:NAME`, `slurm:NAME`); anything else unchanged.
 */
export function unavailable(executor: string, error: unknown): unknown {
  if (!(error instanceof TransportError)) return error;
  const host = executor.replace(/^[a-z]+:/, '');
  const fix =
    error.fix ??
    (error.retryable
      ? `check its hostname, port and the network, then \`retort hosts check ${host}\``
      : undefined);
  if (fix === undefined) return error;
  return new ExecutorUnavailableError(executor, error.problem, fix, {
    retryable: error.retryable,
    cause: error,
  });
}

/** What an SSH transport needs; the `hosts:` entries of retort.yaml are turned into this. */
export interface SshTarget {
  /** The host's name in retort.yaml, for messages. */
  readonly name: string;
  /** Host name or address; with `alias`, absent (the user's ssh config decides). */
  readonly hostname?: string;
  readonly port?: number;
  readonly user?: string;
  /** Private key file (absolute, `~` already expanded). */
  readonly identityFile?: string;
  /** known_hosts file to verify the host key against (default ~/.ssh/known_hosts). */
  readonly knownHosts?: string;
  /** A `Host` alias of the user's ~/.ssh/config (system-ssh transport only). */
  readonly alias?: string;
  /** An ssh_config file to use instead of ~/.ssh/config (system-ssh transport only; -F). */
  readonly sshConfig?: string;
  /** sshd's MaxSessions: channels open at once on the one connection (default 10). */
  readonly maxSessions?: number;
  /** Seconds to wait for a connection (default 10). */
  readonly connectTimeoutS?: number;
}
