import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Atom } from '../../src/chem/molecule.js';
import { parseXyz } from '../../src/chem/xyz.js';
import type { CalcSpec } from '../../src/core/calc-spec.js';
import type { JobOutputs } from '../../src/core/job-spec.js';

const REAL = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'real');

/** A copied real program output, `test/fixtures/real/<program>/<name>`. */
export function realFixture(program: string, name: string): string {
  return readFileSync(join(REAL, program, name), 'utf8');
}

/** The ethanol geometry every real fixture was computed from (9 atoms, Å). */
export function ethanolAtoms(): readonly Atom[] {
  return parseXyz(realFixture('openbabel', 'ethanol.xyz'))[0]?.atoms ?? [];
}

/** JobOutputs of a program that exited by itself, with the given texts. */
export function exited(
  exitCode: number,
  texts: { stdout?: string; stderr?: string; files?: Record<string, string> } = {},
): JobOutputs {
  return {
    exitCode,
    signal: null,
    timedOut: false,
    startedAt: '2026-11-21T00:00:00.000Z',
    endedAt: '2026-11-21T00:00:01.000Z',
    stdout: texts.stdout ?? '',
    stderr: texts.stderr ?? '',
    files: texts.files ?? {},
    workdir: '/nonexistent',
  };
}

/** A spec with one-core, one-hour resources. */
export function spec(
  fields: Omit<CalcSpec, 'resources'> & Partial<Pick<CalcSpec, 'resources'>>,
): CalcSpec {
  return { resources: { cores: 1, walltime_s: 3600 }, ...fields };
}
