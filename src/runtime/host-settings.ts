import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { InputError } from '../core/errors.js';
import {
  booleanAt,
  checkKeys,
  choiceAt,
  entries,
  intAt,
  mapOf,
  stringAt,
  stringListAt,
  textMapAt,
  valueNode,
  type At,
  type YamlMap,
} from './settings-yaml.js';

/**
 * The `hosts:` section of retort.yaml: where calcs may run besides this machine. Each entry is
 * named (`--executor ssh:NAME` / `slurm:NAME`) and has a `type`.
 *
 * ```yaml
 * hosts:
 *   groupserver:                 # an SSH host: calcs run there, at most max_calcs at once
 *     type: ssh
 *     hostname: server.example.org   # or  alias: groupserver  (a Host of ~/.ssh/config)
 *     port: 22
 *     user: chem
 *     identity_file: ~/.ssh/id_ed25519
 *     known_hosts: ~/.ssh/known_hosts  # host keys are always verified
 *     transport: ssh2            # ssh2 (built in) | system (your ssh, with ControlMaster)
 *     scratch: /scratch/chem/retort    # calc directories are staged here
 *     max_calcs: 4
 *     max_sessions: 10           # sshd's MaxSessions
 *     poll_s: 2
 *     cleanup: false             # delete remote calc directories once collected
 *     programs: { mopac: /opt/mopac/MOPAC2016.exe }
 *   cluster:                     # a SLURM cluster, its commands run here or through `via`
 *     type: slurm
 *     via: groupserver           # an ssh host (its login node); absent: sbatch is on this machine
 *     scratch: /scratch/chem/retort    # required with via; default: the campaign's work/
 *     partition: short
 *     account: chem-group
 *     qos: normal
 *     setup: ["module load mopac"]
 *     submit: packed             # single | array | packed
 *     pack_size: 50              # calcs per array or packed job
 *     pack_cores: 4              # cores of one packed allocation
 *     max_walltime_s: 86400      # the longest job the partition allows
 *     max_jobs: 20               # of this campaign's jobs in the queue at once
 *     poll_s: 10                 # the shortest time between two squeue calls
 *     sbatch_args: ["--constraint=avx2"]
 *     cores: 1                   # per calc, instead of defaults.cores
 *     memory_mb: 2000
 *     walltime_s: 3600
 * ```
 */
export type HostSettings = SshHostSettings | SlurmHostSettings;

export interface SshConnectionSettings {
  readonly hostname: string | undefined;
  readonly port: number | undefined;
  readonly user: string | undefined;
  /** Absolute, `~` expanded. */
  readonly identity_file: string | undefined;
  readonly known_hosts: string | undefined;
  readonly alias: string | undefined;
  readonly ssh_config: string | undefined;
  readonly transport: 'ssh2' | 'system';
  readonly max_sessions: number;
}

export interface SshHostSettings extends SshConnectionSettings {
  readonly type: 'ssh';
  readonly name: string;
  readonly scratch: string;
  readonly max_calcs: number;
  readonly poll_s: number;
  readonly cleanup: boolean;
  readonly programs: Readonly<Record<string, string>>;
}

export type SubmitMode = 'single' | 'array' | 'packed';

export interface SlurmHostSettings {
  readonly type: 'slurm';
  readonly name: string;
  /** The ssh host whose shell runs sbatch/squeue; undefined: this machine. */
  readonly via: string | undefined;
  readonly scratch: string | undefined;
  readonly partition: string | undefined;
  readonly account: string | undefined;
  readonly qos: string | undefined;
  readonly setup: readonly string[];
  readonly submit: SubmitMode;
  readonly pack_size: number;
  readonly pack_cores: number;
  readonly max_walltime_s: number;
  readonly max_jobs: number;
  readonly poll_s: number;
  readonly sbatch_args: readonly string[];
  readonly cores: number | undefined;
  readonly memory_mb: number | undefined;
  readonly walltime_s: number | undefined;
  readonly cleanup: boolean;
  readonly programs: Readonly<Record<string, string>>;
}

const SSH_KEYS = [
  'type',
  'hostname',
  'port',
  'user',
  'identity_file',
  'known_hosts',
  'alias',
  'ssh_config',
  'transport',
  'scratch',
  'max_calcs',
  'max_sessions',
  'poll_s',
  'cleanup',
  'programs',
];

const SLURM_KEYS = [
  'type',
  'via',
  'scratch',
  'partition',
  'account',
  'qos',
  'setup',
  'submit',
  'pack_size',
  'pack_cores',
  'max_walltime_s',
  'max_jobs',
  'poll_s',
  'sbatch_args',
  'cores',
  'memory_mb',
  'walltime_s',
  'cleanup',
  'programs',
];

/** Reads `hosts:`; `via` must name an ssh host of the same file. */
export function parseHosts(node: unknown, at: At): Readonly<Record<string, HostSettings>> {
  const hosts: Record<string, HostSettings> = {};
  if (node === undefined || node === null) return hosts;
  const map = mapOf(node, 'hosts', at);
  for (const [name, value] of entries(map)) {
    if (!/^[\w.-]+$/.test(name)) {
      throw new InputError(
        at(value),
        `hosts.${name}: a host name may hold letters, digits, '_', '.' and '-' only`,
      );
    }
    const host = mapOf(value, `hosts.${name}`, at);
    const type = choiceAt(host, 'type', ['ssh', 'slurm'] as const, at, `hosts.${name}.type`);
    if (type === undefined) {
      throw new InputError(at(value), `hosts.${name}.type: expected ssh or slurm`);
    }
    hosts[name] =
      type === 'ssh' ? parseSshHost(name, host, at) : parseSlurmHost(name, host, at, map);
  }
  return hosts;
}

function parseSshHost(name: string, map: YamlMap, at: At): SshHostSettings {
  const p = `hosts.${name}.`;
  checkKeys(map, SSH_KEYS, p, at);
  const connection = parseConnection(name, map, at);
  const scratch = absolutePathAt(map, 'scratch', at, `${p}scratch`);
  if (scratch === undefined) {
    throw new InputError(at(valueNode(map, 'type')), `${p}scratch: required for an ssh host`);
  }
  return {
    type: 'ssh',
    name,
    ...connection,
    scratch,
    max_calcs: intAt(map, 'max_calcs', at, 1, `${p}max_calcs`) ?? 4,
    poll_s: intAt(map, 'poll_s', at, 1, `${p}poll_s`) ?? 2,
    cleanup: booleanAt(map, 'cleanup', at, `${p}cleanup`) ?? false,
    programs: textMapAt(map, 'programs', at, `${p}programs`),
  };
}

function parseConnection(name: string, map: YamlMap, at: At): SshConnectionSettings {
  const p = `hosts.${name}.`;
  const hostname = stringAt(map, 'hostname', at, `${p}hostname`);
  const alias = stringAt(map, 'alias', at, `${p}alias`);
  if ((hostname === undefined) === (alias === undefined)) {
    throw new InputError(
      at(valueNode(map, 'type')),
      `${p}hostname or ${p}alias: give exactly one (alias names a Host of your ~/.ssh/config)`,
    );
  }
  const transport =
    choiceAt(map, 'transport', ['ssh2', 'system'] as const, at, `${p}transport`) ??
    (alias === undefined ? 'ssh2' : 'system');
  if (alias !== undefined && transport !== 'system') {
    throw new InputError(
      at(valueNode(map, 'transport')),
      `${p}transport: an alias of ~/.ssh/config needs transport: system`,
    );
  }
  const port = intAt(map, 'port', at, 1, `${p}port`);
  if (port !== undefined && port > 65535) {
    throw new InputError(at(valueNode(map, 'port')), `${p}port: expected a port ≤ 65535`);
  }
  return {
    hostname,
    port,
    user: stringAt(map, 'user', at, `${p}user`),
    identity_file: pathAt(map, 'identity_file', at, `${p}identity_file`),
    known_hosts: pathAt(map, 'known_hosts', at, `${p}known_hosts`),
    alias,
    ssh_config: pathAt(map, 'ssh_config', at, `${p}ssh_config`),
    transport,
    max_sessions: intAt(map, 'max_sessions', at, 1, `${p}max_sessions`) ?? 10,
  };
}

function parseSlurmHost(name: string, map: YamlMap, at: At, hosts: YamlMap): SlurmHostSettings {
  const p = `hosts.${name}.`;
  checkKeys(map, SLURM_KEYS, p, at);
  const via = stringAt(map, 'via', at, `${p}via`);
  if (via !== undefined) {
    const target = valueNode(hosts, via);
    const targetType =
      target === undefined ? undefined : stringAt(mapOf(target, `hosts.${via}`, at), 'type', at);
    if (targetType !== 'ssh') {
      throw new InputError(
        at(valueNode(map, 'via')),
        `${p}via: expected the name of an ssh host of this file, found "${via}"`,
      );
    }
  }
  const scratch = absolutePathAt(map, 'scratch', at, `${p}scratch`);
  if (via !== undefined && scratch === undefined) {
    throw new InputError(
      at(valueNode(map, 'via')),
      `${p}scratch: required when the cluster is reached through ${via}`,
    );
  }
  return {
    type: 'slurm',
    name,
    via,
    scratch,
    partition: stringAt(map, 'partition', at, `${p}partition`),
    account: stringAt(map, 'account', at, `${p}account`),
    qos: stringAt(map, 'qos', at, `${p}qos`),
    setup: stringListAt(map, 'setup', at, `${p}setup`) ?? [],
    submit:
      choiceAt(map, 'submit', ['single', 'array', 'packed'] as const, at, `${p}submit`) ?? 'packed',
    pack_size: intAt(map, 'pack_size', at, 1, `${p}pack_size`) ?? 50,
    pack_cores: intAt(map, 'pack_cores', at, 1, `${p}pack_cores`) ?? 4,
    max_walltime_s: intAt(map, 'max_walltime_s', at, 60, `${p}max_walltime_s`) ?? 86_400,
    max_jobs: intAt(map, 'max_jobs', at, 1, `${p}max_jobs`) ?? 20,
    poll_s: intAt(map, 'poll_s', at, 1, `${p}poll_s`) ?? 10,
    sbatch_args: stringListAt(map, 'sbatch_args', at, `${p}sbatch_args`) ?? [],
    cores: intAt(map, 'cores', at, 1, `${p}cores`),
    memory_mb: intAt(map, 'memory_mb', at, 1, `${p}memory_mb`),
    walltime_s: intAt(map, 'walltime_s', at, 1, `${p}walltime_s`),
    cleanup: booleanAt(map, 'cleanup', at, `${p}cleanup`) ?? false,
    programs: textMapAt(map, 'programs', at, `${p}programs`),
  };
}

/** A local file path; `~/` is the home directory, relative paths are refused. */
function pathAt(map: YamlMap, key: string, at: At, name: string): string | undefined {
  const value = stringAt(map, key, at, name);
  if (value === undefined) return undefined;
  const path =
    value === '~' ? homedir() : value.startsWith('~/') ? join(homedir(), value.slice(2)) : value;
  if (!isAbsolute(path)) {
    throw new InputError(
      at(valueNode(map, key)),
      `${name}: expected an absolute path or ~/…, found "${value}"`,
    );
  }
  return path;
}

/** A remote directory: absolute, one line (it is written into job lists). */
function absolutePathAt(map: YamlMap, key: string, at: At, name: string): string | undefined {
  const value = stringAt(map, key, at, name);
  if (value === undefined) return undefined;
  if (!value.startsWith('/') || value.includes('\n')) {
    throw new InputError(
      at(valueNode(map, key)),
      `${name}: expected an absolute directory path on one line, found "${value}"`,
    );
  }
  return value.replace(/\/+$/, '') || '/';
}

/**
 * Where a run's calcs go: `local`, `ssh:NAME` or `slurm:NAME` (a host of retort.yaml's `hosts`). The
 * spelling is checked here, for `--executor` and for `executor:` alike: `where` names the flag
 * or setting in the message.
 */
export function resolveExecutorName(
  value: string,
  hosts: Readonly<Record<string, HostSettings>>,
  where: string,
): { kind: 'local' } | { kind: 'ssh' | 'slurm'; host: HostSettings } {
  if (value === 'local') return { kind: 'local' };
  const match = /^(ssh|slurm):([\w.-]+)$/.exec(value);
  const kind = match?.[1];
  const name = match?.[2];
  if ((kind !== 'ssh' && kind !== 'slurm') || name === undefined) {
    throw new InputError(where, `expected local, ssh:NAME or slurm:NAME, found "${value}"`);
  }
  const host = hosts[name];
  if (host?.type !== kind) {
    const known = Object.values(hosts)
      .map((h) => `${h.type}:${h.name}`)
      .join(', ');
    throw new InputError(
      where,
      `no ${kind} host "${name}" in retort.yaml (hosts: ${known === '' ? 'none' : known})`,
    );
  }
  return { kind, host };
}
