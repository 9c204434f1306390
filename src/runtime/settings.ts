import { readFileSync } from 'node:fs';
import { InputError } from '../core/errors.js';
import { readYamlFields } from '../core/fields/source.js';
import { parseHosts, resolveExecutorName, type HostSettings } from './host-settings.js';

/**
 * A campaign's settings, read from `retort.yaml`. Every field is optional in the file; the
 * defaults are below. Unknown keys are refused (a misspelt setting that silently does nothing
 * costs days on a cluster), and every error names the file, the line and the key.
 *
 * ```yaml
 * executor: local          # where calcs run unless --executor says otherwise
 * workers: 2               # calcs at once on the local executor (default: number of cores)
 * programs:                # program paths, when a program is not on PATH under its name
 *   mopac: /opt/mopac/MOPAC2016.exe
 * defaults:
 *   cores: 1               # cores per calc
 *   walltime_s: 3600       # walltime per calc, seconds
 *   memory_mb: 2000        # memory per calc, MB (optional)
 * control:
 *   failure_threshold: 5   # pause a run after this many distinct failed items (0: never)
 *   retries: 1             # automatic retries of failures that a retry can fix (killed, lost)
 *   kill_grace_s: 10       # seconds between TERM and KILL when a calc is stopped
 * hosts: {}                # SSH hosts and SLURM clusters: see host-settings.ts
 * ```
 */
export interface Settings {
  readonly executor: string;
  readonly workers: number | undefined;
  readonly programs: Readonly<Record<string, string>>;
  readonly defaults: {
    readonly cores: number;
    readonly walltime_s: number;
    readonly memory_mb: number | undefined;
  };
  readonly control: {
    readonly failure_threshold: number;
    readonly retries: number;
    readonly kill_grace_s: number;
  };
  readonly hosts: Readonly<Record<string, HostSettings>>;
}

export const DEFAULT_SETTINGS: Settings = {
  executor: 'local',
  workers: undefined,
  programs: {},
  defaults: { cores: 1, walltime_s: 3600, memory_mb: undefined },
  control: { failure_threshold: 5, retries: 1, kill_grace_s: 10 },
  hosts: {},
};

/** The text `retort init` writes: every setting, commented, at its default. */
export const SETTINGS_TEMPLATE = `# retort campaign settings. Every key is optional; the values shown are the defaults.
executor: local          # where calcs run unless --executor says otherwise
# workers: 2             # calcs at once on the local executor (default: number of cores)
programs: {}             # program paths when not on PATH, e.g.  mopac: /opt/mopac/MOPAC2016.exe
defaults:
  cores: 1               # cores per calc
  walltime_s: 3600       # walltime per calc, seconds
  # memory_mb: 2000      # memory per calc, MB
control:
  failure_threshold: 5   # pause a run after this many distinct failed items (0: never)
  retries: 1             # automatic retries of failures a retry can fix (killed, lost)
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
  const top = root.object(['executor', 'workers', 'programs', 'defaults', 'control', 'hosts']);
  if (top === undefined) return DEFAULT_SETTINGS;
  const executor = top.get('executor').string() ?? DEFAULT_SETTINGS.executor;
  const workers = top.get('workers').integer({ min: 1 });
  const programs = top.get('programs').stringMap() ?? {};

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

  const c = top.get('control').object(['failure_threshold', 'retries', 'kill_grace_s']);
  const control0 = DEFAULT_SETTINGS.control;
  const control =
    c === undefined
      ? control0
      : {
          failure_threshold:
            c.get('failure_threshold').integer({ min: 0 }) ?? control0.failure_threshold,
          retries: c.get('retries').integer({ min: 0 }) ?? control0.retries,
          kill_grace_s: c.get('kill_grace_s').integer({ min: 0 }) ?? control0.kill_grace_s,
        };
  const hosts = parseHosts(top.get('hosts'));
  resolveExecutorName(executor, hosts, top.get('executor').where);
  return { executor, workers, programs, defaults, control, hosts };
}
