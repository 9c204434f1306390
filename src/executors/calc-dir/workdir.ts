import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { RetortError } from '../../core/errors.js';
import type { ExecutorJob } from '../executor.js';
import { BOOKKEEPING_DIR } from '../calc-wrapper.js';
import { exitMarkerPath, pidFilePath } from './exit-marker.js';

/**
 * The absolute path of a file named by a job (an input, stdin, a declared output), refusing
 * names that leave the calc directory or touch its bookkeeping.
 */
export function pathInWorkdir(workdir: string, name: string): string {
  const path = join(workdir, name);
  const rel = relative(workdir, path);
  if (
    name === '' ||
    isAbsolute(name) ||
    rel === '' ||
    rel === '..' ||
    rel.startsWith(`..${sep}`) ||
    rel === BOOKKEEPING_DIR ||
    rel.startsWith(`${BOOKKEEPING_DIR}${sep}`)
  ) {
    throw new RetortError(`file name "${name}" is not a plain path inside the calc directory`);
  }
  return path;
}

/**
 * Creates the calc directory and its bookkeeping directory and writes the job's files.
 * A directory that holds a pid file or an exit marker has run (or is running) a calc and is
 * never reused.
 */
export function prepareWorkdir(job: ExecutorJob): void {
  const { workdir } = job;
  if (!isAbsolute(workdir)) throw new RetortError(`calc directory "${workdir}" is not absolute`);
  if (job.job.argv.length === 0) throw new RetortError(`calc ${job.key}: empty argv`);
  const bookkeeping = join(workdir, BOOKKEEPING_DIR);
  if (!mkdirFresh(bookkeeping)) {
    if (existsSync(pidFilePath(workdir)) || existsSync(exitMarkerPath(workdir))) {
      throw new RetortError(
        `calc directory ${workdir} has already been used by a run; it is never reused`,
      );
    }
  }
  for (const [name, text] of Object.entries(job.job.files)) {
    const path = pathInWorkdir(workdir, name);
    if (name.includes('/')) mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  if (job.job.stdin !== undefined) pathInWorkdir(workdir, job.job.stdin);
}

/**
 * Creates a directory and its missing parents; false when it existed already. Plain mkdir
 * first: Node's recursive mkdir cost 0.36 ms per call here against 0.05 ms for a plain one,
 * a fifth of the per-calc budget of bench/overhead.
 */
function mkdirFresh(path: string): boolean {
  try {
    mkdirSync(path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'ENOENT') throw error;
  }
  mkdirFresh(dirname(path));
  return mkdirFresh(path);
}
