import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { sep } from 'node:path';
import { isCalcWrapperFor } from '../calc-wrapper.js';

/**
 * Finding and watching wrapper processes through /proc. A pid alone proves nothing (pids are
 * reused), so a process is ours only when its command line is the wrapper of that very calc
 * directory, and it stays the same process only while its start time does not change.
 */

/** A process, identified beyond its pid. */
export interface ProcessIdentity {
  readonly pid: number;
  /** Start time in clock ticks since boot (/proc/<pid>/stat field 22). */
  readonly startTicks: string;
}

interface ProcStat {
  readonly state: string;
  readonly pgrp: string;
  readonly startTicks: string;
}

function readProcFile(pid: number, name: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${name}`, 'latin1');
  } catch {
    return undefined;
  }
}

function readStat(pid: number): ProcStat | undefined {
  const text = readProcFile(pid, 'stat');
  if (text === undefined) return undefined;
  // The command name (field 2) is in parentheses and may itself contain spaces and parentheses.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const pgrp = fields[2];
  const startTicks = fields[19];
  if (state === undefined || pgrp === undefined || startTicks === undefined) return undefined;
  return { state, pgrp, startTicks };
}

/** A zombie has ended; it only waits for its parent (which may never come) to reap it. */
function isRunning(stat: ProcStat): boolean {
  return stat.state !== 'Z' && stat.state !== 'X' && stat.state !== 'x';
}

export function readCmdline(pid: number): string[] | undefined {
  const raw = readProcFile(pid, 'cmdline');
  if (raw === undefined || raw === '') return undefined;
  const args = Buffer.from(raw, 'latin1').toString('utf8').split('\0');
  if (args.at(-1) === '') args.pop();
  return args;
}

/** The process `pid` if it is alive and is the wrapper of `workdir`; otherwise undefined. */
export function identifyWrapper(pid: number, workdir: string): ProcessIdentity | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const before = readStat(pid);
  if (before === undefined || !isRunning(before)) return undefined;
  const args = readCmdline(pid);
  if (args === undefined || !isCalcWrapperFor(args, workdir)) return undefined;
  // The pid may have been reused between the two reads.
  const after = readStat(pid);
  if (after?.startTicks !== before.startTicks) return undefined;
  return { pid, startTicks: before.startTicks };
}

/** Whether the identified process is still running (not ended, not replaced by another). */
export function isStillRunning(identity: ProcessIdentity): boolean {
  const stat = readStat(identity.pid);
  return stat !== undefined && isRunning(stat) && stat.startTicks === identity.startTicks;
}

/** Every pid in /proc. */
export function listPids(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (/^\d+$/.test(name)) pids.push(Number(name));
  }
  return pids;
}

/** Scans all processes for the live wrapper of `workdir` (when its pid was never recorded). */
export function findWrapper(workdir: string): ProcessIdentity | undefined {
  for (const pid of listPids()) {
    const identity = identifyWrapper(pid, workdir);
    if (identity !== undefined) return identity;
  }
  return undefined;
}

function cwdOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return undefined;
  }
}

/**
 * Live processes left in the group of a wrapper that has ended (`prog &`) while nobody watched.
 * The group id alone could have been reused since, so only members working inside the calc
 * directory count.
 */
export function findLeftovers(pgid: number, workdir: string): number[] {
  const group = String(pgid);
  return listPids().filter((pid) => {
    const stat = readStat(pid);
    if (stat?.pgrp !== group || !isRunning(stat)) return false;
    const cwd = cwdOf(pid);
    return cwd !== undefined && (cwd === workdir || cwd.startsWith(workdir + sep));
  });
}
