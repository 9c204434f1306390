import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openRegistry, releaseDaemons } from './helpers/test-daemons.js';

/**
 * Builds dist/ once before any test, so the CLI tests (which run `node bin/retort.js`) never
 * run a stale build. Type errors do not stop the emit (tsc exits 2 and still writes dist/):
 * they are reported here and fail `scripts/test.sh` at its typecheck step, while the other
 * tests still run. Anything else (tsc missing, a broken config) fails the whole run.
 *
 * Returns the teardown, which stops the daemons (sshd, the SLURM dev cluster) the suite
 * started and no other test run still uses (see helpers/test-daemons.ts).
 */
export default function setup(): () => void {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (build.status === 2) {
    process.stderr.write(`global setup: dist/ built with type errors:\n${build.stdout}`);
  } else if (build.status !== 0) {
    throw new Error(
      `global setup: \`tsc -p tsconfig.build.json\` failed (status ${String(build.status)})\n${build.stdout}${build.stderr}`,
    );
  }
  const registry = openRegistry();
  return () => {
    for (const daemon of releaseDaemons(registry)) {
      process.stderr.write(`global teardown: stopped ${daemon}, started by the tests\n`);
    }
  };
}
