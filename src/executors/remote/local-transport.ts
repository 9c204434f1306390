import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { TransportError, type ExecOptions, type ExecResult, type Transport } from './transport.js';

const DEFAULT_TIMEOUT_MS = 120_000;

/**
 * The `local` transport: "the host" is this machine (a SLURM cluster whose commands are here).
 * argv is spawned directly, no shell in between; files are copied with fs. Like an SSH login,
 * commands start in the home directory and relative remote paths are relative to it. A program
 * that cannot be started gives exit status 127 (not found) or 126 (not executable), as a shell
 * would over ssh.
 */
export class LocalTransport implements Transport {
  readonly description = 'this machine';

  exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const [program, ...args] = argv;
    if (program === undefined) {
      return Promise.reject(
        new TransportError('exec needs a command (argv is empty)', { retryable: false }),
      );
    }
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new Promise<ExecResult>((resolvePromise, reject) => {
      const home = homedir();
      const child = spawn(program, args, {
        ...(existsSync(home) ? { cwd: home } : {}),
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.stdin.on('error', () => undefined); // the program may exit without reading stdin
      child.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const notFound = error.code === 'ENOENT';
        resolvePromise({
          exitCode: notFound ? 127 : 126,
          stdout: '',
          stderr: `${program}: ${notFound ? 'command not found' : error.message}\n`,
        });
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        if (timedOut) {
          reject(
            new TransportError(`${argv.join(' ')} did not finish within ${timeoutMs} ms`, {
              retryable: true,
            }),
          );
          return;
        }
        resolvePromise({
          exitCode: code,
          stdout: Buffer.concat(stdout).toString('utf8'),
          stderr: Buffer.concat(stderr).toString('utf8'),
        });
      });
      child.stdin.end(options.stdin ?? '');
    });
  }

  async upload(localDir: string, remoteDir: string, names: readonly string[]): Promise<void> {
    const to = resolve(homedir(), remoteDir);
    await fsStep(`cannot create ${to}`, () => mkdir(to, { recursive: true }));
    for (const name of new Set(names)) {
      await copy(resolve(localDir, name), resolve(to, name));
    }
  }

  async download(remoteDir: string, localDir: string, names: readonly string[]): Promise<string[]> {
    const from = resolve(homedir(), remoteDir);
    const copied: string[] = [];
    for (const name of new Set(names)) {
      const source = resolve(from, name);
      const isFile = await stat(source).then(
        (stats) => stats.isFile(),
        () => false,
      );
      if (!isFile) continue;
      await copy(source, resolve(localDir, name));
      copied.push(name);
    }
    return copied;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Copies a file (mode kept), creating the destination's directory; same file: nothing to do. */
async function copy(source: string, destination: string): Promise<void> {
  const [from, to] = await Promise.all([
    stat(source).catch(() => undefined),
    stat(destination).catch(() => undefined),
  ]);
  // Source and destination may be the same file (the same path, or reached through a link):
  // copying it onto itself would truncate it.
  if (from !== undefined && to?.dev === from.dev && to.ino === from.ino) return;
  await fsStep(`cannot copy ${source} to ${destination}`, async () => {
    await mkdir(dirname(destination), { recursive: true });
    await copyFile(source, destination);
  });
}

async function fsStep(what: string, step: () => Promise<unknown>): Promise<void> {
  try {
    await step();
  } catch (error) {
    throw new TransportError(`${what}: ${(error as Error).message}`, {
      retryable: false,
      cause: error,
    });
  }
}
