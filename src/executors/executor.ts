import type { JobExit, JobOutputs, JobSpec } from '../core/job-spec.js';
import type { JsonValue } from '../core/calc-spec.js';

/**
 * One job handed to an executor: the prepared JobSpec, and where its calc directory is on this
 * machine (the executor writes the inputs there, or stages them from there to a remote host,
 * and brings the outputs back there).
 */
export interface ExecutorJob {
  /** The calc key; executors use it to name jobs (SLURM job name, remote directory). */
  readonly key: string;
  /** Attempt number, from 1. */
  readonly attempt: number;
  /** Absolute local calc directory. It does not exist yet when `submit` is called. */
  readonly workdir: string;
  readonly job: JobSpec;
  /**
   * The job's `parentInputs`, found by the runtime: each `path` is copied (recursively) from
   * `from`, an absolute local path in the parent's calc directory, to the same relative path of
   * this calc directory before the program starts; remote executors upload the copies with the
   * inputs. Absent or empty: nothing to copy (a re-adopted job has been staged already).
   */
  readonly parents?: readonly StagedParent[];
}

/** One parent path to copy into a calc directory (see {@link ExecutorJob.parents}). */
export interface StagedParent {
  /** Absolute local path of the file or directory in the parent's calc directory. */
  readonly from: string;
  /** The same path relative to the calc directories (`out`). */
  readonly path: string;
}

/**
 * What an executor needs to find a job again after the runner restarts: a pid and process
 * group here, a remote pid or a SLURM job id. Stored as JSON with the attempt, committed as
 * soon as the executor returns it.
 */
export type JobHandle = Readonly<Record<string, JsonValue>>;

/** A job that has been started (or re-adopted): its handle, and a promise of how it ends. */
export interface RunningJob {
  readonly handle: JobHandle;
  /** Resolves when the job has ended (by itself, by walltime, by cancel). Never rejects. */
  readonly exit: Promise<JobExit>;
}

/**
 * Where jobs run: `local` (a process pool here), `ssh:NAME` (a host reached over SSH) and
 * `slurm:NAME` (a cluster's scheduler).
 *
 * The runner calls these in a fixed order and records each step in the store first:
 *
 * 1. the calc becomes `submitted` (committed), then `submit(job)` starts it and returns the
 *    handle; the calc becomes `running` with that handle;
 * 2. `exit` resolves; `collect` brings the outputs back for the engine to parse;
 * 3. after a runner restart, every calc still `submitted` or `running` is given to `adopt`
 *    with the handle stored (if the crash came before the handle was stored, none): it returns
 *    the job if it is still alive or has finished (then `exit` resolves at once), or undefined
 *    when the job provably never started, so the runner may submit it again. It never returns
 *    undefined for a job that may still be alive: "never run a calc twice".
 *
 * `cancel(handle, 'graceful')` asks the job to end (TERM) and ends its whole process group
 * (KILL) if it has not ended after the executor's grace period; `'kill'` ends the group now.
 * Either way `exit` then resolves.
 *
 * `slots` is how many jobs may be in flight at once; the runner never exceeds it.
 * Waiting is a promise rather than a poll call so that local jobs finish without polling
 * latency; executors that must poll (SLURM) batch it internally, one query per cycle.
 */
export interface Executor {
  readonly name: string;
  readonly slots: number;
  submit(job: ExecutorJob): Promise<RunningJob>;
  adopt(job: ExecutorJob, handle: JobHandle | undefined): Promise<RunningJob | undefined>;
  cancel(handle: JobHandle, how: 'graceful' | 'kill'): Promise<void>;
  collect(job: ExecutorJob, exit: JobExit): Promise<JobOutputs>;
  /** Runs a short command (a version probe, `hosts check`) and returns what it printed. */
  probe(
    argv: readonly string[],
  ): Promise<{ exitCode: number | null; stdout: string; stderr: string }>;
  /** Releases connections and timers. Running jobs are not touched. */
  close(): Promise<void>;
  /** A scheduler's jobs holding this run's calcs, as last seen (SLURM); for status.json. */
  jobs?(): readonly SchedulerJob[];
  /**
   * `retort hosts check`: checks what runs on this executor need — the place is reachable, the
   * scratch directory is writable, a scheduler answers (sbatch, squeue, the partition), and each
   * of `programs` is found (with its version when it has a probe) — and reports each check
   * through `report` as it is made. Never throws for a failed check: an unreachable host is one
   * failed line (later checks that need the connection are then skipped). Resolves when done.
   */
  check(programs: readonly ProgramToCheck[], report: (line: CheckLine) => void): Promise<void>;
}

/**
 * A program `check` looks for. `argv` is its version probe with the program's path where this
 * executor runs calcs already in `argv[0]` (undefined: only look the path up); `parse` turns
 * the probe's output into a version (undefined: not this program). `needed`: the campaign's
 * calcs use it, so not finding it is a failure rather than a note.
 */
export interface ProgramToCheck {
  readonly program: string;
  readonly path: string;
  readonly argv: readonly string[] | undefined;
  readonly parse: ((stdout: string, stderr: string) => string | undefined) | undefined;
  readonly needed: boolean;
}

/** One line of a check: `ok`, or a failure; `optional` lines are worth knowing, not needed. */
export interface CheckLine {
  readonly ok: boolean;
  readonly line: string;
  readonly optional?: boolean;
}

/** One scheduler job: its id (null before sbatch answered), name, state and calcs in it. */
export interface SchedulerJob {
  readonly job_id: string | null;
  readonly name: string;
  readonly mode: string;
  readonly state: string;
  readonly calcs: number;
}
