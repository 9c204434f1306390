import type { CalcSpec } from '../../core/calc-spec.js';
import { InputError } from '../../core/errors.js';
import { intOption } from '../spec-checks.js';

/**
 * Open Babel 3.1 seeds every random generator of `--gen3d` (the builder's random vectors, the
 * rotor searches) and of `--conformer` from the clock: `gettimeofday`'s microseconds modulo
 * 70092, or `time()`. It has no seed option. So a seeded run freezes its clock with libfaketime
 * (LD_PRELOAD; the library both calls are read through) at 2000-01-01 00:00:00 plus `seed`
 * microseconds; a later Open Babel whose generator reads `OB_RANDOM_SEED` gets the seed there.
 * Nothing in those code paths waits for time to pass (only the canonical labelling's timeout
 * reads it, and a frozen clock just never ends it early), so a frozen clock is safe.
 */
export const OBABEL_SEED_STATES = 70092;

/** The seed used when a spec names none. */
export const DEFAULT_OBABEL_SEED = 1;

/**
 * The library, found by the dynamic loader's own `$LIB` (lib/x86_64-linux-gnu on Debian,
 * lib64 on Red Hat), so the path holds on any host that has libfaketime installed.
 */
export const LIBFAKETIME = '/usr/$LIB/faketime/libfaketime.so.1';

/** `options.seed`: an integer 0 … 70091 ({@link DEFAULT_OBABEL_SEED} when absent). */
export function seedOption(spec: CalcSpec): number {
  const seed = intOption(spec, 'seed', DEFAULT_OBABEL_SEED, 0);
  if (seed >= OBABEL_SEED_STATES) {
    throw new InputError(
      'options.seed',
      `expected an integer 0 … ${OBABEL_SEED_STATES - 1} (Open Babel's generator has ${OBABEL_SEED_STATES} seeds), got ${seed}`,
    );
  }
  return seed;
}

/**
 * The argv that makes one obabel run draw the random numbers of `seed`: `env LD_PRELOAD=…
 * FAKETIME=… OB_RANDOM_SEED=… obabel …` (job-spec.ts programIndex). The variables go through
 * env, not the job's environment, so that only obabel loads libfaketime: Debian's dash, the
 * calc wrapper, would load it too and, exiting without its destructors, leave a shared-memory
 * file and a semaphore in /dev/shm for every calc (0.9.10 has no switch to turn them off).
 */
export function seededArgv(seed: number, argv: readonly string[]): string[] {
  return [
    'env',
    `LD_PRELOAD=${LIBFAKETIME}`,
    `FAKETIME=2000-01-01 00:00:00.${String(seed).padStart(6, '0')}`,
    `OB_RANDOM_SEED=${String(seed)}`,
    ...argv,
  ];
}

/**
 * The loader's complaint when libfaketime is not installed: obabel then runs with the clock's
 * seed, so its output must not be kept under a seeded calc key.
 */
export function preloadFailed(stderr: string): boolean {
  return /libfaketime[^\n]*cannot be preloaded/.test(stderr);
}
