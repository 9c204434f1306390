import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { InputError } from '../core/errors.js';
import { parseHosts, resolveExecutorName, type HostSettings } from './host-settings.js';
import {
  checkKeys,
  intAt,
  lineOf,
  mapOf,
  stringAt,
  textMapAt,
  valueNode,
} from './settings-yaml.js';

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
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = lineOf(file, lines);
  const firstError = doc.errors[0];
  if (firstError !== undefined) {
    const line = lines.linePos(firstError.pos[0]).line;
    throw new InputError(
      `${file}:${line}`,
      `not valid YAML: ${firstError.message.split('\n')[0] ?? ''}`,
    );
  }
  if (doc.contents === null) return DEFAULT_SETTINGS;
  const root = mapOf(doc.contents, 'the top level', at);
  const allowed = ['executor', 'workers', 'programs', 'defaults', 'control', 'hosts'];
  checkKeys(root, allowed, '', at);

  const executor = stringAt(root, 'executor', at) ?? DEFAULT_SETTINGS.executor;
  const workers = intAt(root, 'workers', at, 1);

  const programs = textMapAt(root, 'programs', at);

  const defaultsNode = valueNode(root, 'defaults');
  let defaults = DEFAULT_SETTINGS.defaults;
  if (defaultsNode !== undefined) {
    const map = mapOf(defaultsNode, 'defaults', at);
    checkKeys(map, ['cores', 'walltime_s', 'memory_mb'], 'defaults.', at);
    defaults = {
      cores: intAt(map, 'cores', at, 1, 'defaults.cores') ?? defaults.cores,
      walltime_s: intAt(map, 'walltime_s', at, 1, 'defaults.walltime_s') ?? defaults.walltime_s,
      memory_mb: intAt(map, 'memory_mb', at, 1, 'defaults.memory_mb') ?? defaults.memory_mb,
    };
  }

  const controlNode = valueNode(root, 'control');
  let control = DEFAULT_SETTINGS.control;
  if (controlNode !== undefined) {
    const map = mapOf(controlNode, 'control', at);
    checkKeys(map, ['failure_threshold', 'retries', 'kill_grace_s'], 'control.', at);
    control = {
      failure_threshold:
        intAt(map, 'failure_threshold', at, 0, 'control.failure_threshold') ??
        control.failure_threshold,
      retries: intAt(map, 'retries', at, 0, 'control.retries') ?? control.retries,
      kill_grace_s:
        intAt(map, 'kill_grace_s', at, 0, 'control.kill_grace_s') ?? control.kill_grace_s,
    };
  }
  const hosts = parseHosts(valueNode(root, 'hosts'), at);
  resolveExecutorName(executor, hosts, `${at(valueNode(root, 'executor'))}: executor`);
  return { executor, workers, programs, defaults, control, hosts };
}
