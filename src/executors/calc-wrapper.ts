import { InputError } from '../core/errors.js';

/**
 * The calc wrapper: a static POSIX sh script that runs one calc in its directory and records
 * how it ended. Every executor runs the same script (locally, on an ssh host, in a SLURM job),
 * always as
 *
 *     /bin/sh -c CALC_WRAPPER retort-calc <workdir> <stdin file or ''> <argv...>
 *
 * so the script never contains user data: workdir, stdin and argv are positional parameters.
 *
 * Files it writes in `<workdir>/.retort/` (the directory must exist before it starts):
 *
 * - `pid`: the wrapper's pid and a newline, written before the program starts. Its presence means
 *   "the program may have started"; its mtime is the start time.
 * - `exit`: the program's exit status (decimal, 128 + n when killed by signal n, 127 when the
 *   program was not found) and a newline, written after the program ended. A marker without the
 *   trailing newline is a torn write and is not a marker.
 *
 * The program gets stdin from the named file (relative to workdir) or /dev/null, and writes
 * `stdout` and `stderr` in workdir. The wrapper traps TERM, INT and HUP with a no-op handler (an
 * ignored signal would be inherited by the program): a TERM to the process group ends the
 * program while the wrapper stays to record its status. The script uses builtins only, so it
 * costs one fork of the shell, not one per step.
 */
const WRAPPER_HEAD = `cd "$1" || exit 126
echo $$ >.retort/pid || exit 126
in=\${2:-/dev/null}
shift 2
`;
const WRAPPER_TAIL = `trap : TERM INT HUP
"$@" >stdout 2>stderr <"$in"
status=$?
echo $status >.retort/exit
exit $status
`;
export const CALC_WRAPPER = WRAPPER_HEAD + WRAPPER_TAIL;

/** What the setup lines printed, in the bookkeeping directory. */
export const SETUP_OUTPUT_FILE = 'setup.out';

/**
 * The wrapper with the user's setup lines (retort.yaml `setup:`, a host's `setup:`: shell by
 * design, `source /opt/crystal/cry23.bashrc`, `module load crystal`), run in the calc directory
 * before the program, in a function called without arguments (so a sourced script sees no
 * positional parameters of ours) whose variables and exports the program inherits; what they
 * print goes to `.retort/setup.out`. Without setup lines it is {@link CALC_WRAPPER}. The lines
 * are the user's own configuration, never calc data; argv stays positional parameters.
 */
export function calcWrapperScript(setup: readonly string[] = []): string {
  if (setup.length === 0) return CALC_WRAPPER;
  return `${WRAPPER_HEAD}${setupFunction(setup)}retort_setup >.retort/${SETUP_OUTPUT_FILE} 2>&1 </dev/null\n${WRAPPER_TAIL}`;
}

/** `retort_setup() { … }` holding the setup lines (each checked to be one line). */
function setupFunction(setup: readonly string[]): string {
  for (const line of setup) {
    if (/[\n\r\0]/.test(line)) {
      throw new InputError('setup', `a setup line is one line: ${JSON.stringify(line)}`);
    }
  }
  return `retort_setup() {\n${setup.map((line) => `${line}\n`).join('')}:\n}\n`;
}

/**
 * The argv that runs a short command (a version probe, `command -v`) in the temp directory
 * (some programs, psi4, leave files where they run) after the setup lines, so it sees the
 * environment a calc sees; what the setup lines print is dropped.
 */
export function probeArgs(argv: readonly string[], setup: readonly string[] = []): string[] {
  const prefix =
    setup.length === 0 ? '' : `${setupFunction(setup)}retort_setup >/dev/null 2>&1 </dev/null\n`;
  return ['/bin/sh', '-c', `${prefix}cd "\${TMPDIR:-/tmp}" && exec "$@"`, 'retort-probe', ...argv];
}

/** `$0` of the wrapper: how it is recognised in a process list. */
export const CALC_WRAPPER_NAME = 'retort-calc';

/** The calc directory's bookkeeping directory, relative to workdir. */
export const BOOKKEEPING_DIR = '.retort';

/** Names of the marker files inside {@link BOOKKEEPING_DIR}. */
export const PID_FILE = 'pid';
export const EXIT_FILE = 'exit';

/** The arguments of `/bin/sh` that run `argv` in `workdir` through the wrapper. */
export function calcWrapperArgs(
  workdir: string,
  stdin: string | undefined,
  argv: readonly string[],
  setup: readonly string[] = [],
): string[] {
  return ['-c', calcWrapperScript(setup), CALC_WRAPPER_NAME, workdir, stdin ?? '', ...argv];
}

/**
 * Whether a process's argument vector (as in /proc/<pid>/cmdline) is the wrapper (with or
 * without setup lines) of `workdir`.
 * argv[0] (the shell's path) is not compared: it may be spelled differently.
 */
export function isCalcWrapperFor(args: readonly string[], workdir: string): boolean {
  return (
    args[1] === '-c' &&
    (args[2] === CALC_WRAPPER ||
      (args[2]?.startsWith(`${WRAPPER_HEAD}retort_setup() {\n`) === true &&
        args[2].endsWith(WRAPPER_TAIL))) &&
    args[3] === CALC_WRAPPER_NAME &&
    args[4] === workdir
  );
}

/**
 * Parses the content of an exit marker: the status, or undefined when the marker is incomplete
 * (no trailing newline: the write was torn) or not a status.
 */
export function parseExitMarker(text: string): number | undefined {
  const match = /^(\d{1,3})\n$/.exec(text);
  if (match?.[1] === undefined) return undefined;
  const status = Number(match[1]);
  return status <= 255 ? status : undefined;
}
