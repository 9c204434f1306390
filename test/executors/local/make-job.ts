import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { JobSpec } from '../../../src/core/job-spec.js';
import type { ExecutorJob } from '../../../src/executors/executor.js';

/** Absolute path of a fake program in test/fake-programs/. */
export function fakeProgram(name: string): string {
  return resolve(import.meta.dirname, '../../fake-programs', name);
}

/** A fresh temp directory, unique to one test: its name is also the orphan-check marker. */
export function makeTempDir(): string {
  return mkdtempSync(join(tmpdir(), 'retort-local-'));
}

let counter = 0;

/** A job running `argv` in a new calc directory under `root`. */
export function makeJob(
  root: string,
  argv: readonly string[],
  spec: Partial<Omit<JobSpec, 'argv'>> = {},
): ExecutorJob {
  counter += 1;
  return {
    key: `calc-${counter}`,
    attempt: 1,
    workdir: join(root, `calc-${counter}`),
    job: {
      argv,
      files: {},
      env: {},
      outputs: [],
      captureStdout: 'full',
      resources: { cores: 1, walltime_s: 60 },
      ...spec,
    },
  };
}

/**
 * Waits until `path` exists and, when `containing` is given, holds that text: a program has
 * really started (it printed its first line), not merely had its output file opened for it.
 */
export async function waitForFile(path: string, containing?: string): Promise<void> {
  for (;;) {
    if (
      existsSync(path) &&
      (containing === undefined || readFileSync(path, 'utf8').includes(containing))
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
