import { InputError } from '../../core/errors.js';

/**
 * What `sbatch` needs to run retort's calcs: the argv ({@link sbatchArgv}) and the batch script
 * ({@link batchScript}). Every piece of variable data travels as an sbatch option or a script
 * argument; the script text is static except for the user's `setup` lines (shell by design, e.g.
 * `module load xtb`), which go in verbatim, one per line.
 *
 * Three modes, each script taking absolute paths written by the executor:
 *
 * - `single`: one calc per job. Argument: the calc's run script.
 * - `array`: one calc per array task. Argument: a list file with one run-script path per line;
 *   task i runs line i + 1 ({@link arrayListText}).
 * - `packed`: one allocation runs many calcs, at most `concurrency` at once, through the
 *   {@link PACK_RUNNER}. Arguments: {@link packRunnerArgs}.
 *
 * A run script is run as `/bin/sh <path>` (another module writes them). The scripts first save
 * their arguments and clear them (`set --`) before the setup lines, because some environment
 * scripts sourced there read the positional parameters as their own options.
 */

export type BatchMode = 'single' | 'array' | 'packed';

export interface BatchRequest {
  readonly mode: BatchMode;
  readonly jobName: string;
  readonly partition?: string;
  readonly account?: string;
  readonly qos?: string;
  /** CPUs per task (single, array) or for the whole allocation (packed). */
  readonly cores: number;
  /** Memory per task (single, array) or for the whole allocation (packed), in MB. */
  readonly memoryMb?: number;
  /** The job's (each task's) time limit; sbatch gets whole minutes, rounded up. */
  readonly timeLimitS: number;
  /** Absolute directory for SLURM's output files, `slurm-<job>.out` / `slurm-<array>_<task>.out`. */
  readonly outputDir: string;
  /** The job's working directory. */
  readonly workDir: string;
  /** The user's shell lines, run before the calc(s); no NUL or newline inside a line. */
  readonly setup: readonly string[];
  /** User-configured sbatch options, passed as they are (e.g. `--constraint=x`). */
  readonly extraArgs: readonly string[];
  /** Array mode: the number of tasks, 0 … arrayTasks − 1. */
  readonly arrayTasks?: number;
  /** Array mode: at most this many tasks at once (`--array=…%N`). */
  readonly arrayParallel?: number;
}

/** Seconds as SLURM minutes for `--time`: rounded up, at least 1. */
export function slurmMinutes(seconds: number): number {
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new InputError(
      undefined,
      `time limit must be a positive number of seconds, not ${seconds}`,
    );
  }
  return Math.max(1, Math.ceil(seconds / 60));
}

/** Throws when `text` (a path or a line, named `what` in the message) contains a newline or NUL. */
export function assertNoNewline(text: string, what: string): void {
  if (/[\n\r\0]/.test(text)) {
    throw new InputError(
      undefined,
      `${what} contains a newline or NUL character: ${JSON.stringify(text)}`,
    );
  }
}

/**
 * The full sbatch command line: `sbatch --parsable --job-name=… --output=… --chdir=… --time=…`,
 * the CPU request (`--cpus-per-task=N`; packed: `--ntasks=1 --cpus-per-task=N`), then when set
 * `--mem=NM`, `--partition=`, `--account=`, `--qos=`, for arrays `--array=0-(n−1)[%p]`, the
 * user's `extraArgs`, the script and its arguments.
 */
export function sbatchArgv(
  req: BatchRequest,
  scriptPath: string,
  scriptArgs: readonly string[],
): string[] {
  assertNoNewline(req.jobName, 'the job name');
  assertNoNewline(req.workDir, 'the working directory');
  assertNoNewline(req.outputDir, 'the output directory');
  if (!req.outputDir.startsWith('/')) {
    throw new InputError(undefined, `the output directory must be absolute: ${req.outputDir}`);
  }
  if (req.outputDir.includes('%')) {
    // sbatch would read it as a filename pattern, and "\" would disable %j as well
    throw new InputError(undefined, `the output directory must not contain "%": ${req.outputDir}`);
  }
  const outputDir = req.outputDir.replace(/\/+$/, '');
  const output = req.mode === 'array' ? 'slurm-%A_%a.out' : 'slurm-%j.out';
  const argv = [
    'sbatch',
    '--parsable',
    `--job-name=${req.jobName}`,
    `--output=${outputDir}/${output}`,
    `--chdir=${req.workDir}`,
    `--time=${slurmMinutes(req.timeLimitS)}`,
  ];
  const cores = positiveInteger(req.cores, 'cores');
  if (req.mode === 'packed') argv.push('--ntasks=1');
  argv.push(`--cpus-per-task=${cores}`);
  if (req.memoryMb !== undefined) {
    if (!(req.memoryMb > 0))
      throw new InputError(undefined, `memoryMb must be positive, not ${req.memoryMb}`);
    argv.push(`--mem=${Math.ceil(req.memoryMb)}M`);
  }
  if (req.partition !== undefined) argv.push(`--partition=${req.partition}`);
  if (req.account !== undefined) argv.push(`--account=${req.account}`);
  if (req.qos !== undefined) argv.push(`--qos=${req.qos}`);
  if (req.mode === 'array') {
    const tasks = positiveInteger(req.arrayTasks ?? 0, 'arrayTasks');
    const throttle =
      req.arrayParallel === undefined
        ? ''
        : `%${positiveInteger(req.arrayParallel, 'arrayParallel')}`;
    argv.push(`--array=0-${tasks - 1}${throttle}`);
  }
  argv.push(...req.extraArgs, scriptPath, ...scriptArgs);
  return argv;
}

/** The batch script for `mode`: `#!/bin/sh`, the saved arguments, the setup lines, the body. */
export function batchScript(mode: BatchMode, setup: readonly string[]): string {
  setup.forEach((line, i) => {
    assertNoNewline(line, `setup line ${i + 1}`);
  });
  const setupText = setup.map((line) => `${line}\n`).join('');
  return `#!/bin/sh\n${PROLOGUE[mode]}set --\n${setupText}${BODY[mode]}`;
}

/** The arguments of the packed script (see {@link PACK_RUNNER}). */
export function packRunnerArgs(
  listPath: string,
  concurrency: number,
  timeLimitS: number,
  marginS: number,
  killGraceS: number,
): string[] {
  assertNoNewline(listPath, 'the list file path');
  return [
    listPath,
    String(positiveInteger(concurrency, 'concurrency')),
    String(Math.floor(timeLimitS)),
    String(Math.ceil(Math.max(0, marginS))),
    String(Math.ceil(Math.max(0, killGraceS))),
  ];
}

/** An array job's list file: one run-script path per line, task i on line i + 1. */
export function arrayListText(paths: readonly string[]): string {
  return paths.map((path) => checkedPath(path)).join('');
}

/** A packed job's list file: `<walltime_s> <run-script path>` per line, walltime rounded up. */
export function packListText(
  entries: readonly { readonly walltimeS: number; readonly path: string }[],
): string {
  return entries
    .map(({ walltimeS, path }) => `${Math.ceil(Math.max(0, walltimeS))} ${checkedPath(path)}`)
    .join('');
}

/** Names of the files the pack runner reads and writes next to its list file. */
export const PACK_SKIPPED_FILE = 'skipped';
export const PACK_CANCELLED_FILE = 'cancelled';
export const PACK_STOP_FILE = 'STOP';
/** The directory of cancel requests next to the list file: `cancel/<index>`. */
export const PACK_CANCEL_DIR = 'cancel';

/** The run-script paths in a `skipped` or `cancelled` file. */
export function parseSkipped(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

/**
 * The pack runner (POSIX sh; dash, bash and busybox sh). Expects `retort_t0` (the epoch second
 * the script started), `retort_list`, `retort_slots`, `retort_limit`, `retort_margin` and
 * `retort_grace`.
 *
 * It reads the list file, one calc per line, `<walltime_s> <run-script path>` (the path is the
 * rest of the line: spaces allowed; a fractional walltime counts as the next whole second; a
 * line whose walltime is not a number is reported on stderr and its path listed in `skipped`),
 * and starts each as `/bin/sh <path>` in its own process group (setsid), at most `retort_slots`
 * at once. A calc is not started, and its path is
 * appended to `skipped` next to the list file, when the time left in the allocation
 * (limit − seconds since the script started) is less than its walltime + margin, or once a file
 * `STOP` exists next to the list file, or once the runner got TERM (or INT). `skipped` is created
 * empty at start: its presence means the runner ran; its lines are calcs that never started.
 *
 * Cancelling one calc: the file `cancel/<index>` next to the list file (index: the calc's line,
 * counted from 0; its content does not matter) asks the runner to end that calc alone. A calc
 * not started yet is never started: its path goes to `cancelled` (created empty at start, like
 * `skipped`, and never listed in both). A started one gets TERM, sent to the process group of
 * its calc wrapper (the pid in `pid` next to its run script, `.retort/pid`; GNU `timeout` in the
 * run script leads a group of its own), and once `retort_grace` seconds have passed and its run
 * script still runs, KILL to that group and to the run script's own; a run script whose wrapper
 * never wrote its pid gets KILL after `retort_grace` seconds. The other calcs go on.
 *
 * Slots are counted, and cancel requests looked for, by polling the started pids every 0.1 s
 * with `kill -0` (`jobs -p` in a command substitution runs in a subshell in dash and lists
 * nothing; dash has no `wait -n`), also after the last line was read, until every started calc
 * has ended; a sleep that takes no fractions falls back to 1 s. Polling every second cost 0.5 s
 * per calc on average: bench/slurm-submit's packed run of 0.5 s calcs took 2.1× the local wall
 * time. On TERM the runner sends
 * TERM to every running calc's process group, then waits for all of them to end (their calc
 * wrappers record exit markers) and exits 143; otherwise it exits 0 after the last calc ended.
 */
export const PACK_RUNNER = `retort_dir=$(dirname "$retort_list")
retort_skipped=$retort_dir/${PACK_SKIPPED_FILE}
retort_cancelled=$retort_dir/${PACK_CANCELLED_FILE}
retort_stopfile=$retort_dir/${PACK_STOP_FILE}
retort_requests=$retort_dir/${PACK_CANCEL_DIR}
for retort_n in "$retort_slots" "$retort_limit" "$retort_margin" "$retort_grace"; do
  case $retort_n in '' | *[!0-9]*) echo "retort pack runner: bad arguments" >&2; exit 2 ;; esac
done
[ "$retort_slots" -gt 0 ] || { echo "retort pack runner: concurrency must be > 0" >&2; exit 2; }
: >"$retort_skipped" || exit 1
: >"$retort_cancelled" || exit 1
retort_setsid=
if command -v setsid >/dev/null 2>&1; then retort_setsid=setsid; fi
# the started calcs still alive, as words <pid>:<line index>
retort_pids=
retort_term=0
retort_stopped=0

retort_on_term() {
  retort_term=1
  for retort_e in $retort_pids; do
    retort_p=\${retort_e%%:*}
    kill -TERM -"$retort_p" 2>/dev/null || kill -TERM "$retort_p" 2>/dev/null
  done
}
trap retort_on_term TERM INT

# prints the process group of pid $1 (Linux /proc), nothing when there is no such process
retort_pgid() {
  case $1 in '' | *[!0-9]*) return ;; esac
  [ -r "/proc/$1/stat" ] && sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d ' ' -f 3
}
retort_self=$(retort_pgid $$)

# obeys the cancel request of the started calc with pid $1 on line $2 (see the contract)
retort_cancel() {
  retort_now=$(date +%s)
  eval "retort_since=\\\${retort_since_$2:-} retort_g=\\\${retort_group_$2:-}"
  if [ -z "$retort_since" ]; then
    retort_since=$retort_now
    eval "retort_since_$2=\\$retort_now"
  fi
  if [ -z "$retort_g" ]; then
    eval "retort_r=\\$retort_run_$2"
    retort_g=$(retort_pgid "$(head -n 1 "$(dirname "$retort_r")/pid" 2>/dev/null)")
    if [ -n "$retort_g" ] && [ "$retort_g" != "$retort_self" ]; then
      kill -TERM -"$retort_g" 2>/dev/null
      eval "retort_group_$2=\\$retort_g retort_since_$2=\\$retort_now"
      return
    fi
    retort_g=
  fi
  if [ $((retort_now - retort_since)) -ge "$retort_grace" ]; then
    if [ -n "$retort_g" ]; then kill -KILL -"$retort_g" 2>/dev/null; fi
    kill -KILL -"$1" 2>/dev/null || kill -KILL "$1" 2>/dev/null
  fi
}

# keeps the started calcs still alive in retort_pids and their number in retort_n, and obeys
# the cancel requests of those
retort_count() {
  retort_alive=
  retort_n=0
  retort_asked=0
  if [ -d "$retort_requests" ]; then retort_asked=1; fi
  for retort_e in $retort_pids; do
    retort_p=\${retort_e%%:*}
    if kill -0 "$retort_p" 2>/dev/null; then
      retort_alive="$retort_alive $retort_e"
      retort_n=$((retort_n + 1))
      if [ "$retort_asked" = 1 ] && [ -e "$retort_requests/\${retort_e#*:}" ]; then
        retort_cancel "$retort_p" "\${retort_e#*:}"
      fi
    fi
  done
  retort_pids=$retort_alive
}

retort_line=
retort_i=-1
while IFS= read -r retort_line <&3 || [ -n "$retort_line" ]; do
  retort_i=$((retort_i + 1))
  retort_wall=\${retort_line%% *}
  retort_run=\${retort_line#* }
  retort_line=
  if [ "$retort_run" = "$retort_wall" ]; then
    echo "retort pack runner: bad line: $retort_wall" >&2
    continue
  fi
  case $retort_wall in
    '' | .* | *[!0-9.]* | *.*.*)
      echo "retort pack runner: bad walltime on line: $retort_wall $retort_run" >&2
      printf '%s\\n' "$retort_run" >>"$retort_skipped"
      continue
      ;;
  esac
  # whole seconds, a fraction rounded up
  retort_int=\${retort_wall%%.*}
  case $retort_wall in *.*) retort_int=$((retort_int + 1)) ;; esac
  retort_wall=$retort_int
  if [ "$retort_stopped" = 0 ]; then
    while retort_count; [ "$retort_n" -ge "$retort_slots" ] && [ "$retort_term" = 0 ]; do
      sleep 0.1 2>/dev/null || sleep 1
    done
    if [ "$retort_term" = 1 ] || [ -e "$retort_stopfile" ]; then retort_stopped=1; fi
  fi
  if [ -e "$retort_requests/$retort_i" ]; then
    printf '%s\\n' "$retort_run" >>"$retort_cancelled"
    continue
  fi
  retort_left=$((retort_limit - ($(date +%s) - retort_t0)))
  if [ "$retort_stopped" = 1 ] || [ "$retort_left" -lt $((retort_wall + retort_margin)) ]; then
    printf '%s\\n' "$retort_run" >>"$retort_skipped"
    continue
  fi
  $retort_setsid /bin/sh "$retort_run" </dev/null 3<&- &
  retort_pids="$retort_pids $!:$retort_i"
  eval "retort_run_$retort_i=\\$retort_run"
  # a TERM that came between the start and the line above has not reached this calc
  if [ "$retort_term" = 1 ]; then retort_on_term; fi
done 3<"$retort_list"

# a cancel request that comes after the last line was read is obeyed too
while retort_count; [ "$retort_n" -gt 0 ]; do
  sleep 0.1 2>/dev/null || sleep 1
done
if [ "$retort_term" = 1 ]; then exit 143; fi
exit 0
`;

const PROLOGUE: Record<BatchMode, string> = {
  single: 'retort_run=$1\n',
  array: 'retort_list=$1\n',
  packed:
    'retort_t0=$(date +%s)\nretort_list=$1\nretort_slots=$2\nretort_limit=$3\nretort_margin=$4\nretort_grace=$5\n',
};

const BODY: Record<BatchMode, string> = {
  single: 'exec /bin/sh "$retort_run"\n',
  array: `retort_line=$((\${SLURM_ARRAY_TASK_ID:?} + 1))
retort_run=$(sed -n "\${retort_line}p" "$retort_list")
if [ -z "$retort_run" ]; then
  echo "retort: no run script on line $retort_line of $retort_list" >&2
  exit 2
fi
exec /bin/sh "$retort_run"
`,
  packed: PACK_RUNNER,
};

function checkedPath(path: string): string {
  assertNoNewline(path, 'a run-script path');
  return `${path}\n`;
}

function positiveInteger(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new InputError(undefined, `${what} must be a positive integer, not ${value}`);
  }
  return value;
}
