import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { SlurmHostSettings } from '../../../src/runtime/host-settings.js';

/** The directory of the fake sbatch, squeue, scontrol, scancel and sinfo. */
export const FAKE_SLURM_BIN = resolve(import.meta.dirname, '../../fake-programs/slurm');

/**
 * Puts the fake SLURM of test/fake-programs/slurm on this test file's PATH, with a fresh state
 * directory (returned by the getter), for the file's tests; a minute of `--time` lasts a second.
 */
export function useFakeSlurm(env: Readonly<Record<string, string>> = {}): () => string {
  let dir = '';
  const saved = { ...process.env };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'retort-fake-slurm-'));
    Object.assign(process.env, {
      PATH: `${FAKE_SLURM_BIN}${delimiter}${process.env.PATH ?? ''}`,
      FAKE_SLURM_DIR: dir,
      FAKE_SLURM_SECONDS_PER_MINUTE: '1',
      ...env,
    });
  });
  afterAll(() => {
    for (const name of Object.keys(process.env)) {
      if (!(name in saved)) Reflect.deleteProperty(process.env, name);
    }
    Object.assign(process.env, saved);
    rmSync(dir, { recursive: true, force: true });
  });
  return () => dir;
}

/** A cluster's settings as retort.yaml gives them, with short polls for tests. */
export function fakeSlurmHost(settings: Partial<SlurmHostSettings> = {}): SlurmHostSettings {
  return {
    type: 'slurm',
    name: 'fake',
    via: undefined,
    scratch: undefined,
    partition: undefined,
    account: undefined,
    qos: undefined,
    setup: [],
    submit: 'single',
    pack_size: 3,
    pack_cores: 4,
    max_walltime_s: 86_400,
    max_jobs: 20,
    submit_interval_s: 0,
    poll_s: 0.2,
    sbatch_args: [],
    cores: undefined,
    memory_mb: undefined,
    walltime_s: undefined,
    cleanup: false,
    programs: {},
    ...settings,
  };
}
