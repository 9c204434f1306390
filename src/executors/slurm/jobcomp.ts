import {
  parseExitCode,
  parseKeyValues,
  parseTimeLimit,
  withArrayTasks,
  type ScontrolJob,
} from './scontrol.js';

/**
 * One finished job from the completion log that `JobCompType=jobcomp/filetxt` writes (one line
 * per job as it ends: `JobId=… Name=… JobState=… TimeLimit=… StartTime=… EndTime=… ArrayJobId=…
 * ArrayTaskId=… ExitCode=a:b`). The same fields as a {@link ScontrolJob} except the reason, which
 * the log does not have; `state` is normalised to its first word (`CANCELLED by 0` →
 * `CANCELLED`).
 */
export interface JobcompRecord extends Omit<ScontrolJob, 'reason'> {
  /** `EndTime=` as written (local time, `2026-11-21T04:58:17`). */
  readonly endTime?: string;
}

/**
 * Parses the completion log, in file order. A job that ran more than once (requeued) has a
 * record per run: the last one is the newest. Only complete lines count (a last line without
 * its newline may be half written); a line without `JobId=` and `JobState=` is skipped, so one
 * damaged line does not hide the others.
 */
export function parseJobcomp(text: string): JobcompRecord[] {
  const lines = text.split('\n');
  lines.pop(); // the text after the last newline: empty, or a line still being written
  const records: JobcompRecord[] = [];
  for (const line of lines) {
    try {
      records.push(...parseLine(line));
    } catch {
      // damaged: skipped (see above)
    }
  }
  return records;
}

/** One line as records (an array task's line is one record); [] when it is not a job. */
function parseLine(line: string): JobcompRecord[] {
  const fields = parseKeyValues(line);
  const jobId = fields.get('JobId');
  const state = fields.get('JobState')?.split(/\s+/)[0];
  if (jobId === undefined || state === undefined || state === '') return [];
  const exit = parseExitCode(fields.get('ExitCode'));
  const timeLimit = fields.get('TimeLimit');
  const timeLimitS = timeLimit === undefined ? undefined : parseTimeLimit(timeLimit);
  const runTimeS = secondsBetween(fields.get('StartTime'), fields.get('EndTime'));
  const endTime = fields.get('EndTime');
  const record: JobcompRecord = {
    jobId,
    name: fields.get('Name') ?? '',
    state,
    ...exit,
    ...(timeLimitS === undefined ? {} : { timeLimitS }),
    ...(runTimeS === undefined ? {} : { runTimeS }),
    ...(endTime === undefined ? {} : { endTime }),
  };
  return withArrayTasks(record, fields.get('ArrayJobId'), fields.get('ArrayTaskId'));
}

/** Seconds from one `YYYY-MM-DDTHH:MM:SS` to another (both in the same, unnamed, zone). */
function secondsBetween(start: string | undefined, end: string | undefined): number | undefined {
  const pattern = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/;
  if (start === undefined || end === undefined) return undefined;
  if (!pattern.test(start) || !pattern.test(end)) return undefined;
  const seconds = (Date.parse(`${end}Z`) - Date.parse(`${start}Z`)) / 1000;
  return seconds >= 0 ? seconds : undefined;
}
