import { spawnSync } from 'node:child_process';
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import type { JobOutputs, JobSpec } from '../../src/core/job-spec.js';

/** True when `program` is an executable on PATH (live tests skip themselves otherwise). */
export function hasProgram(program: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Runs a job the way an executor would, minus the machinery: a fresh temporary directory with
 * `job.files`, `job.argv` spawned there without a shell (stdout and stderr to files, walltime
 * enforced), the declared outputs read back. The directory is removed before returning, so
 * `workdir` in the result names a directory that no longer exists.
 */
export function runJobDirectly(job: JobSpec): JobOutputs {
  const workdir = mkdtempSync(join(tmpdir(), 'retort-job-'));
  try {
    for (const [name, text] of Object.entries(job.files)) {
      mkdirSync(dirname(join(workdir, name)), { recursive: true });
      writeFileSync(join(workdir, name), text);
    }
    const [program, ...args] = job.argv;
    if (program === undefined) throw new Error('empty argv');
    const out = openSync(join(workdir, 'stdout'), 'w');
    const err = openSync(join(workdir, 'stderr'), 'w');
    const input = job.stdin === undefined ? 'ignore' : openSync(join(workdir, job.stdin), 'r');
    const startedAt = new Date().toISOString();
    const child = spawnSync(program, args, {
      cwd: workdir,
      env: { ...process.env, ...job.env },
      stdio: [input, out, err],
      timeout: job.resources.walltime_s * 1000,
      killSignal: 'SIGKILL',
    });
    const endedAt = new Date().toISOString();
    closeSync(out);
    closeSync(err);
    if (input !== 'ignore') closeSync(input);
    const files: Record<string, string> = {};
    for (const name of job.outputs) {
      const path = join(workdir, name);
      if (existsSync(path)) files[name] = readFileSync(path, 'utf8');
    }
    const missing = errorCode(child.error) === 'ENOENT';
    return {
      exitCode: missing ? 127 : child.status,
      signal: child.signal,
      timedOut: errorCode(child.error) === 'ETIMEDOUT',
      startedAt,
      endedAt,
      stdout: readFileSync(join(workdir, 'stdout'), 'utf8'),
      stderr: missing
        ? `sh: 1: ${program}: not found\n`
        : readFileSync(join(workdir, 'stderr'), 'utf8'),
      files,
      workdir,
    };
  } finally {
    rmSync(workdir, { recursive: true, force: true });
  }
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}
