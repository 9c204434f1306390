import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { campaignPaths } from '../../core/campaign-layout.js';
import { errorMessage } from '../../core/errors.js';
import { cancelCalcs } from '../../runtime/control/cancel-calcs.js';
import type { StatusSnapshot } from '../../runtime/control/status-file.js';
import { requestStop } from '../../runtime/control/stop-request.js';
import { lockHolderAlive } from '../../runtime/runner-lock.js';

/**
 * What the terminal UI can do to a campaign. It never writes the store itself (the runner owns
 * it): a stop is the STOP file, a cancel a request file (or, with no runner alive, a queued
 * calc marked under the runner lock), everything else is a `retort` command in a new process —
 * detached for runs, so that closing the UI does not end them. Each returns the line the UI
 * shows.
 */
export interface TuiActions {
  /** Graceful (`drain`) or immediate (`now`) stop of the live runner. */
  stop(mode: 'drain' | 'now'): string;
  /** Starts the last run's command again, detached and headless, `extra` arguments added. */
  relaunch(run: StatusSnapshot, extra: readonly string[]): string;
  /** Runs `retort ...args` to its end and reports its output's last line. */
  command(args: readonly string[]): Promise<string>;
  /** Starts `retort ...args` detached and headless (a batch run). */
  detached(args: readonly string[]): string;
  /** Cancels one calc (runtime/control/cancel-calcs.ts): the line saying what happens to it. */
  cancel(key: string): string;
  /** `retort hosts check NAME`, line by line. */
  checkHost(name: string, onLine: (line: string) => void, onDone: (ok: boolean) => void): void;
}

/** The actions on the campaign at `root`, running this same retort (`bin` is its script). */
export function campaignActions(root: string, bin: string): TuiActions {
  const paths = campaignPaths(root);
  const retort = (args: readonly string[]): string[] => [bin, '--campaign', root, ...args];
  const launch = (args: readonly string[], cwd: string): string => {
    mkdirSync(paths.logs, { recursive: true });
    const out = join(
      paths.logs,
      `tui-launch-${new Date().toISOString().replace(/[:.]/g, '-')}.out`,
    );
    const fd = openSync(out, 'a');
    try {
      const child = spawn(process.execPath, retort(args), {
        cwd,
        detached: true,
        stdio: ['ignore', fd, fd],
      });
      child.unref();
      return `started retort ${args.join(' ')} (pid ${child.pid ?? '?'}; output in ${out})`;
    } finally {
      closeSync(fd);
    }
  };
  return {
    stop(mode) {
      const holder = lockHolderAlive(paths.lock);
      if (holder === undefined) return 'no runner is running; nothing to stop';
      const asked = requestStop(
        paths.stop,
        `stop requested from the terminal UI (pid ${process.pid}) at ${new Date().toISOString()}`,
        mode,
      );
      if (!asked) return `a stop is already requested; runner pid ${holder.pid} is finishing`;
      return mode === 'now'
        ? `stop now requested: runner pid ${holder.pid} kills its running calcs and requeues them`
        : `stop requested: runner pid ${holder.pid} finishes its running calcs, starts nothing new`;
    },
    relaunch(run, extra) {
      if (lockHolderAlive(paths.lock) !== undefined) return 'a runner is already running';
      const again = run.relaunch;
      if (again === undefined)
        return `the last run (${run.command}) did not record how to start it again`;
      const args = without(again.argv, ['--campaign', '-C']);
      const headless = args.includes('--headless') ? [] : ['--headless'];
      return launch([...args, ...headless, ...extra.filter((a) => !args.includes(a))], again.cwd);
    },
    command(args) {
      return new Promise((resolve) => {
        const child = spawn(process.execPath, retort(args), { stdio: ['ignore', 'pipe', 'pipe'] });
        let text = '';
        child.stdout.on('data', (d: Buffer) => (text += d.toString()));
        child.stderr.on('data', (d: Buffer) => (text += d.toString()));
        child.on('close', () => {
          resolve(text.trim().split('\n').at(-1) ?? '');
        });
      });
    },
    detached(args) {
      return launch([...args, '--headless'], root);
    },
    cancel(key) {
      try {
        return cancelCalcs(root, [key], 'the terminal UI').join('; ');
      } catch (error) {
        return errorMessage(error);
      }
    },
    checkHost(name, onLine, onDone) {
      const child = spawn(process.execPath, retort(['hosts', 'check', name]), {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let rest = '';
      const take = (d: Buffer): void => {
        const lines = (rest + d.toString()).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) onLine(line);
      };
      child.stdout.on('data', take);
      child.stderr.on('data', take);
      child.on('close', (code) => {
        if (rest !== '') onLine(rest);
        onDone(code === 0);
      });
    },
  };
}

/** argv without a global option that takes a value (the UI passes its own --campaign). */
function without(argv: readonly string[], names: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (names.includes(arg)) i++;
    else if (!names.some((n) => arg.startsWith(`${n}=`))) out.push(arg);
  }
  return out;
}
