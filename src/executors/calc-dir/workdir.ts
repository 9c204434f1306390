import { cpSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
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
 * Creates the calc directory and its bookkeeping directory, copies the job's parent paths into
 * it and writes the job's files (an input of the job wins over a parent's file of the same name).
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
  for (const parent of job.parents ?? []) {
    const to = pathInWorkdir(workdir, parent.path);
    mkdirSync(dirname(to), { recursive: true });
    // Dereferenced, so the copy holds the parent's bytes and no link back into its directory.
    cpSync(parent.from, to, { recursive: true, dereference: true });
  }
  for (const [name, text] of Object.entries(job.job.files)) {
    const path = pathInWorkdir(workdir, name);
    if (name.includes('/')) mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  if (job.job.stdin !== undefined) pathInWorkdir(workdir, job.job.stdin);
}

/**
 * The files (relative to the calc directory, `/`-separated) that `prepareWorkdir` copied from
 * the job's parents: what a remote executor uploads besides the inputs.
 */
export function parentFiles(job: ExecutorJob): string[] {
  const names: string[] = [];
  const walk = (rel: string): void => {
    const path = pathInWorkdir(job.workdir, rel);
    if (!statSync(path).isDirectory()) {
      names.push(rel);
      return;
    }
    for (const entry of readdirSync(path)) walk(`${rel}/${entry}`);
  };
  for (const parent of job.parents ?? []) walk(parent.path.split(sep).join('/'));
  return names;
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
