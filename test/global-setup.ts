import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Builds dist/ once before any test, so the CLI tests (which run `node bin/retort.js`) never
 * run a stale build. A build error fails the whole run, loudly.
 */
export default function setup(): void {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
    });
  } catch (error) {
    const out =
      typeof error === 'object' && error !== null && 'stdout' in error ? String(error.stdout) : '';
    throw new Error(
      `global setup: \`tsc -p tsconfig.build.json\` failed; dist/ is not fresh\n${out}`,
      {
        cause: error,
      },
    );
  }
}
