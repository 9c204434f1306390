import { constants } from 'node:os';
import { join } from 'node:path';
import type { Failure } from '../../core/failure.js';
import type { JobExit } from '../../core/job-spec.js';
import { readTail } from './read-tail.js';

const SIGNAL_NAMES = new Map<number, string>(
  Object.entries(constants.signals).map(([name, number]) => [number, name]),
);

/** What the executor saw of a job's end. */
export interface Ending {
  /** The status in the wrapper's exit marker, when it wrote one. */
  readonly status: number | undefined;
  /** The signal that ended the wrapper itself, when known (only for our own children). */
  readonly wrapperSignal: string | null;
  /** The wrapper's own exit status, when it is our child and exited by itself. */
  readonly wrapperCode?: number | null;
  readonly timedOut: boolean;
  readonly cancelled: boolean;
  readonly startedAt: string;
  readonly walltimeS: number;
  /** When the job ended, if known better than "now" (the exit marker's mtime). */
  readonly endedAt?: string;
}

/**
 * The shell reports a program killed by signal n as status 128 + n; a program that exits with
 * such a status by itself is indistinguishable, and is read as the signal too.
 */
function splitStatus(status: number): { exitCode: number | null; signal: string | null } {
  const signal = status > 128 ? SIGNAL_NAMES.get(status - 128) : undefined;
  return signal === undefined ? { exitCode: status, signal: null } : { exitCode: null, signal };
}

/**
 * dash says `<name>: not found` (status 127) when it cannot find or execute the program; env
 * (an `env NAME=VALUE … <name>` argv) says `env: '<name>': No such file or directory`, with
 * typographic quotes in a UTF-8 locale.
 */
function programMissing(workdir: string, program: string, status: number): boolean {
  if (status !== 127) return false;
  const tail = readTail(join(workdir, 'stderr'), 4096);
  return (
    tail.includes(`${program}: not found`) ||
    [`'${program}'`, `‘${program}’`].some((quoted) =>
      tail.includes(`env: ${quoted}: No such file or directory`),
    )
  );
}

export function jobExit(workdir: string, program: string, ending: Ending): JobExit {
  const base = { timedOut: ending.timedOut, startedAt: ending.startedAt };
  const endedAt = ending.endedAt ?? new Date().toISOString();
  const failure = ((): Failure | undefined => {
    if (ending.timedOut) {
      return { class: 'timeout', message: `stopped after its walltime of ${ending.walltimeS} s` };
    }
    if (ending.cancelled) return { class: 'cancelled', message: 'cancelled' };
    if (ending.status !== undefined) {
      return programMissing(workdir, program, ending.status)
        ? { class: 'program_missing', message: `program not found: ${program}` }
        : undefined;
    }
    if (ending.wrapperSignal !== null) {
      return {
        class: 'killed',
        message: `the calc was killed by ${ending.wrapperSignal} before it could record its exit`,
      };
    }
    if (typeof ending.wrapperCode === 'number') {
      return {
        class: 'crash',
        message: `the calc wrapper failed (status ${ending.wrapperCode}) before running the program`,
      };
    }
    return { class: 'lost', message: 'the calc process ended without recording its exit status' };
  })();
  const outcome =
    ending.status !== undefined
      ? splitStatus(ending.status)
      : { exitCode: null, signal: ending.wrapperSignal };
  return failure === undefined
    ? { ...outcome, ...base, endedAt }
    : { ...outcome, ...base, failure, endedAt };
}

function failedExit(failure: Failure, startedAt: string, endedAt?: string): JobExit {
  return {
    exitCode: null,
    signal: null,
    timedOut: false,
    failure,
    startedAt,
    endedAt: endedAt ?? new Date().toISOString(),
  };
}

/** The exit of a job that could not even be started. */
export function crashExit(message: string, startedAt: string): JobExit {
  return failedExit({ class: 'crash', message }, startedAt);
}

/** The exit of a job that ended unseen, without recording how. */
export function lostExit(message: string, startedAt: string, endedAt?: string): JobExit {
  return failedExit({ class: 'lost', message }, startedAt, endedAt);
}
