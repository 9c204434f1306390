import { InfrastructureError } from '../../core/errors.js';
import { join } from 'node:path';
import type { Resources } from '../../core/calc-spec.js';
import type { SlurmHost } from './slurm-host.js';
import { BOOKKEEPING_DIR } from '../calc-wrapper.js';
import { RUN_SCRIPT_PATH } from '../remote/remote-calc.js';
import {
  arrayListText,
  batchScript,
  packListText,
  packRunnerArgs,
  sbatchArgv,
  type BatchMode,
  type BatchRequest,
} from './batch-script.js';

/** Seconds kept free at the end of a packed allocation, and added to its time limit. */
export const PACK_MARGIN_S = 30;

/** One calc of a job to plan: where it runs there, where its record is here, what it needs. */
export interface PlannedCalc {
  readonly remoteDir: string;
  readonly localDir: string;
  readonly resources: Resources;
}

/**
 * Everything one sbatch needs, decided without touching anything: the files to write (here,
 * in `dir.local`, then uploaded to `dir.remote`) and the sbatch argv.
 *
 * - `single`: the calc's own resources; job.sh in the calc's `.retort/`, its one argument the
 *   calc's run script.
 * - `array`: one task per calc, each with the largest cores, memory and walltime of the pack;
 *   job.sh and `list` (one run script per line) in the job's own directory.
 * - `packed`: one allocation of `pack_cores`, running ⌊pack_cores / cores⌋ calcs at once; its
 *   time limit is what the calcs need one after another on those slots (their walltimes' sum
 *   ÷ slots, plus the longest, plus twice the margin), at most `max_walltime_s`; the pack runner
 *   starts no calc that cannot end before the limit, and ends a calc retort cancels alone
 *   (TERM, KILL after `killGraceS`).
 */
export interface JobPlan {
  readonly dir: { readonly local: string; readonly remote: string };
  readonly files: Readonly<Record<string, string>>;
  readonly argv: readonly string[];
}

/** The run script of the calc in `remoteDir`, as job lists and batch scripts name it. */
export function runScriptOf(remoteDir: string): string {
  return `${remoteDir}/${RUN_SCRIPT_PATH}`;
}

export function planJob(input: {
  readonly name: string;
  readonly mode: BatchMode;
  readonly host: SlurmHost;
  readonly calcs: readonly PlannedCalc[];
  /** The job's own directory (array and packed jobs). */
  readonly jobDir: { readonly local: string; readonly remote: string };
  /** Packed jobs: how long a cancelled calc has between TERM and KILL. */
  readonly killGraceS: number;
}): JobPlan {
  const { name, mode, host, calcs } = input;
  const first = calcs[0];
  if (first === undefined)
    throw new InfrastructureError(`job ${name} has no calcs`, { retryable: false });
  const cores = Math.max(...calcs.map((c) => c.resources.cores));
  const memories = calcs.map((c) => c.resources.memory_mb).filter((m) => m !== undefined);
  const memory = memories.length > 0 ? Math.max(...memories) : undefined;
  const walltimes = calcs.map((c) => c.resources.walltime_s);
  const runScripts = calcs.map((c) => runScriptOf(c.remoteDir));
  const dir =
    mode === 'single'
      ? {
          local: join(first.localDir, BOOKKEEPING_DIR),
          remote: `${first.remoteDir}/${BOOKKEEPING_DIR}`,
        }
      : input.jobDir;
  const files: Record<string, string> = { 'job.sh': batchScript(mode, host.setup) };
  const base: BatchRequest = {
    mode,
    jobName: name,
    ...(host.partition === undefined ? {} : { partition: host.partition }),
    ...(host.account === undefined ? {} : { account: host.account }),
    ...(host.qos === undefined ? {} : { qos: host.qos }),
    cores,
    ...(memory === undefined ? {} : { memoryMb: memory }),
    timeLimitS: Math.max(...walltimes),
    outputDir: dir.remote,
    workDir: mode === 'single' ? first.remoteDir : dir.remote,
    setup: host.setup,
    // retort decides about retries: SLURM must not rerun a calc in a directory that has run.
    extraArgs: ['--no-requeue', ...host.sbatch_args],
  };
  const listPath = `${dir.remote}/list`;
  let request = base;
  let scriptArgs: string[];
  if (mode === 'single') {
    scriptArgs = [runScripts[0] ?? ''];
  } else if (mode === 'array') {
    files.list = arrayListText(runScripts);
    request = { ...base, arrayTasks: calcs.length };
    scriptArgs = [listPath];
  } else {
    const slots = Math.max(1, Math.floor(host.pack_cores / cores));
    const total = walltimes.reduce((a, b) => a + b, 0);
    const limit = Math.min(
      host.max_walltime_s,
      Math.ceil(total / slots + Math.max(...walltimes) + 2 * PACK_MARGIN_S),
    );
    files.list = packListText(
      calcs.map((c, i) => ({ walltimeS: c.resources.walltime_s, path: runScripts[i] ?? '' })),
    );
    request = {
      ...base,
      cores: Math.min(host.pack_cores, slots * cores),
      ...(memory === undefined ? {} : { memoryMb: memory * slots }),
      timeLimitS: limit,
    };
    scriptArgs = packRunnerArgs(listPath, slots, limit, PACK_MARGIN_S, input.killGraceS);
  }
  return { dir, files, argv: sbatchArgv(request, `${dir.remote}/job.sh`, scriptArgs) };
}
