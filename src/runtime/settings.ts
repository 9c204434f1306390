import { readFileSync } from 'node:fs';
import { InputError } from '../core/errors.js';
import { readYamlFields } from '../core/fields/source.js';
import { parseHosts, resolveExecutorName, type HostSettings } from './host-settings.js';
import { DEFAULT_BACKOFF, type RetryBackoff } from './runner/retry-policy.js';

/**
 * A campaign's settings, read from `retort.yaml`. Every field is optional in the file; the
 * defaults are below. Unknown keys are refused (a misspelt setting that silently does nothing
 * costs days on a cluster), and every error names the file, the line and the key.
 *
 * ```yaml
 * executor: local          # where calcs run unless --executor says otherwise
 * log_level: info          # debug | info | warn | error: what logs/ and the display show
 * workers: 2               # calcs at once on the local executor (default: number of cores)
 * programs:                # program paths, when a program is not on PATH under its name
 *   mopac: /opt/mopac/MOPAC2016.exe
 * setup:                   # shell lines run before every program on this machine, in the calc
 *   - source /opt/crystal/cry23.bashrc     # directory (hosts have their own setup:)
 * defaults:
 *   cores: 1               # cores per calc
 *   walltime_s: 3600       # walltime per calc, seconds
 *   memory_mb: 2000        # memory per calc, MB (optional)
 * control:
 *   failure_threshold: 5   # pause a run after this many distinct failed items (0: never)
 *   retries: 1             # automatic retries of failures that a retry can fix (killed, lost)
 *   retry_base_s: 10       # the first retry waits this long, each further one twice as long …
 *   retry_max_s: 600       # … but never longer than this
 *   retry_jitter: 0.2      # ± this fraction of the wait, at random
 *   kill_grace_s: 10       # seconds between TERM and KILL when a calc is stopped
 * hosts: {}                # SSH hosts and SLURM clusters: see host-settings.ts
 * ```
 */
export interface Settings {
  readonly executor: string;
  readonly log_level: LogLevel;
  readonly workers: number | undefined;
  readonly programs: Readonly<Record<string, string>>;
  /** Shell lines the local executor runs before every program (executors/calc-wrapper.ts). */
  readonly setup: readonly string[];
  readonly defaults: {
    readonly cores: number;
    readonly walltime_s: number;
    readonly memory_mb: number | undefined;
  };
  readonly control: {
    readonly failure_threshold: number;
    readonly retries: number;
    readonly backoff: RetryBackoff;
    readonly kill_grace_s: number;
  };
  readonly hosts: Readonly<Record<string, HostSettings>>;
}

/**
 * How much a run tells (logs/<run>.jsonl, logs/<run>.log and the display): `debug` every event
 * (calcs queued and started too), `info` calcs started and ended and notices, `warn` failures,
 * retries and changes of the run's state, `error` only a run that failed.
 */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DEFAULT_SETTINGS: Settings = {
  executor: 'local',
  log_level: 'info',
  workers: undefined,
  programs: {},
  setup: [],
  defaults: { cores: 1, walltime_s: 3600, memory_mb: undefined },
  control: { failure_threshold: 5, retries: 1, backoff: DEFAULT_BACKOFF, kill_grace_s: 10 },
  hosts: {},
};

/** The text `retort init` writes: every setting, commented, at its default. */
export const SETTINGS_TEMPLATE = `# retort campaign settings. Every key is optional; the values shown are the defaults.
executor: local          # where calcs run unless --executor says otherwise
log_level: info          # debug | info | warn | error (logs/ and the display; --verbose, --quiet)
# workers: 2             # calcs at once on the local executor (default: number of cores)
programs: {}             # program paths when not on PATH, e.g.  mopac: /opt/mopac/MOPAC2016.exe
setup: []                # shell lines run before every program here, e.g. - source /opt/crystal/cry23.bashrc
defaults:
  cores: 1               # cores per calc
  walltime_s: 3600       # walltime per calc, seconds
  # memory_mb: 2000      # memory per calc, MB
control:
  failure_threshold: 5   # pause a run after this many distinct failed items (0: never)
  retries: 1             # automatic retries of failures a retry can fix (killed, lost)
  retry_base_s: 10       # the first retry waits this long, each further one twice as long …
  retry_max_s: 600       # … at most this long
  retry_jitter: 0.2      # ± this fraction of the wait, at random
  kill_grace_s: 10       # seconds between TERM and KILL when a calc is stopped
# hosts:                 # where calcs may run besides here (README, "Hosts"), e.g.
#   cluster:
#     type: slurm        # sbatch on this machine, or  via: <an ssh host>
#     partition: short
#     submit: packed     # single | array | packed
`;

export function readSettings(file: string): Settings {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new InputError(file, 'cannot read the settings file', { cause });
  }
  return parseSettings(text, file);
}

export function parseSettings(text: string, file: string): Settings {
  const root = readYamlFields(text, file);
  if (!root.present || root.node === null) return DEFAULT_SETTINGS;
  const top = root.object([
    'executor',
    'log_level',
    'workers',
    'programs',
    'setup',
    'defaults',
    'control',
    'hosts',
  ]);
  if (top === undefined) return DEFAULT_SETTINGS;
  const executor = top.get('executor').string() ?? DEFAULT_SETTINGS.executor;
  const log_level = top.get('log_level').oneOf(LOG_LEVELS) ?? DEFAULT_SETTINGS.log_level;
  const workers = top.get('workers').integer({ min: 1 });
  const programs = top.get('programs').stringMap() ?? {};
  const setup = top.get('setup').stringList() ?? [];

  const d = top.get('defaults').object(['cores', 'walltime_s', 'memory_mb']);
  const base = DEFAULT_SETTINGS.defaults;
  const defaults =
    d === undefined
      ? base
      : {
          cores: d.get('cores').integer({ min: 1 }) ?? base.cores,
          walltime_s: d.get('walltime_s').integer({ min: 1 }) ?? base.walltime_s,
          memory_mb: d.get('memory_mb').integer({ min: 1 }) ?? base.memory_mb,
        };

  const c = top
    .get('control')
    .object([
      'failure_threshold',
      'retries',
      'retry_base_s',
      'retry_max_s',
      'retry_jitter',
      'kill_grace_s',
    ]);
  const control0 = DEFAULT_SETTINGS.control;
  const control =
    c === undefined
      ? control0
      : {
          failure_threshold:
            c.get('failure_threshold').integer({ min: 0 }) ?? control0.failure_threshold,
          retries: c.get('retries').integer({ min: 0 }) ?? control0.retries,
          backoff: {
            base_s: c.get('retry_base_s').number({ min: 0 }) ?? control0.backoff.base_s,
            max_s: c.get('retry_max_s').number({ min: 0 }) ?? control0.backoff.max_s,
            jitter: c.get('retry_jitter').number({ min: 0, max: 0.9 }) ?? control0.backoff.jitter,
          },
          kill_grace_s: c.get('kill_grace_s').integer({ min: 0 }) ?? control0.kill_grace_s,
        };
  const hosts = parseHosts(top.get('hosts'));
  resolveExecutorName(executor, hosts, top.get('executor').where);
  return { executor, log_level, workers, programs, setup, defaults, control, hosts };
}
