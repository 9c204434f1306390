import { errorMessage } from '../core/errors.js';
import type { CheckLine, ProgramToCheck } from './executor.js';

/**
 * The steps of `Executor.check` that every executor makes the same way, wherever its commands
 * run: `run` runs an argv there (on this machine, on an ssh host, on a cluster's login node)
 * and never rejects (a failure to run is `exitCode: null` with the reason on stderr).
 */
export type RunThere = (
  argv: readonly string[],
) => Promise<{ exitCode: number | null; stdout: string; stderr: string }>;

/**
 * Whether the place answers, and how long it took: one line naming it (`uname -nsr`).
 * `reach` runs the command and may reject (an unreachable host): that is the failed line.
 * Returns whether it answered, so that the checks needing it can be skipped.
 */
export async function checkReached(
  description: string,
  reach: (argv: readonly string[]) => Promise<{ exitCode: number | null; stdout: string }>,
  report: (line: CheckLine) => void,
): Promise<boolean> {
  const started = Date.now();
  try {
    const r = await reach(['uname', '-nsr']);
    const ok = r.exitCode === 0;
    report({
      ok,
      line: `reached ${description}: ${r.stdout.trim()} (${String(Date.now() - started)} ms)`,
    });
    return ok;
  } catch (error) {
    // Transports name themselves in their messages: said once here.
    const said = errorMessage(error)
      .replace(`cannot connect to ${description}: `, '')
      .replace(`${description}: `, '');
    report({ ok: false, line: `cannot reach ${description}: ${said}` });
    return false;
  }
}

/** The argv that makes `dir` (with its parents) and writes, then removes, a file in it. */
export function scratchProbe(dir: string): string[] {
  return [
    '/bin/sh',
    '-c',
    'mkdir -p -- "$1" && touch -- "$1/.retort-check-$$" && rm -f -- "$1/.retort-check-$$"',
    'retort-check',
    dir,
  ];
}

/** Whether calcs can be written under `dir` there. */
export async function checkScratch(
  dir: string,
  run: RunThere,
  report: (line: CheckLine) => void,
): Promise<void> {
  const r = await run(scratchProbe(dir));
  report({
    ok: r.exitCode === 0,
    line:
      r.exitCode === 0
        ? `scratch ${dir} is writable`
        : `scratch ${dir} is not writable: ${r.stderr.trim()}`,
  });
}

/**
 * Each program: found with its version when it has a probe, else looked up by its path
 * (`command -v`). Not found is a failure only for a program the campaign uses.
 */
export async function checkPrograms(
  programs: readonly ProgramToCheck[],
  run: RunThere,
  report: (line: CheckLine) => void,
): Promise<void> {
  for (const program of programs) {
    const { argv, parse } = program;
    const r = await run(
      argv ?? ['/bin/sh', '-c', 'command -v -- "$1"', 'retort-which', program.path],
    );
    const ran = r.exitCode !== null && r.exitCode !== 127;
    const version =
      argv === undefined
        ? r.exitCode === 0
          ? r.stdout.trim()
          : undefined
        : !ran
          ? undefined
          : parse === undefined
            ? 'found'
            : parse(r.stdout, r.stderr);
    report({
      ok: version !== undefined || !program.needed,
      optional: version === undefined && !program.needed,
      line:
        version !== undefined
          ? `${program.program}: ${version}${argv === undefined ? '' : ` (${program.path})`}`
          : `${program.program}: not found as ${program.path}${program.needed ? ' (the campaign uses it)' : ''}`,
    });
  }
}
