import type { JsonValue, Resources } from './calc-spec.js';
import type { Failure } from './failure.js';

/**
 * What an executor needs to run one calc, as an engine prepares it. Executors run it without
 * knowing any chemistry:
 *
 * 1. write every entry of `files` (name relative to the calc directory → text) into a fresh
 *    calc directory;
 * 2. run `argv` there (argv[0] is the program name; the runner replaces it with the configured
 *    path before the job is recorded, so the stored argv is the one really used), with `env`
 *    added to the environment, stdin from `stdin` (a file of the calc directory) or empty,
 *    stdout and stderr to the files `stdout` and `stderr`. An argv may also start with
 *    `env NAME=VALUE …` (see {@link programIndex}): those variables then reach the program
 *    alone, not the calc wrapper's shell — for an LD_PRELOAD library the shell must not load;
 * 3. stop it after `resources.walltime_s` (TERM, then KILL, to its whole process group);
 * 4. bring back `stdout`, `stderr` and every file named in `outputs` (missing ones are absent,
 *    not an error: the engine decides what their absence means).
 *
 * `parentInputs` (optional) names files or directories of earlier calcs' directories this job
 * reads (QE's `nscf`/`bands` read the charge density an `scf` left in `out/`). Before step 2 the
 * runtime copies each `<calc directory of calcKey>/<path>` (recursively) to `<this calc
 * directory>/<path>`: a copy, not a link, because the program may rewrite it and a finished calc
 * directory is immutable. The parent's key is part of the spec (so of this calc's key); a parent
 * that has no successful result, or whose directory lacks `path`, fails this calc as
 * `input_error`. A remote executor must have the parent's files staged the same way. (The runner
 * checks the parents and hands their local paths to the executor as `ExecutorJob.parents`.)
 *
 * `captureStdout` says how much of stdout the engine's parser needs: `full` (xtb parses it) or
 * `tail` (the last 64 KiB, for messages; a program that floods stdout does not fill memory).
 */
export interface JobSpec {
  readonly argv: readonly string[];
  readonly files: Readonly<Record<string, string>>;
  readonly env: Readonly<Record<string, string>>;
  readonly stdin?: string;
  readonly outputs: readonly string[];
  readonly captureStdout: 'full' | 'tail';
  readonly resources: Resources;
  readonly parentInputs?: readonly ParentInput[];
}

/** A path of an earlier calc's directory copied into this job's directory before it runs. */
export interface ParentInput {
  /** The earlier calc's key (64 hex digits). */
  readonly calcKey: string;
  /** A file or directory relative to the calc directories (`out`). */
  readonly path: string;
}

/** Bytes of stdout/stderr kept when only the tail is captured. */
export const TAIL_BYTES = 64 * 1024;

/** How a job ended, as the executor saw it. */
export interface JobExit {
  /** The program's exit status, or null when it did not exit by itself (killed, lost). */
  readonly exitCode: number | null;
  /** The signal that ended it (`SIGKILL` …), or null. */
  readonly signal: string | null;
  /** True when the executor stopped it for exceeding its walltime. */
  readonly timedOut: boolean;
  /** A failure the executor itself established (program missing, job lost), if any. */
  readonly failure?: Failure;
  /** ISO 8601 UTC times; `startedAt` is when the program was started. */
  readonly startedAt: string;
  readonly endedAt: string;
}

/** What an engine's parser gets: how the job ended and what it left behind. */
export interface JobOutputs extends JobExit {
  readonly stdout: string;
  readonly stderr: string;
  /** Declared outputs by name; a file the program did not write is absent. */
  readonly files: Readonly<Record<string, string>>;
  /** The local calc directory holding the collected outputs. */
  readonly workdir: string;
}

/**
 * An engine's verdict on one attempt: a result (JSON, units in every field name or documented
 * in the engine's result type) or a classified failure. `programVersion` is what the output
 * says about the program that really ran, when it says it.
 */
export type Outcome =
  | {
      readonly ok: true;
      readonly result: Readonly<Record<string, JsonValue>>;
      readonly programVersion?: string;
    }
  | { readonly ok: false; readonly failure: Failure; readonly programVersion?: string };

/**
 * Where the program's name is in an argv: 0, or after `env` and its `NAME=VALUE` words when the
 * argv starts with `env` (a job that sets variables for the program alone). The runner maps that
 * word to the configured path, and a missing program is recognised by it.
 */
export function programIndex(argv: readonly string[]): number {
  if (argv[0] !== 'env') return 0;
  let i = 1;
  while (i < argv.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[i] ?? '')) i += 1;
  return i;
}

/** The program's name (or path) of an argv: the word at {@link programIndex} ('' when none). */
export function programOf(argv: readonly string[]): string {
  return argv[programIndex(argv)] ?? '';
}
