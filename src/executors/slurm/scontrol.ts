import { InfrastructureError } from '../../core/errors.js';
import { expandArrayTaskRange } from './squeue.js';

/**
 * Reading jobs with `scontrol show job`, the one place besides the completion log where a
 * finished job's state and exit code can be read without slurmdbd (for MinJobAge seconds after
 * it ended).
 *
 * `scontrol show job` takes at most one job id (22.05 answers "too many arguments" to two, and
 * "Invalid job id" to a comma list); without one it lists every job the controller knows, of
 * every user, which on a busy cluster is megabytes: retort always asks for one job (an array's
 * job id shows all its tasks). Returns the argv, `scontrol` first.
 */
export function scontrolShowJobArgs(jobId: string): string[] {
  return ['scontrol', '--oneliner', 'show', 'job', jobId];
}

/** One job (or one array task) as `scontrol show job` describes it. */
export interface ScontrolJob {
  /** SLURM's own id of the job (`JobId=`): for a started array task, its own number. */
  readonly jobId: string;
  readonly name: string;
  /** `JobState=` as printed, e.g. `PENDING`, `COMPLETED`, `CANCELLED` (see job-states.ts). */
  readonly state: string;
  /** `Reason=`, e.g. `None`, `NonZeroExitCode`, `TimeLimit`, `JobHeldUser`. */
  readonly reason: string;
  /**
   * From `ExitCode=a:b`, Node's convention: the exit status `a` when the batch script exited
   * (b = 0), else null; `signal` is the signal `b` that ended it, or null.
   */
  readonly exitCode: number | null;
  readonly signal: number | null;
  /**
   * For array tasks: the array's job id and the task index. A record with `arrayJobId` but no
   * `arrayTaskId` stands for the whole array (SLURM prints task 4294967294, NO_VAL, for an
   * array cancelled before any task started).
   */
  readonly arrayJobId?: string;
  readonly arrayTaskId?: number;
  /** `RunTime=` in seconds. */
  readonly runTimeS?: number;
  /** `TimeLimit=` in seconds; null for UNLIMITED. */
  readonly timeLimitS?: number | null;
}

/**
 * Parses `scontrol show job` output, in the default multi-line format or `--oneliner`. A
 * pending array's record names a task range (`ArrayTaskId=0-3`): it becomes one job per task,
 * all with the array's `jobId`. "Invalid job id specified" and "Job … not found" (the job is
 * gone, or never existed) and "No jobs in the system" give no jobs; a record without `JobId`
 * and `JobState`, or with a malformed `ExitCode`, throws.
 */
export function parseScontrolJobs(text: string): ScontrolJob[] {
  const jobs: ScontrolJob[] = [];
  for (const record of splitRecords(text)) {
    const fields = parseKeyValues(record);
    const jobId = fields.get('JobId');
    const state = fields.get('JobState');
    if (jobId === undefined || state === undefined) {
      throw new InfrastructureError(
        `unexpected scontrol output: ${JSON.stringify(record.slice(0, 200))}`,
        { retryable: false },
      );
    }
    const exit = parseExitCode(fields.get('ExitCode'));
    const runTime = fields.get('RunTime');
    const runTimeS = runTime === undefined ? undefined : parseSlurmDuration(runTime);
    const timeLimit = fields.get('TimeLimit');
    const timeLimitS = timeLimit === undefined ? undefined : parseTimeLimit(timeLimit);
    const job: ScontrolJob = {
      jobId,
      name: fields.get('JobName') ?? '',
      state,
      reason: fields.get('Reason') ?? '',
      ...exit,
      ...(runTimeS === undefined ? {} : { runTimeS }),
      ...(timeLimitS === undefined ? {} : { timeLimitS }),
    };
    jobs.push(...withArrayTasks(job, fields.get('ArrayJobId'), fields.get('ArrayTaskId')));
  }
  return jobs;
}

/** Whether scontrol's (or squeue's) complaint means the job is unknown to slurmctld. */
export function isInvalidJobId(text: string): boolean {
  return /Invalid job id specified|\bJob \S+ not found/.test(text);
}

/**
 * The id squeue shows for a job: `127_3` for an array task, the job id otherwise (see
 * {@link SqueueRow.jobId}).
 */
export function queueJobId(job: {
  readonly jobId: string;
  readonly arrayJobId?: string;
  readonly arrayTaskId?: number;
}): string {
  return job.arrayJobId !== undefined && job.arrayTaskId !== undefined
    ? `${job.arrayJobId}_${job.arrayTaskId}`
    : job.jobId;
}

/**
 * Parses a SLURM duration: `[days-]hours:minutes:seconds`, `minutes:seconds` or `minutes`
 * (as `sbatch --time` and the completion log write it). Undefined for anything else.
 */
export function parseSlurmDuration(text: string): number | undefined {
  const match = /^(?:(\d+)-)?(\d+(?::\d+){0,2})$/.exec(text.trim());
  if (match?.[2] === undefined) return undefined;
  const parts = match[2].split(':').map(Number);
  if (match[1] !== undefined) {
    const [hours = 0, minutes = 0, seconds = 0] = parts;
    return ((Number(match[1]) * 24 + hours) * 60 + minutes) * 60 + seconds;
  }
  const [a = 0, b = 0, c = 0] = parts;
  if (parts.length === 1) return a * 60;
  if (parts.length === 2) return a * 60 + b;
  return (a * 60 + b) * 60 + c;
}

/** A time limit in seconds, null for UNLIMITED/INFINITE, undefined when not understood. */
export function parseTimeLimit(text: string): number | null | undefined {
  return /^(UNLIMITED|INFINITE)$/i.test(text.trim()) ? null : parseSlurmDuration(text);
}

/**
 * Splits `Key=value Key=value …` text into its pairs. A value runs up to the next
 * whitespace-preceded `Key=`, so values may contain spaces (`JobState=CANCELLED by 0`,
 * `WorkDir=/a b`) and `=` (`TRES=cpu=1,node=1`). Keys may contain `:` and `/`.
 */
export function parseKeyValues(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  const keys = [...text.matchAll(/(?:^|\s)([A-Za-z][\w:/]*)=/g)];
  keys.forEach((match, i) => {
    const key = match[1];
    if (key === undefined) return;
    const start = match.index + match[0].length;
    const end = keys[i + 1]?.index ?? text.length;
    if (!fields.has(key)) fields.set(key, text.slice(start, end).trim());
  });
  return fields;
}

/** `ExitCode=a:b` as {@link ScontrolJob.exitCode} and `signal`. */
export function parseExitCode(text: string | undefined): {
  exitCode: number | null;
  signal: number | null;
} {
  if (text === undefined) return { exitCode: null, signal: null };
  const match = /^(\d+):(\d+)$/.exec(text);
  if (match?.[1] === undefined || match[2] === undefined) {
    throw new InfrastructureError(`unexpected ExitCode=${text}`, { retryable: false });
  }
  const signal = Number(match[2]);
  return signal === 0 ? { exitCode: Number(match[1]), signal: null } : { exitCode: null, signal };
}

const NO_VAL = '4294967294';

/** Expands a record's array task range into one record per task (see parseScontrolJobs). */
export function withArrayTasks<T extends { readonly jobId: string }>(
  job: T,
  arrayJobId: string | undefined,
  arrayTaskId: string | undefined,
): (T & { arrayJobId?: string; arrayTaskId?: number })[] {
  if (arrayJobId === undefined || arrayTaskId === undefined) return [job];
  // NO_VAL: the record of an array none of whose tasks was split off (e.g. cancelled while
  // pending): it stands for the whole array
  if (arrayTaskId === NO_VAL) return [{ ...job, arrayJobId }];
  return expandArrayTaskRange(arrayTaskId).map((task) => ({
    ...job,
    arrayJobId,
    arrayTaskId: task,
  }));
}

/** Records start at a line beginning with `JobId=`; indented lines continue the record. */
function splitRecords(text: string): string[] {
  const records: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('JobId=')) records.push(line);
    else if (/^\s+\S/.test(line) && records.length > 0) {
      records.push(`${records.pop() ?? ''} ${line.trim()}`);
    } else if (line.trim() !== '' && !isNoJobsLine(line)) {
      throw new InfrastructureError(
        `unexpected scontrol output: ${JSON.stringify(line.slice(0, 200))}`,
        { retryable: false },
      );
    }
  }
  return records;
}

function isNoJobsLine(line: string): boolean {
  return isInvalidJobId(line) || line.trim().startsWith('No jobs in the system');
}
