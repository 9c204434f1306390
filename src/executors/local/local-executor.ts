import { availableParallelism } from 'node:os';
import { programOf, type JobExit, type JobOutputs } from '../../core/job-spec.js';
import { errorMessage, InfrastructureError } from '../../core/errors.js';
import { checkPrograms, checkReached, checkScratch } from '../check-steps.js';
import type {
  CheckLine,
  Executor,
  ExecutorJob,
  JobHandle,
  ProgramToCheck,
  RunningJob,
} from '../executor.js';
import { inspectCalc } from './adopt.js';
import { collectOutputs } from '../calc-dir/collect.js';
import { crashExit } from '../calc-dir/job-exit.js';
import { signalGroup } from './kill-group.js';
import { identifyWrapper, isStillRunning, type ProcessIdentity } from './process-alive.js';
import { probe, type ProbeResult } from './probe.js';
import { spawnWrapper } from './spawn-wrapper.js';
import { probeArgs } from '../calc-wrapper.js';
import { TrackedJob } from './tracked-job.js';
import { prepareWorkdir } from '../calc-dir/workdir.js';

export interface LocalExecutorOptions {
  /** Jobs in flight at once; default: the number of cores. */
  readonly slots?: number;
  /** Between TERM and KILL when a job is stopped for its walltime; default 10 s. */
  readonly killGraceMs?: number;
  /** Where the calc directories are made (the campaign's work/), for `check`. */
  readonly workRoot?: string;
  /** The user's shell lines run before every program (retort.yaml `setup:`; calc-wrapper.ts). */
  readonly setup?: readonly string[];
}

/** How often an adopted wrapper (not our child: no exit event) is checked in /proc. */
const ADOPTED_POLL_MS = 150;

/**
 * Runs jobs as processes on this machine, each through the calc wrapper in its own process
 * group. The handle is `{ pid, pgid, workdir, started_at }` (pid and pgid are the wrapper's,
 * equal, or null when the process could not be started at all).
 */
export class LocalExecutor implements Executor {
  readonly name = 'local';
  readonly slots: number;
  readonly #killGraceMs: number;
  readonly #workRoot: string | undefined;
  readonly #setup: readonly string[];
  /** Live jobs by workdir, for cancel and repeated adopt. */
  readonly #jobs = new Map<string, TrackedJob>();

  constructor(options: LocalExecutorOptions = {}) {
    this.slots = options.slots ?? availableParallelism();
    this.#killGraceMs = options.killGraceMs ?? 10_000;
    this.#workRoot = options.workRoot;
    this.#setup = options.setup ?? [];
  }

  submit(job: ExecutorJob): Promise<RunningJob> {
    try {
      return Promise.resolve(this.#start(job));
    } catch (error) {
      return Promise.reject(
        error instanceof Error ? error : new InfrastructureError(String(error)),
      );
    }
  }

  #start(job: ExecutorJob): RunningJob {
    const { workdir } = job;
    prepareWorkdir(job);
    const startedAt = new Date();
    let child;
    try {
      child = spawnWrapper(workdir, job.job.stdin, job.job.argv, job.job.env, this.#setup);
    } catch (error) {
      return this.#notStarted(job, startedAt, errorMessage(error));
    }
    const { pid } = child;
    if (pid === undefined) {
      // The error event follows with the reason; there is no process to track.
      return {
        handle: this.#handle(null, workdir, startedAt),
        exit: new Promise<JobExit>((resolve) => {
          child.once('error', (error) => {
            resolve(
              crashExit(`cannot start the calc wrapper: ${error.message}`, startedAt.toISOString()),
            );
          });
        }),
      };
    }
    const tracked = this.#track(job, pid, startedAt);
    // After close() the runner may exit while the calc goes on (it is adopted on restart).
    tracked.onRelease(() => {
      child.unref();
    });
    child.once('exit', (code, signal) => {
      this.#ended(tracked);
      tracked.finish(signal, code);
    });
    return tracked;
  }

  #notStarted(job: ExecutorJob, startedAt: Date, message: string): RunningJob {
    return {
      handle: this.#handle(null, job.workdir, startedAt),
      exit: Promise.resolve(
        crashExit(`cannot start the calc wrapper: ${message}`, startedAt.toISOString()),
      ),
    };
  }

  #handle(pid: number | null, workdir: string, startedAt: Date): JobHandle {
    return { pid, pgid: pid, workdir, started_at: startedAt.toISOString() };
  }

  #track(job: ExecutorJob, pid: number, startedAt: Date): TrackedJob {
    const tracked = new TrackedJob({
      handle: this.#handle(pid, job.workdir, startedAt),
      pgid: pid,
      workdir: job.workdir,
      argv0: programOf(job.job.argv),
      walltimeS: job.job.resources.walltime_s,
      startedAt,
      killGraceMs: this.#killGraceMs,
    });
    this.#jobs.set(job.workdir, tracked);
    return tracked;
  }

  #ended(tracked: TrackedJob): void {
    if (this.#jobs.get(tracked.workdir) === tracked) this.#jobs.delete(tracked.workdir);
  }

  adopt(job: ExecutorJob, handle: JobHandle | undefined): Promise<RunningJob | undefined> {
    try {
      return Promise.resolve(this.#adopt(job, handle));
    } catch (error) {
      return Promise.reject(
        error instanceof Error ? error : new InfrastructureError(String(error)),
      );
    }
  }

  #adopt(job: ExecutorJob, handle: JobHandle | undefined): RunningJob | undefined {
    const known = this.#jobs.get(job.workdir);
    if (known !== undefined && !known.ended) return known;
    const inspection = inspectCalc(job, handle);
    switch (inspection.kind) {
      case 'never-started':
        return undefined;
      case 'ended':
        return {
          handle: handle ?? this.#handle(null, job.workdir, new Date(inspection.exit.startedAt)),
          exit: Promise.resolve(inspection.exit),
        };
      case 'alive':
        return this.#watch(job, inspection.identity, inspection.startedAt);
    }
  }

  /** Follows a wrapper that is not our child by polling /proc until it is gone. */
  #watch(job: ExecutorJob, identity: ProcessIdentity, startedAt: Date): TrackedJob {
    const tracked = this.#track(job, identity.pid, startedAt);
    const poll = setInterval(() => {
      if (isStillRunning(identity)) return;
      this.#ended(tracked);
      tracked.finish(null);
    }, ADOPTED_POLL_MS);
    tracked.onRelease(() => {
      clearInterval(poll);
    });
    return tracked;
  }

  cancel(handle: JobHandle, how: 'graceful' | 'kill'): Promise<void> {
    const workdir = handle.workdir;
    const tracked = typeof workdir === 'string' ? this.#jobs.get(workdir) : undefined;
    if (tracked !== undefined) {
      tracked.cancel(how);
      return Promise.resolve();
    }
    // Not followed here: signal the group only if its leader is still this calc's wrapper
    // (a pid alone may belong to someone else by now).
    const pid = handle.pgid ?? handle.pid;
    if (typeof pid === 'number' && typeof workdir === 'string') {
      if (identifyWrapper(pid, workdir) !== undefined) {
        signalGroup(pid, how === 'kill' ? 'SIGKILL' : 'SIGTERM');
      }
    }
    return Promise.resolve();
  }

  collect(job: ExecutorJob, exit: JobExit): Promise<JobOutputs> {
    try {
      return Promise.resolve(collectOutputs(job, exit));
    } catch (error) {
      return Promise.reject(
        error instanceof Error ? error : new InfrastructureError(String(error)),
      );
    }
  }

  probe(argv: readonly string[]): Promise<ProbeResult> {
    // After the setup lines, which may put the program on PATH; without any, no shell at all.
    return probe(this.#setup.length === 0 ? argv : probeArgs(argv, this.#setup));
  }

  async check(
    programs: readonly ProgramToCheck[],
    report: (line: CheckLine) => void,
  ): Promise<void> {
    await checkReached('this machine', probe, report);
    if (this.#workRoot !== undefined) await checkScratch(this.#workRoot, probe, report);
    await checkPrograms(programs, (argv) => this.probe(argv), report);
  }

  close(): Promise<void> {
    for (const tracked of this.#jobs.values()) tracked.release();
    return Promise.resolve();
  }
}
