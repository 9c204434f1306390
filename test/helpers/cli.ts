import { readStatusFile, type StatusSnapshot } from '../../src/runtime/control/status-file.js';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { killAll, processesMatching, survivors, type LiveProcess } from './processes.js';

export type { LiveProcess } from './processes.js';

/** The repository root and the CLI entry point the tests run (built by test/global-setup.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RETORT_BIN = join(REPO_ROOT, 'bin', 'retort.js');

export interface CliOptions {
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly input?: string;
}

export interface CliResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function childEnv(env: Readonly<Record<string, string>> | undefined): NodeJS.ProcessEnv {
  return { ...process.env, ...env };
}

/** Runs `retort ARGS` to its end: node, the bin script, the arguments; no shell. */
export function runCli(args: readonly string[], options: CliOptions): CliResult {
  const r = spawnSync(process.execPath, [RETORT_BIN, ...args], {
    cwd: options.cwd,
    env: childEnv(options.env),
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: 600_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error !== undefined) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

export interface BackgroundCli {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything written so far (and all of it once `exit` resolved). */
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has ended and its pipes are closed. */
  readonly exit: Promise<CliResult>;
}

/** Starts `retort ARGS` in the background (own pipes, no terminal: the runner is headless). */
export function startCli(args: readonly string[], options: CliOptions): BackgroundCli {
  const child = spawn(process.execPath, [RETORT_BIN, ...args], {
    cwd: options.cwd,
    env: childEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  child.stdin.end(options.input ?? '');
  const exit = new Promise<CliResult>((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('close', (status, signal) => {
      resolvePromise({ status, signal, stdout: out, stderr: err });
    });
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${RETORT_BIN}`);
  return { child, pid, stdout: () => out, stderr: () => err, exit };
}

const tempDirs = new Set<string>();

/** A new unique directory under the system temp dir, removed by `cleanupTempDirs`. */
export function tempDir(prefix = 'retort-cli-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/** A new campaign (`retort init`) in a new temp dir; returns its directory. */
export function tempCampaign(): string {
  const dir = tempDir();
  const r = runCli(['init', dir], { cwd: dir });
  if (r.status !== 0)
    throw new Error(`retort init ${dir} failed (${String(r.status)}): ${r.stderr}`);
  return dir;
}

/**
 * For afterEach: the processes still alive whose command line (or working directory) names one
 * of this test's temp dirs — orphans. They are killed and the dirs removed either way, so one
 * failing test does not leak into the next; the caller asserts the list is empty.
 */
export async function cleanupTempDirs(): Promise<LiveProcess[]> {
  const left: LiveProcess[] = [];
  for (const dir of tempDirs) left.push(...(await survivors(dir)));
  killAll(left);
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
  return left;
}

/** Live processes whose command line (or working directory) contains `marker`. */
export function liveProcessesMatching(marker: string): LiveProcess[] {
  return processesMatching(marker);
}

export type ReadonlyStore = Database.Database;

/** The campaign's store, read-only (for checks while or after the CLI runs). */
export function openStoreReadonly(dir: string): ReadonlyStore {
  return new Database(join(dir, 'retort.db'), { readonly: true, fileMustExist: true });
}

/** Runs `fn` on the read-only store and closes it. */
export function withStore<T>(dir: string, fn: (db: ReadonlyStore) => T): T {
  const db = openStoreReadonly(dir);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

export { hasProgram } from './run-job-directly.js';

/** Polls `check` every `everyMs` until it returns a value other than undefined, or throws on timeout. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined,
  timeoutMs = 30_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The campaign's status.json, or undefined while there is none (or it is being replaced). */
export function readStatusJson(dir: string): StatusSnapshot | undefined {
  return readStatusFile(join(dir, 'status.json'));
}

/** Lines of a text file (empty lines dropped); [] while it does not exist. */
export function fileLines(path: string): string[] {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
  } catch {
    return [];
  }
}

/** A JSON Lines calc list of `command` calcs. */
export function commandLines(
  calcs: readonly {
    argv: readonly string[];
    outputs?: readonly string[];
    walltime_s?: number;
    label?: string;
    priority?: number;
  }[],
): string {
  return calcs
    .map((c) =>
      JSON.stringify({
        program: 'command',
        argv: c.argv,
        ...(c.outputs === undefined ? {} : { outputs: c.outputs }),
        walltime_s: c.walltime_s ?? 60,
        ...(c.label === undefined ? {} : { label: c.label }),
        ...(c.priority === undefined ? {} : { priority: c.priority }),
      }),
    )
    .join('\n')
    .concat('\n');
}

/** Everything the campaign's run logs (logs/*.log) say, for notices a --json run keeps off stderr. */
export function campaignLogs(dir: string): string {
  const logs = join(dir, 'logs');
  return readdirSync(logs)
    .map((name) => readFileSync(join(logs, name), 'utf8'))
    .join('\n');
}

/**
 * `dir/calcs.jsonl` with `n` command calcs labelled c0 … c{n-1}. Each first appends a line to
 * the returned counter file — its label, then `note` expanded by the shell (e.g.
 * ` $SLURM_JOB_ID`) — so a test can see how often and where each calc started; then it runs
 * the shell text `then`.
 */
export function countedCalcs(
  dir: string,
  n: number,
  then: string,
  options: { readonly note?: string; readonly walltimeS?: number } = {},
): { file: string; counter: string } {
  const counter = join(tempDir(), 'starts');
  const file = join(dir, 'calcs.jsonl');
  const lines = commandLines(
    Array.from({ length: n }, (_, i) => ({
      label: `c${String(i)}`,
      argv: ['/bin/sh', '-c', `echo "c${String(i)}${options.note ?? ''}" >>"$0"; ${then}`, counter],
      ...(options.walltimeS === undefined ? {} : { walltime_s: options.walltimeS }),
    })),
  );
  writeFileSync(file, lines);
  return { file, counter };
}

/** Waits (up to 2 minutes) until `n` calcs of {@link countedCalcs} have started. */
export async function untilStarted(counter: string, n: number): Promise<void> {
  await waitFor(
    `${String(n)} calcs to start`,
    () => (fileLines(counter).length >= n ? true : undefined),
    120_000,
    100,
  );
}

/** The labels c0 … c{n-1}, sorted as `fileLines(counter).sort()` sorts them. */
export function labels(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `c${String(i)}`).sort();
}
