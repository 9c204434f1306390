import { constants } from 'node:os';
import type { Failure } from '../core/failure.js';
import type { JobOutputs } from '../core/job-spec.js';

/**
 * The failure the machinery already explains, before any program output is read: a failure the
 * executor established, a walltime stop, a program the shell could not find, a kill by a signal.
 * Every engine calls it first; undefined means the program ran and ended by itself.
 * `walltimeS` (the spec's walltime) only makes the timeout message more precise.
 */
export function machineryFailure(
  outputs: JobOutputs,
  program: string,
  walltimeS?: number,
): Failure | undefined {
  if (outputs.failure !== undefined) return outputs.failure;
  if (outputs.timedOut) {
    const limit = walltimeS === undefined ? 'its walltime' : `its walltime of ${walltimeS} s`;
    return {
      class: 'timeout',
      message: `${program} ran past ${limit} and was stopped; give it more time (resources.walltime_s)`,
    };
  }
  // sh: `mopac: not found`; env (an `env NAME=VALUE … prog` argv): `No such file or directory`.
  if (outputs.exitCode === 127 && /not found|no such file or directory/i.test(outputs.stderr)) {
    return {
      class: 'program_missing',
      message: `${program} was not found where the calc ran: install it or set programs.${program} in retort.yaml to its path`,
    };
  }
  const signal = outputs.signal ?? signalOfExitCode(outputs.exitCode);
  if (signal !== undefined && SELF_INFLICTED.has(signal)) {
    return {
      class: 'crash',
      message: `${program} crashed (${signal}: ${SELF_INFLICTED.get(signal) ?? ''}); running it again on the same input would crash again`,
    };
  }
  if (signal !== undefined) {
    return {
      class: 'killed',
      message: `${program} was killed by ${signal} (out of memory, or stopped by someone else)`,
    };
  }
  return undefined;
}

// Signals a program raises on itself (an abort(), a bad memory access, a floating-point trap):
// psi4's optimiser aborting on "Could not converge backtransformation" is SIGABRT, and a retry
// only repeats it. Every other signal came from outside (the OOM killer, an operator, the
// scheduler) and a retry may help.
const SELF_INFLICTED: ReadonlyMap<string, string> = new Map([
  ['SIGABRT', 'it aborted itself'],
  ['SIGSEGV', 'invalid memory access'],
  ['SIGBUS', 'invalid memory access'],
  ['SIGFPE', 'floating-point exception'],
  ['SIGILL', 'illegal instruction'],
]);

// A shell reports a child killed by signal N as exit status 128 + N.
function signalOfExitCode(exitCode: number | null): string | undefined {
  if (exitCode === null || exitCode <= 128 || exitCode > 192) return undefined;
  const number = exitCode - 128;
  const entry = Object.entries(constants.signals).find(([, n]) => n === number);
  return entry === undefined ? `signal ${number}` : entry[0];
}

/** The last non-empty line of a text, trimmed ('' when there is none). */
export function lastLine(text: string): string {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  return (lines[lines.length - 1] ?? '').trim();
}
