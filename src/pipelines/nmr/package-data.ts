import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A path under retort's own `data/` directory: found from this module upwards (the module runs
 * from src/ under vitest and from dist/src/ when built), the first directory holding
 * package.json.
 */
export function packageDataPath(...parts: string[]): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return join(dir, 'data', ...parts);
}
