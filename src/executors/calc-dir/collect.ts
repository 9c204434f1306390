import { join } from 'node:path';
import { TAIL_BYTES, type JobExit, type JobOutputs } from '../../core/job-spec.js';
import type { ExecutorJob } from '../executor.js';
import { readTail, readWhole } from './read-tail.js';
import { pathInWorkdir } from './workdir.js';

/** stdout, stderr (whole or tail, as the engine asked) and every declared output present. */
export function collectOutputs(job: ExecutorJob, exit: JobExit): JobOutputs {
  const { workdir } = job;
  const read = (name: string): string =>
    job.job.captureStdout === 'full'
      ? (readWhole(join(workdir, name)) ?? '')
      : readTail(join(workdir, name), TAIL_BYTES);
  const files: Record<string, string> = {};
  for (const name of job.job.outputs) {
    const text = readWhole(pathInWorkdir(workdir, name));
    if (text !== undefined) files[name] = text;
  }
  return { ...exit, stdout: read('stdout'), stderr: read('stderr'), files, workdir };
}
