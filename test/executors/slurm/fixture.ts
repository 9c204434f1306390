import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../fixtures/real/slurm');

/**
 * A file of test/fixtures/real/slurm, without the `exit=N` line some captures end with (the
 * command's exit status, not part of its output).
 */
export function slurmFixture(name: string): string {
  return readFileSync(join(DIR, name), 'utf8').replace(/^exit=\d+\n?$/m, '');
}
