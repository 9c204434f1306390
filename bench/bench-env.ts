import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * What every bench script shares. Benches run built, from dist/bench/, so the repository is two
 * directories up.
 */

/** The repository's root. */
export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** retort's CLI of this checkout (it runs dist/, built by `npm run build`). */
export const retortBin = join(repo, 'bin', 'retort.js');

/** The value after `--name` on the bench's command line, if given. */
export function flagValue(name: string): string | undefined {
  const args = process.argv.slice(2);
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}
