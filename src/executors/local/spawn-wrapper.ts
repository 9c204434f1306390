import { spawn, type ChildProcess } from 'node:child_process';
import { calcWrapperArgs } from '../calc-wrapper.js';

/**
 * Starts the calc wrapper in its own process group (detached: it is the group leader, so the
 * group id is its pid) with no pipes to us: outputs go to files, and the calc survives the
 * runner. `setup` are the user's shell lines run before the program (calc-wrapper.ts).
 */
export function spawnWrapper(
  workdir: string,
  stdin: string | undefined,
  argv: readonly string[],
  env: Readonly<Record<string, string>>,
  setup: readonly string[] = [],
): ChildProcess {
  return spawn('/bin/sh', calcWrapperArgs(workdir, stdin, argv, setup), {
    cwd: workdir,
    detached: true,
    stdio: 'ignore',
    env: Object.keys(env).length === 0 ? process.env : { ...process.env, ...env },
  });
}
