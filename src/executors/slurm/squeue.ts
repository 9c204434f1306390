import { InfrastructureError } from '../../core/errors.js';

/**
 * Listing the user's SLURM jobs with one `squeue` call.
 *
 * `squeueArgs()` asks for every job of the calling user that slurmctld still knows, finished
 * ones included (they stay for MinJobAge seconds, 300 by default), one line per array task:
 *
 *     squeue --noheader --me --states=all --array --format=%i|%F|%K|%T|%r|%j
 *
 * Fields: `%i` the job id as users see it (`124`, or `127_3` for a task of array 127), `%F` the
 * array's job id (the job id itself for other jobs), `%K` the task index (`N/A` for other jobs),
 * `%T` the state (`PENDING`, `RUNNING`, `COMPLETED`, …), `%r` the reason, `%j` the job name. The
 * name is last because it is the only field that may contain `|`. (Checked against squeue
 * 22.05: `%A` and `%a` are not the array job id and task: `%A` is each task's own job id and
 * `%a` the account.)
 *
 * Even with `--array`, squeue may print the pending part of an array as one line with a range
 * (`127_[0-3,7%2]`, task field `0-3,7%2`); {@link parseSqueue} expands it into one row per task.
 */
export const SQUEUE_FORMAT = '%i|%F|%K|%T|%r|%j';

/** The squeue command line (argv, `squeue` first). */
export function squeueArgs(): string[] {
  return ['squeue', '--noheader', '--me', '--states=all', '--array', `--format=${SQUEUE_FORMAT}`];
}

/** One job, or one task of an array job, as squeue lists it. */
export interface SqueueRow {
  /** `124`, or `127_3` for task 3 of array job 127. */
  readonly jobId: string;
  /** The array's job id; the job id itself for a job that is not an array task. */
  readonly arrayJobId: string;
  /** The task index; undefined for a job that is not an array task. */
  readonly arrayTaskId: number | undefined;
  readonly name: string;
  /** SLURM's state, e.g. `PENDING`, `RUNNING`, `COMPLETED`, `TIMEOUT`. */
  readonly state: string;
  /** Why the job is in that state, e.g. `Priority`, `JobHeldUser`, `None`. */
  readonly reason: string;
}

/**
 * Parses the output of {@link squeueArgs}. Blank lines are ignored; any other line that is not
 * in the expected format throws an Error naming it.
 */
export function parseSqueue(text: string): SqueueRow[] {
  const rows: SqueueRow[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const fields = line.split('|');
    const [jobId, arrayJobId, task, state, reason] = fields;
    if (
      jobId === undefined ||
      arrayJobId === undefined ||
      task === undefined ||
      state === undefined ||
      reason === undefined ||
      fields.length < 6 ||
      !/^\d+$/.test(arrayJobId) ||
      !/^[A-Z_]+$/.test(state)
    ) {
      throw new InfrastructureError(`unexpected squeue line: ${JSON.stringify(line)}`, {
        retryable: false,
      });
    }
    const name = fields.slice(5).join('|');
    const common = { arrayJobId, name, state, reason };
    if (task === 'N/A') {
      if (jobId !== arrayJobId)
        throw new InfrastructureError(`unexpected squeue line: ${JSON.stringify(line)}`, {
          retryable: false,
        });
      rows.push({ jobId, arrayTaskId: undefined, ...common });
      continue;
    }
    let tasks: number[];
    try {
      tasks = expandArrayTaskRange(task);
    } catch {
      throw new InfrastructureError(`unexpected squeue line: ${JSON.stringify(line)}`, {
        retryable: false,
      });
    }
    for (const arrayTaskId of tasks) {
      rows.push({ jobId: `${arrayJobId}_${arrayTaskId}`, arrayTaskId, ...common });
    }
  }
  return rows;
}

/**
 * Expands an array task expression as SLURM prints it (`3`, `0-3`, `1,3,7-9`, `[0-3%2]`; the
 * `%N` throttle is dropped) into the task indices, in order. Throws on anything else.
 */
export function expandArrayTaskRange(expression: string): number[] {
  const body = expression.replace(/^\[(.*)\]$/, '$1').replace(/%\d+$/, '');
  const tasks: number[] = [];
  for (const part of body.split(',')) {
    const match = /^(\d+)(?:-(\d+))?(?::(\d+))?$/.exec(part);
    if (match?.[1] === undefined)
      throw new InfrastructureError(`not an array task range: ${expression}`, { retryable: false });
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    const step = match[3] === undefined ? 1 : Number(match[3]);
    if (last < first || step < 1)
      throw new InfrastructureError(`not an array task range: ${expression}`, { retryable: false });
    for (let task = first; task <= last; task += step) tasks.push(task);
  }
  return tasks;
}
