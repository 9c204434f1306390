import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A path inside retort's own package (`templates/`, `workflows/`, `data/…`): found from this
 * module upwards — it runs from src/ under vitest and from dist/src/ when built — as the first
 * directory holding package.json.
 */
export function packagePath(...parts: string[]): string {
  const here = dirname(fileURLToPath(import.meta.url));
  let dir = here;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return join(here, '..', '..', ...parts);
    dir = up;
  }
  return join(dir, ...parts);
}
