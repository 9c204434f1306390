import type { JobExit, JobOutputs } from '../../core/job-spec.js';
import { collectOutputs } from '../calc-dir/collect.js';
import { ExecutorUnavailableError } from '../../core/errors.js';
import { checkPrograms, checkReached, checkScratch, scratchProbe } from '../check-steps.js';
import type {
  CheckLine,
  Executor,
  ExecutorJob,
  JobHandle,
  ProgramToCheck,
  RunningJob,
} from '../executor.js';
import {
  fetchCalc,
  remoteCalcDir,
  remoteExit,
  remoteProbe,
  stageCalc,
} from '../remote/remote-calc.js';
import {
  LAUNCH,
  POLL,
  SIGNAL,
  parsePoll,
  scriptArgv,
  type RemoteState,
} from '../remote/remote-scripts.js';
import { PollTimer } from '../remote/poll-timer.js';
import { Reachability } from '../remote/reachability.js';
import type { ExecResult, Transport } from '../remote/transport.js';

export interface SshExecutorOptions {
  /** `ssh:NAME`. */
  readonly name: string;
  readonly transport: Transport;
  /** Remote directory under which calc directories are made. */
  readonly scratch: string;
  readonly campaignId: string;
  /** Calcs at once on the host. */
  readonly maxCalcs: number;
  /** Seconds between two status checks of the running calcs (one remote command each). */
  readonly pollS: number;
  readonly killGraceS: number;
  /** Delete each remote calc directory once its outputs are home. */
  readonly cleanup: boolean;
  /** The host's shell lines run before every program (`setup:`; calc-wrapper.ts). */
  readonly setup?: readonly string[];
  /** How long a submit or adopt waits for an unreachable host before giving up (default 10 min). */
  readonly unreachableGiveUpMs?: number;
  /** Hears one line when the host becomes unreachable and when it is back. */
  readonly notice?: (line: string) => void;
}

interface Tracked {
  readonly job: ExecutorJob;
  readonly remoteDir: string;
  readonly handle: JobHandle;
  readonly startedAt: string;
  readonly resolve: (exit: JobExit) => void;
  readonly exit: Promise<JobExit>;
  cancelled: boolean;
  ending: boolean;
}

/** Directories per status check: keeps one remote command line well under ARG_MAX. */
const POLL_CHUNK = 200;

/**
 * Runs calcs on an SSH host: each calc directory is staged to `<scratch>/<campaign id>/…`,
 * started there with the calc wrapper in its own session (it survives the connection), and
 * watched with one status command per poll for all calcs; finished calcs are brought home.
 *
 * The handle is `{ host, remote_dir, pid, started_at }`. After a dropped connection the
 * transport reconnects; after a runner restart `adopt` finds the calc by its remote directory
 * (the pid file and exit marker there), so a calc that may still be alive is never started
 * again. The walltime is enforced on the host (GNU timeout in the calc's run script), so it
 * holds while the connection is down.
 */
export class SshExecutor implements Executor {
  readonly name: string;
  readonly slots: number;
  readonly #o: SshExecutorOptions;
  readonly #tracked = new Map<string, Tracked>();
  readonly #timer = new PollTimer(() => {
    void this.#cycle();
  });
  #polling = false;
  readonly #reachability: Reachability;
  /** The check that the campaign's scratch directory can be written, made once (until it fails). */
  #scratchWritable: Promise<void> | undefined;

  constructor(options: SshExecutorOptions) {
    this.#reachability = new Reachability({
      name: options.name,
      meanwhile: 'running calcs go on there',
      notice: options.notice,
      giveUpMs: options.unreachableGiveUpMs,
    });
    this.#o = options;
    this.name = options.name;
    this.slots = options.maxCalcs;
  }

  async submit(job: ExecutorJob): Promise<RunningJob> {
    const remoteDir = remoteCalcDir(this.#o.scratch, this.#o.campaignId, job);
    await this.#checkScratch();
    await this.#reachability.reach(() =>
      stageCalc(
        this.#o.transport,
        job,
        remoteDir,
        { seconds: job.job.resources.walltime_s, graceS: this.#o.killGraceS },
        this.#o.setup,
      ),
    );
    // LAUNCH starts the calc once only, so repeating it after a dropped connection is safe.
    const launched = await this.#reachability.reach(() =>
      this.#exec(scriptArgv(LAUNCH, 'retort-launch', [remoteDir])),
    );
    const pid = Number(launched.stdout.trim());
    return this.#track(job, remoteDir, Number.isInteger(pid) && pid > 0 ? pid : null);
  }

  async adopt(job: ExecutorJob, handle: JobHandle | undefined): Promise<RunningJob | undefined> {
    const remoteDir =
      typeof handle?.remote_dir === 'string'
        ? handle.remote_dir
        : remoteCalcDir(this.#o.scratch, this.#o.campaignId, job);
    const known = this.#tracked.get(remoteDir);
    if (known !== undefined) return { handle: known.handle, exit: known.exit };
    const [state] = await this.#reachability.reach(() => this.#poll([remoteDir]));
    if (state === undefined || state.kind === 'none') return undefined;
    const pid = typeof handle?.pid === 'number' ? handle.pid : null;
    const startedAt = typeof handle?.started_at === 'string' ? handle.started_at : undefined;
    return this.#track(job, remoteDir, pid, startedAt);
  }

  async cancel(handle: JobHandle, how: 'graceful' | 'kill'): Promise<void> {
    const remoteDir = handle.remote_dir;
    if (typeof remoteDir !== 'string') return;
    const tracked = this.#tracked.get(remoteDir);
    if (tracked !== undefined) tracked.cancelled = true;
    await this.#signal(remoteDir, how === 'kill' ? 'KILL' : 'TERM');
    if (how === 'graceful') {
      setTimeout(() => {
        if (this.#tracked.has(remoteDir)) void this.#signal(remoteDir, 'KILL');
      }, this.#o.killGraceS * 1000).unref();
    }
    this.#schedule(0);
  }

  async collect(job: ExecutorJob, exit: JobExit): Promise<JobOutputs> {
    const outputs = collectOutputs(job, exit);
    if (this.#o.cleanup) {
      const remoteDir = remoteCalcDir(this.#o.scratch, this.#o.campaignId, job);
      await this.#exec(['rm', '-rf', '--', remoteDir]).catch(() => undefined);
    }
    return outputs;
  }

  probe(
    argv: readonly string[],
  ): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
    return remoteProbe(this.#o.transport, argv, this.#o.setup);
  }

  async check(
    programs: readonly ProgramToCheck[],
    report: (line: CheckLine) => void,
  ): Promise<void> {
    const { transport } = this.#o;
    const reached = await checkReached(
      transport.description,
      (argv) => transport.exec(argv, { timeoutMs: 30_000 }),
      report,
    );
    if (!reached) return;
    const run = (argv: readonly string[]): ReturnType<typeof remoteProbe> =>
      remoteProbe(transport, argv, this.#o.setup);
    await checkScratch(this.#o.scratch, run, report);
    await checkPrograms(programs, run, report);
  }

  async close(): Promise<void> {
    this.#timer.stop();
    this.#reachability.close();
    await this.#o.transport.close();
  }

  // ── internals ─────────────────────────────────────────────────────────────

  #track(job: ExecutorJob, remoteDir: string, pid: number | null, startedAt?: string): RunningJob {
    let resolve!: (exit: JobExit) => void;
    const exit = new Promise<JobExit>((r) => {
      resolve = r;
    });
    const started = startedAt ?? new Date().toISOString();
    const handle: JobHandle = {
      host: this.name,
      remote_dir: remoteDir,
      pid,
      started_at: started,
    };
    this.#tracked.set(remoteDir, {
      job,
      remoteDir,
      handle,
      startedAt: started,
      resolve,
      exit,
      cancelled: false,
      ending: false,
    });
    this.#schedule(this.#o.pollS * 1000);
    return { handle, exit };
  }

  /**
   * A scratch directory the host's user cannot write fails every calc alike: it is found once,
   * before the first upload, and said as such rather than as a failed upload.
   */
  #checkScratch(): Promise<void> {
    if (this.#scratchWritable !== undefined) return this.#scratchWritable;
    const dir = `${this.#o.scratch}/${this.#o.campaignId}`;
    const checking = this.#reachability
      .reach(() => this.#exec(scratchProbe(dir)))
      .then((r) => {
        if (r.exitCode === 0) return;
        throw new ExecutorUnavailableError(
          this.name,
          `the scratch directory ${this.#o.scratch} is not writable (${r.stderr.trim()})`,
          `set \`scratch:\` of host ${this.#hostName()} in retort.yaml to a directory its user can write`,
          { retryable: false },
        );
      });
    checking.catch(() => {
      this.#scratchWritable = undefined;
    });
    this.#scratchWritable = checking;
    return checking;
  }

  /** NAME of `ssh:NAME`, as retort.yaml calls the host. */
  #hostName(): string {
    return this.name.replace(/^ssh:/, '');
  }

  #schedule(delayMs: number): void {
    if (this.#tracked.size > 0) this.#timer.schedule(delayMs);
  }

  /** One status check of every tracked calc; finished ones are fetched and resolved. */
  async #cycle(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      const tracked = [...this.#tracked.values()].filter((t) => !t.ending);
      for (let i = 0; i < tracked.length; i += POLL_CHUNK) {
        const chunk = tracked.slice(i, i + POLL_CHUNK);
        const states = await this.#poll(chunk.map((t) => t.remoteDir));
        this.#reachability.reachable();
        chunk.forEach((t, index) => {
          const state = states[index];
          if (state !== undefined) this.#observe(t, state);
        });
      }
    } catch (error) {
      this.#reachability.lost(error);
    } finally {
      this.#polling = false;
      this.#schedule(this.#o.pollS * 1000);
    }
  }

  #observe(tracked: Tracked, state: RemoteState): void {
    if (state.kind === 'alive' || state.kind === 'launched') return;
    tracked.ending = true;
    void this.#finish(tracked, state);
  }

  async #finish(tracked: Tracked, state: RemoteState): Promise<void> {
    const { job, remoteDir } = tracked;
    try {
      await this.#reachability.reach(() => fetchCalc(this.#o.transport, job, remoteDir));
    } catch (error) {
      tracked.ending = false;
      this.#reachability.lost(error);
      return;
    }
    this.#tracked.delete(remoteDir);
    tracked.resolve(
      remoteExit(job, state, {
        startedAt: tracked.startedAt,
        cancelled: tracked.cancelled,
        ...(state.kind === 'none'
          ? { lostBecause: `the calc directory ${remoteDir} is gone from ${this.name}` }
          : {}),
      }),
    );
  }

  async #poll(dirs: readonly string[]): Promise<RemoteState[]> {
    const result = await this.#exec(scriptArgv(POLL, 'retort-poll', dirs));
    if (result.exitCode !== 0) {
      throw new ExecutorUnavailableError(
        this.name,
        `the status check of its calcs failed: ${result.stderr.trim()}`,
        `see \`retort hosts check ${this.#hostName()}\``,
        { retryable: false },
      );
    }
    return parsePoll(result.stdout, dirs.length);
  }

  async #signal(remoteDir: string, signal: 'TERM' | 'KILL'): Promise<void> {
    await this.#exec(scriptArgv(SIGNAL, 'retort-signal', [signal, remoteDir])).catch(
      (error: unknown) => {
        this.#reachability.lost(error);
      },
    );
  }

  #exec(argv: readonly string[]): Promise<ExecResult> {
    return this.#o.transport.exec(argv);
  }
}
