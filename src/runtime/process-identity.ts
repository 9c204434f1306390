import { readFileSync } from 'node:fs';

/**
 * The start time of a process (clock ticks since boot, from /proc/<pid>/stat), or undefined when
 * the process does not exist or /proc is not there. A pid plus its start time names a process
 * for good: a recycled pid has another start time.
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19];
  } catch {
    return undefined;
  }
}

/** Whether the process that had this pid and start time still runs. */
export function isSameProcessAlive(pid: number, startTime: string | undefined): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  if (startTime === undefined) return true;
  const now = processStartTime(pid);
  return now === undefined ? true : now === startTime;
}
