import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** A live process, as the orphan check reports it. */
export interface LiveProcess {
  readonly pid: number;
  readonly cmdline: string;
  readonly cwd: string;
}

function readOrUndefined(read: () => string): string | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/**
 * Live processes (zombies excluded: they have ended) whose command line contains `marker`, or
 * whose working directory is inside it. Tests pass their unique temp directory: a calc's
 * wrapper names its workdir, and whatever a calc forks works inside it.
 */
export function processesMatching(marker: string): LiveProcess[] {
  const found: LiveProcess[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    const stat = readOrUndefined(() => readFileSync(`/proc/${name}/stat`, 'latin1'));
    if (stat === undefined) continue;
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') continue;
    const cmdline = (
      readOrUndefined(() => readFileSync(`/proc/${name}/cmdline`, 'utf8')) ?? ''
    ).replaceAll('\0', ' ');
    const cwd = readOrUndefined(() => readlinkSync(`/proc/${name}/cwd`)) ?? '';
    if (cmdline.includes(marker) || cwd === marker || cwd.startsWith(`${marker}/`)) {
      found.push({ pid, cmdline, cwd });
    }
  }
  return found;
}

/**
 * The processes still matching `marker` once those already killed have had time to go
 * (a SIGKILL is delivered at once, but a process takes a moment to end). Meant for
 * `expect(await survivors(dir)).toEqual([])` in afterEach: no orphan may survive any test.
 */
export async function survivors(marker: string, patienceMs = 5000): Promise<LiveProcess[]> {
  const deadline = Date.now() + patienceMs;
  for (;;) {
    const found = processesMatching(marker);
    if (found.length === 0 || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Kills what `survivors` found, so that one failing test does not leak into the others. */
export function killAll(processes: readonly LiveProcess[]): void {
  for (const { pid } of processes) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
