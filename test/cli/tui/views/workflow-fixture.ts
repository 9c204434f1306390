import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runCli, tempCampaign } from '../../../helpers/cli.js';

/**
 * Three instances (n = 1, 2, 3) of a diamond of command steps: `a` writes 10·n (and fails for
 * n = 3), `b` and `c` need `a` (`c` only when n > 1), `d` needs both and echoes the param `tag`.
 */
export const DIAMOND = `name: diamond
params:
  tag: {type: int, default: 1}
matrix:
  n: [1, 2, 3]
steps:
  a:
    program: command
    argv: [sh, -c, 'test $0 -ne 3 && echo $(($0 * 10)) > out.txt', '\${{ matrix.n }}']
    outputs: [out.txt]
  b:
    needs: [a]
    program: command
    argv: [sh, -c, 'echo b > out.txt']
    outputs: [out.txt]
  c:
    needs: [a]
    when: '\${{ matrix.n > 1 }}'
    program: command
    argv: [sh, -c, 'echo c$0 > out.txt', '\${{ matrix.n }}']
    outputs: [out.txt]
  d:
    needs: [b, c]
    program: command
    argv: [echo, 'd\${{ params.tag }}']
`;

/** What `retort workflow status --json` says of one instance. */
export interface InstanceStatus {
  readonly instance: string;
  readonly status: string;
  readonly steps: Record<
    string,
    { state: string; key: string | null; cached: boolean; reason: string | null }
  >;
}

/**
 * A campaign where `retort workflow run` ran the diamond twice, the second time with tag=2: only
 * `d` of n = 2 ran again, every other success came from the store (each state is there: n=1
 * cached and skipped, n=2 cached and succeeded, n=3 failed). Its status as the CLI prints it.
 */
export function ranDiamond(): { dir: string; status: InstanceStatus[] } {
  const dir = tempCampaign();
  writeFileSync(join(dir, 'diamond.yaml'), DIAMOND);
  for (const set of [[], ['--set', 'tag=2']]) {
    const run = runCli(['workflow', 'run', 'diamond.yaml', ...set, '--headless'], { cwd: dir });
    expect(run.status, run.stderr).toBe(1);
  }
  const status = runCli(['workflow', 'status', '--json'], { cwd: dir });
  expect(status.status, status.stderr).toBe(0);
  return { dir, status: JSON.parse(status.stdout) as InstanceStatus[] };
}
