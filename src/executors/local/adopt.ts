import { statSync } from 'node:fs';
import { programOf, type JobExit } from '../../core/job-spec.js';
import type { ExecutorJob, JobHandle } from '../executor.js';
import { exitMarkerPath, readExitStatus, readPidFile } from '../calc-dir/exit-marker.js';
import { jobExit, lostExit } from '../calc-dir/job-exit.js';
import {
  findLeftovers,
  findWrapper,
  identifyWrapper,
  type ProcessIdentity,
} from './process-alive.js';

/** What became of a calc whose runner went away. */
export type Inspection =
  | { readonly kind: 'alive'; readonly identity: ProcessIdentity; readonly startedAt: Date }
  | { readonly kind: 'ended'; readonly exit: JobExit }
  | { readonly kind: 'never-started' };

function numberField(handle: JobHandle | undefined, name: string): number | undefined {
  const value = handle?.[name];
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

function dateField(handle: JobHandle | undefined, name: string): Date | undefined {
  const value = handle?.[name];
  if (typeof value !== 'string') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function mtimeOf(path: string): string | undefined {
  try {
    return statSync(path).mtime.toISOString();
  } catch {
    return undefined;
  }
}

/**
 * Finds the calc's wrapper and decides: still running, ended (with what it recorded), or never
 * started. "Never started" is said only when nothing says otherwise: no handle pid, no pid file,
 * no exit marker and no live wrapper for this directory anywhere in /proc.
 */
export function inspectCalc(job: ExecutorJob, handle: JobHandle | undefined): Inspection {
  const { workdir } = job;
  const pidFile = readPidFile(workdir);
  const handlePid = numberField(handle, 'pid');
  const startedAt = dateField(handle, 'started_at') ?? pidFile?.writtenAt;

  const candidates = [handlePid, pidFile?.pid].filter((pid) => pid !== undefined);
  let identity: ProcessIdentity | undefined;
  for (const pid of new Set(candidates)) {
    identity ??= identifyWrapper(pid, workdir);
  }
  if (candidates.length === 0) identity = findWrapper(workdir);
  if (identity !== undefined) {
    return { kind: 'alive', identity, startedAt: startedAt ?? new Date() };
  }

  const status = readExitStatus(workdir);
  if (status === undefined && handlePid === undefined && pidFile === undefined) {
    return { kind: 'never-started' };
  }
  const pgid = numberField(handle, 'pgid') ?? handlePid ?? pidFile?.pid;
  if (pgid !== undefined) {
    for (const pid of findLeftovers(pgid, workdir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  }
  const started = (startedAt ?? new Date()).toISOString();
  const endedAt = mtimeOf(exitMarkerPath(workdir));
  if (status === undefined) {
    return {
      kind: 'ended',
      exit: lostExit('the calc process ended without recording its exit status', started, endedAt),
    };
  }
  const walltimeS = job.job.resources.walltime_s;
  // Killed by a signal once its walltime was over: the runner that stopped it died since.
  const ranMs = Date.parse(endedAt ?? new Date().toISOString()) - Date.parse(started);
  const timedOut = status > 128 && ranMs >= walltimeS * 1000;
  return {
    kind: 'ended',
    exit: jobExit(workdir, programOf(job.job.argv), {
      status,
      wrapperSignal: null,
      timedOut,
      cancelled: false,
      startedAt: started,
      walltimeS,
      ...(endedAt === undefined ? {} : { endedAt }),
    }),
  };
}
