import { InfrastructureError, InputError } from '../../core/errors.js';
import { CALC_WRAPPER_NAME, calcWrapperScript } from '../calc-wrapper.js';
import { shellCommand, shellQuote } from './shell-quote.js';

/**
 * The shell the remote side runs, for the ssh and slurm executors. Two kinds:
 *
 * - `runScript(…)` writes `<calc dir>/.retort/run.sh`, the one file per calc that holds its
 *   data (directory, stdin, argv, environment), every word of it through `shellQuote`. It runs
 *   the same calc wrapper as the local executor, optionally under GNU `timeout` (walltime with
 *   TERM, KILL after the grace period), and leaves `.retort/timeout` when the walltime stopped it.
 * - `LAUNCH`, `POLL` and `SIGNAL` are static scripts run as `sh -c SCRIPT NAME args…`: they
 *   never contain data, so they are the same bytes on every call.
 *
 * Files of `<calc dir>/.retort/` beyond the wrapper's `pid` and `exit` markers:
 *   run.sh      the calc's script
 *   launched    a directory made atomically by LAUNCH: a second launch of the same calc (after a
 *               dropped connection) sees it and starts nothing
 *   launcher    the pid of the process LAUNCH started (the run script, later the wrapper), so
 *               that a launch that died before the wrapper wrote its pid is told from a slow one
 *   timeout     the walltime in seconds, written when `timeout` stopped the calc
 *   runner      the pid of a run script that enforces the walltime: it is still deciding
 *               whether to write `timeout` after the wrapper wrote `exit`, so POLL takes the
 *               exit marker as final only once that script has ended
 */
export const RUN_SCRIPT = 'run.sh';
export const TIMEOUT_FILE = 'timeout';
const RUNNER_FILE = 'runner';
const LAUNCHER_FILE = 'launcher';

export interface RunScriptOptions {
  /** The calc directory where it runs (absolute, on the remote side). */
  readonly dir: string;
  readonly stdin: string | undefined;
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Enforce the walltime here (ssh, packed SLURM jobs); SLURM's own limit otherwise. */
  readonly walltime?: { readonly seconds: number; readonly graceS: number };
  /** The host's setup lines, run by the wrapper before the program (calc-wrapper.ts). */
  readonly setup?: readonly string[];
}

export function runScript(options: RunScriptOptions): string {
  const envWords = Object.entries(options.env).map(([name, value]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new InputError('env', `"${name}" is not a valid environment variable name`);
    }
    return `${name}=${value}`;
  });
  const wrapper = [
    '/bin/sh',
    '-c',
    calcWrapperScript(options.setup),
    CALC_WRAPPER_NAME,
    options.dir,
    options.stdin ?? '',
    ...options.argv,
  ];
  const limit =
    options.walltime === undefined
      ? []
      : ['timeout', '-k', String(options.walltime.graceS), String(options.walltime.seconds)];
  const command = shellCommand(['env', ...envWords, ...limit, ...wrapper]);
  const lines = ['#!/bin/sh', '# written by retort: runs one calc in this directory', ''];
  lines.push(`cd ${shellQuote(options.dir)} || exit 126`);
  if (options.walltime === undefined) {
    lines.push(`exec ${command}`);
  } else {
    // 124: timeout sent TERM at the walltime; 137: it had to KILL after the grace period. A
    // program killed by someone else also gives 137, hence the elapsed-time check.
    lines.push(
      `echo $$ >.retort/${RUNNER_FILE}`,
      'start=$(date +%s)',
      command,
      'status=$?',
      `if { [ $status = 124 ] || [ $status = 137 ]; } && [ $(($(date +%s) - start)) -ge ${String(options.walltime.seconds)} ]; then`,
      `  echo ${String(options.walltime.seconds)} >.retort/${TIMEOUT_FILE}`,
      'fi',
      'exit $status',
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `sh -c LAUNCH retort-launch DIR`: starts `DIR/.retort/run.sh` in a session of its own
 * (setsid, stdio on /dev/null, reparented at once by a subshell that exits: it outlives the
 * connection and sshd itself, and does not hold the channel open), once only, records its pid
 * in `launcher`, waits up to 5 s for the wrapper's pid file and prints its content. Exit 0 with
 * an empty output means the run script started but the wrapper has not written its pid yet (it
 * will be seen by POLL). A connection lost during the launch can kill it before the wrapper
 * starts (sshd hangs up the session; measured with an sshd killed mid-run: the calc stayed
 * `launched` for good and the run waited for it); POLL then says `dead`.
 */
export const LAUNCH = `d=$1
if mkdir "$d/.retort/launched" 2>/dev/null; then
  (setsid /bin/sh "$d/.retort/${RUN_SCRIPT}" </dev/null >/dev/null 2>&1 & echo $! >"$d/.retort/${LAUNCHER_FILE}")
fi
i=0
while [ ! -s "$d/.retort/pid" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
head -n 1 "$d/.retort/pid" 2>/dev/null
exit 0
`;

/**
 * `sh -c POLL retort-poll DIR…`: one line per directory, in order:
 *
 *   `exit STATUS T`  the wrapper recorded STATUS (T = 1 when `timeout` stopped it, else 0)
 *   `alive PID`      the wrapper is running (its pid's command line names this directory), or
 *                    it has recorded its status but the run script enforcing the walltime (PID)
 *                    has not yet said whether `timeout` stopped it
 *                    (measured: on a loaded machine POLL saw `exit 143 0` in that gap)
 *   `dead`           it started (pid file) but is gone without an exit marker, or its launch
 *                    died before the wrapper wrote its pid (the launcher is gone, or was never
 *                    recorded and the launch is more than 2 minutes old)
 *   `launched`       the launch happened and the wrapper has not written its pid yet
 *   `none`           it never started: nothing here (or no directory at all)
 *
 * An exit marker counts only when complete (its trailing newline written). The marker is read
 * again after a dead pid, because the wrapper may have ended between the two looks.
 */
export const POLL = `runner() {
  r=$(head -n 1 "$1/.retort/${RUNNER_FILE}" 2>/dev/null)
  [ -n "$r" ] && [ -r "/proc/$r/cmdline" ] && tr '\\000' '\\n' <"/proc/$r/cmdline" | grep -qxF -- "$1/.retort/${RUN_SCRIPT}"
}
marker() {
  [ -f "$1/.retort/exit" ] && [ "$(wc -l <"$1/.retort/exit")" -ge 1 ] || return 1
  if runner "$1"; then echo "alive $r"; return 0; fi
  t=0; [ -f "$1/.retort/${TIMEOUT_FILE}" ] && t=1
  echo "exit $(head -n 1 "$1/.retort/exit") $t"
}
started() {
  pid=$(head -n 1 "$1/.retort/pid")
  if [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\\000' '\\n' <"/proc/$pid/cmdline" | grep -qxF -- "$1"; then
    echo "alive $pid"
  elif ! marker "$1"; then
    echo dead
  fi
}
launching() {
  l=$(head -n 1 "$1/.retort/${LAUNCHER_FILE}" 2>/dev/null)
  if [ -n "$l" ]; then
    [ -r "/proc/$l/cmdline" ] && tr '\\000' '\\n' <"/proc/$l/cmdline" | grep -qxF -e "$1" -e "$1/.retort/${RUN_SCRIPT}"
  else
    [ -z "$(find "$1/.retort/launched" -prune -mmin +2 2>/dev/null)" ]
  fi
}
for d; do
  if marker "$d"; then continue; fi
  if [ ! -f "$d/.retort/pid" ]; then
    if [ ! -d "$d/.retort/launched" ]; then echo none; continue; fi
    if launching "$d"; then echo launched; continue; fi
    # The launcher is gone: look once more at what it may have left before saying dead.
    if marker "$d"; then continue; fi
    if [ ! -f "$d/.retort/pid" ]; then echo dead; continue; fi
  fi
  started "$d"
done
`;

/**
 * `sh -c SIGNAL retort-signal SIG DIR…`: sends SIG (TERM, KILL) to the process group of each
 * directory's wrapper, only while that pid is still this directory's wrapper.
 */
export const SIGNAL = `sig=$1; shift
for d; do
  pid=$(head -n 1 "$d/.retort/pid" 2>/dev/null) || continue
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || continue
  tr '\\000' '\\n' <"/proc/$pid/cmdline" | grep -qxF -- "$d" || continue
  pgid=$(sed 's/.*) //' "/proc/$pid/stat" | cut -d ' ' -f 3)
  kill -s "$sig" -- "-$pgid" 2>/dev/null || kill -s "$sig" "$pid" 2>/dev/null
done
exit 0
`;

/** What POLL said about one directory. */
export type RemoteState =
  | { readonly kind: 'exit'; readonly status: number; readonly timedOut: boolean }
  | { readonly kind: 'alive'; readonly pid: number }
  | { readonly kind: 'dead' }
  | { readonly kind: 'launched' }
  | { readonly kind: 'none' };

/** Parses POLL's output for `count` directories; throws when it is not that. */
export function parsePoll(stdout: string, count: number): RemoteState[] {
  const lines = stdout.split('\n').filter((line) => line !== '');
  if (lines.length !== count) {
    throw new InfrastructureError(
      `the remote status check printed ${String(lines.length)} lines for ${String(count)} calcs`,
      { retryable: false },
    );
  }
  return lines.map((line) => {
    const words = line.split(' ');
    switch (words[0]) {
      case 'exit': {
        const status = Number(words[1]);
        if (!Number.isInteger(status) || status < 0 || status > 255) {
          throw new InfrastructureError(
            `unexpected exit marker in the remote status check: "${line}"`,
            { retryable: false },
          );
        }
        return { kind: 'exit', status, timedOut: words[2] === '1' };
      }
      case 'alive':
        return { kind: 'alive', pid: Number(words[1]) };
      case 'dead':
      case 'launched':
      case 'none':
        return { kind: words[0] };
      default:
        throw new InfrastructureError(`unexpected line in the remote status check: "${line}"`, {
          retryable: false,
        });
    }
  });
}

/** The argv that runs a static script with its arguments. */
export function scriptArgv(script: string, name: string, args: readonly string[]): string[] {
  return ['/bin/sh', '-c', script, name, ...args];
}
