import type { JobExit } from '../../core/job-spec.js';
import type { JobHandle, RunningJob } from '../executor.js';
import { readExitStatus } from '../calc-dir/exit-marker.js';
import { errorMessage } from '../../core/errors.js';
import { jobExit, lostExit } from '../calc-dir/job-exit.js';
import { signalGroup, terminateGroup } from './kill-group.js';
import { LongTimer } from './walltime.js';

/** What a tracked job needs to know about itself. */
export interface TrackedJobInit {
  readonly handle: JobHandle;
  readonly pgid: number;
  readonly workdir: string;
  readonly argv0: string;
  readonly walltimeS: number;
  readonly startedAt: Date;
  readonly killGraceMs: number;
}

/**
 * One live job (our own child, or a wrapper adopted after a restart): enforces its walltime,
 * takes cancel requests, and when its wrapper has ended kills what is left of its process
 * group and resolves `exit`. How the end is noticed (exit event or polling) is the caller's.
 */
export class TrackedJob implements RunningJob {
  readonly handle: JobHandle;
  readonly exit: Promise<JobExit>;
  readonly workdir: string;
  readonly #init: TrackedJobInit;
  readonly #resolve: (exit: JobExit) => void;
  #walltime: LongTimer | undefined;
  #stopGrace: (() => void) | undefined;
  #timedOut = false;
  #cancelled = false;
  #sentKill = false;
  #ended = false;
  readonly #cleanups: (() => void)[] = [];

  constructor(init: TrackedJobInit) {
    this.#init = init;
    this.handle = init.handle;
    this.workdir = init.workdir;
    let resolve!: (exit: JobExit) => void;
    this.exit = new Promise<JobExit>((r) => {
      resolve = r;
    });
    this.#resolve = resolve;
    const elapsedMs = Date.now() - init.startedAt.getTime();
    this.#walltime = new LongTimer(init.walltimeS * 1000 - elapsedMs, () => {
      this.#walltime = undefined;
      this.#timedOut = true;
      this.#stopGrace = terminateGroup(init.pgid, init.killGraceMs);
    });
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** `graceful`: TERM now, KILL after the grace period if the group is still there; `kill`: KILL now. */
  cancel(how: 'graceful' | 'kill'): void {
    if (this.#ended) return;
    this.#cancelled = true;
    if (how === 'kill') {
      this.#sentKill = true;
      signalGroup(this.#init.pgid, 'SIGKILL');
    } else {
      this.#stopGrace ??= terminateGroup(this.#init.pgid, this.#init.killGraceMs);
    }
  }

  /** Adds something to undo on `release` (an exit listener's hold, a poll interval). */
  onRelease(cleanup: () => void): void {
    this.#cleanups.push(cleanup);
  }

  /** Stops the timers and watchers (the runner is shutting down); the job itself goes on. */
  release(): void {
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    this.#walltime?.clear();
    this.#walltime = undefined;
    this.#stopGrace?.();
    this.#stopGrace = undefined;
  }

  /**
   * The wrapper has ended: `wrapperSignal` and `wrapperCode` say how, when known. Children it
   * left behind (`prog &`) are killed with the group so no orphan survives the calc.
   */
  finish(wrapperSignal: string | null, wrapperCode: number | null = null): void {
    if (this.#ended) return;
    this.#ended = true;
    this.release();
    signalGroup(this.#init.pgid, 'SIGKILL');
    const startedAt = this.#init.startedAt.toISOString();
    try {
      this.#resolve(
        jobExit(this.#init.workdir, this.#init.argv0, {
          status: readExitStatus(this.#init.workdir),
          wrapperSignal: wrapperSignal ?? (this.#sentKill ? 'SIGKILL' : null),
          wrapperCode,
          timedOut: this.#timedOut,
          cancelled: this.#cancelled,
          startedAt,
          walltimeS: this.#init.walltimeS,
        }),
      );
    } catch (error) {
      // `exit` never rejects: a calc directory we cannot read is a lost job.
      this.#resolve(
        lostExit(`cannot read the calc's exit marker: ${errorMessage(error)}`, startedAt),
      );
    }
  }
}
