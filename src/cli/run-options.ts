import { Option } from 'commander';

/*
 * The options of every command that runs calcs through the runner, worded once (each command
 * adds them with `.addOption`).
 */

/** `-w, --workers <n>`: how many of `what` at once; `fallback` says where the default comes from. */
export function workersOption(
  what: string,
  fallback = 'retort.yaml workers, else the number of cores',
): Option {
  return new Option('-w, --workers <n>', `${what} at once (default: ${fallback})`);
}

/** `-e, --executor <name>`: where the calcs run. */
export function executorOption(): Option {
  return new Option(
    '-e, --executor <name>',
    'local, ssh:NAME or slurm:NAME (default: retort.yaml executor)',
  );
}

/** `--headless`: plain lines instead of a progress bar. */
export function headlessOption(): Option {
  return new Option(
    '--headless',
    'no progress bar: plain lines in logs/ and on stderr (automatic without a terminal)',
  );
}
