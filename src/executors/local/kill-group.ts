/**
 * Signals to a whole process group. ESRCH (the group is gone) is not an error: ending a job
 * that has already ended is a no-op.
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/**
 * TERM to the group now, KILL after `graceMs` (a program that ignores TERM, or takes too long
 * to stop). Returns a function that cancels the pending KILL, for when the job ended in time.
 */
export function terminateGroup(pgid: number, graceMs: number): () => void {
  signalGroup(pgid, 'SIGTERM');
  const timer = setTimeout(() => {
    signalGroup(pgid, 'SIGKILL');
  }, graceMs);
  return () => {
    clearTimeout(timer);
  };
}
