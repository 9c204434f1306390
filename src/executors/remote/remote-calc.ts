import { errorMessage } from '../../core/errors.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { programOf, type JobExit } from '../../core/job-spec.js';
import { BOOKKEEPING_DIR, EXIT_FILE, PID_FILE, probeArgs } from '../calc-wrapper.js';
import { jobExit, lostExit } from '../calc-dir/job-exit.js';
import { parentFiles, prepareWorkdir } from '../calc-dir/workdir.js';
import type { ExecutorJob } from '../executor.js';
import { RUN_SCRIPT, TIMEOUT_FILE, runScript, type RemoteState } from './remote-scripts.js';
import type { Transport } from './transport.js';

/**
 * One calc's life on a remote machine, shared by the ssh and slurm executors: where its
 * directory is, how it is staged, and how its end is brought back and read.
 *
 * The local calc directory stays the record: the inputs and `.retort/run.sh` are written there
 * first and uploaded, and the outputs and markers are downloaded back into it, so a finished
 * calc looks the same whichever executor ran it.
 */

/**
 * The remote directory of one attempt: `<scratch>/<campaign id>/<key[0:2]>/<key>.<attempt>`.
 * Attempts never share a directory (a directory that has run is never reused).
 */
export function remoteCalcDir(scratch: string, campaignId: string, job: ExecutorJob): string {
  return `${scratch}/${campaignId}/${job.key.slice(0, 2)}/${job.key}.${String(job.attempt)}`;
}

/** `.retort/run.sh`, relative to a calc directory. */
export const RUN_SCRIPT_PATH = `${BOOKKEEPING_DIR}/${RUN_SCRIPT}`;

/**
 * Writes the calc directory here (parents' copies, inputs and run script, whose wrapper runs
 * `setup`, the host's setup lines, before the program) and uploads it to `remoteDir`. Parents' files go up from the local copies whichever executor ran the parent:
 * the local calc directory is the record of every calc, and a parent's remote directory may be
 * on another host or cleaned up.
 */
export async function stageCalc(
  transport: Transport,
  job: ExecutorJob,
  remoteDir: string,
  walltime: { seconds: number; graceS: number } | undefined,
  setup: readonly string[] = [],
): Promise<void> {
  prepareWorkdir(job);
  const script = runScript({
    dir: remoteDir,
    stdin: job.job.stdin,
    argv: job.job.argv,
    env: job.job.env,
    ...(walltime === undefined ? {} : { walltime }),
    setup,
  });
  writeFileSync(join(job.workdir, RUN_SCRIPT_PATH), script);
  await transport.upload(job.workdir, remoteDir, [
    ...parentFiles(job),
    ...Object.keys(job.job.files),
    RUN_SCRIPT_PATH,
  ]);
}

/** Everything a finished calc leaves that the engine or the record needs. */
export function outputNames(job: ExecutorJob): string[] {
  const markers = [PID_FILE, EXIT_FILE, TIMEOUT_FILE].map((name) => `${BOOKKEEPING_DIR}/${name}`);
  return [...new Set(['stdout', 'stderr', ...job.job.outputs, ...markers])];
}

/** Brings a finished calc's outputs and markers back into its local directory. */
export async function fetchCalc(
  transport: Transport,
  job: ExecutorJob,
  remoteDir: string,
): Promise<void> {
  await transport.download(remoteDir, job.workdir, outputNames(job));
}

/** How a remote calc ended, from what POLL said (after `fetchCalc` brought its files here). */
export function remoteExit(
  job: ExecutorJob,
  state: RemoteState,
  context: {
    readonly startedAt: string;
    readonly cancelled: boolean;
    /** Set when the scheduler says why the job ended without the calc recording it. */
    readonly lostBecause?: string;
  },
): JobExit {
  const argv0 = programOf(job.job.argv);
  if (state.kind === 'exit') {
    return jobExit(job.workdir, argv0, {
      status: state.status,
      wrapperSignal: null,
      timedOut: state.timedOut,
      cancelled: context.cancelled,
      startedAt: context.startedAt,
      walltimeS: job.job.resources.walltime_s,
    });
  }
  if (context.cancelled) {
    return jobExit(job.workdir, argv0, {
      status: undefined,
      wrapperSignal: null,
      timedOut: false,
      cancelled: true,
      startedAt: context.startedAt,
      walltimeS: job.job.resources.walltime_s,
    });
  }
  return lostExit(
    context.lostBecause ?? 'the remote calc ended without recording its exit status',
    context.startedAt,
  );
}

/**
 * Runs a short command on the host (a version probe) in its temp directory (some programs,
 * psi4, leave files where they run), after the host's setup lines; never rejects.
 */
export async function remoteProbe(
  transport: Transport,
  argv: readonly string[],
  setup: readonly string[] = [],
): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  const command = probeArgs(argv, setup);
  try {
    return await transport.exec(command, { timeoutMs: 30_000 });
  } catch (error) {
    return { exitCode: null, stdout: '', stderr: errorMessage(error) };
  }
}
