import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { InputError } from '../core/errors.js';
import type { Field, FieldMap } from '../core/fields/field.js';
import type { SlurmHost } from '../executors/slurm/slurm-host.js';

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
 *     setup: ["source /opt/crystal/cry23.bashrc"]   # shell lines run before every program
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
 *     submit_interval_s: 3       # at least this long between two sbatch calls (default 0)
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
  /** Shell lines run before every program on the host, in the calc directory. */
  readonly setup: readonly string[];
}

/**
 * A SLURM cluster's entry: what the slurm executor reads (SlurmHost, documented there) plus what
 * the runtime uses to reach it and to size its calcs.
 */
export interface SlurmHostSettings extends SlurmHost {
  readonly type: 'slurm';
  /** The ssh host whose shell runs sbatch/squeue; undefined: this machine. */
  readonly via: string | undefined;
  readonly cores: number | undefined;
  readonly memory_mb: number | undefined;
  readonly walltime_s: number | undefined;
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
  'setup',
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
  'submit_interval_s',
  'poll_s',
  'sbatch_args',
  'cores',
  'memory_mb',
  'walltime_s',
  'cleanup',
  'programs',
];

/** Reads `hosts:`; `via` must name an ssh host of the same file. */
export function parseHosts(field: Field): Readonly<Record<string, HostSettings>> {
  const hosts: Record<string, HostSettings> = {};
  if (field.node === null) return hosts;
  const map = field.object();
  if (map === undefined) return hosts;
  for (const [name, value] of map.entries()) {
    if (!/^[\w.-]+$/.test(name)) {
      throw value.error("a host name may hold letters, digits, '_', '.' and '-' only");
    }
    const host = value.requiredObject();
    const type = host
      .get('type')
      .required('ssh or slurm')
      .oneOf(['ssh', 'slurm'] as const);
    hosts[name] = type === 'ssh' ? parseSshHost(name, host) : parseSlurmHost(name, host, map);
  }
  return hosts;
}

function parseSshHost(name: string, map: FieldMap): SshHostSettings {
  map.refuseUnknown(SSH_KEYS);
  const connection = parseConnection(map);
  const scratch = absolutePath(map.get('scratch'));
  if (scratch === undefined) {
    throw map.get('type').error(`${map.path}.scratch: required for an ssh host`);
  }
  return {
    type: 'ssh',
    name,
    ...connection,
    scratch,
    max_calcs: map.get('max_calcs').integer({ min: 1 }) ?? 4,
    poll_s: map.get('poll_s').integer({ min: 1 }) ?? 2,
    cleanup: map.get('cleanup').boolean() ?? false,
    programs: map.get('programs').stringMap() ?? {},
    setup: map.get('setup').stringList() ?? [],
  };
}

function parseConnection(map: FieldMap): SshConnectionSettings {
  const p = `${map.path}.`;
  const hostname = map.get('hostname').string();
  const alias = map.get('alias').string();
  if ((hostname === undefined) === (alias === undefined)) {
    throw new InputError(
      map.get('type').place,
      `${p}hostname or ${p}alias: give exactly one (alias names a Host of your ~/.ssh/config)`,
    );
  }
  const transport =
    map.get('transport').oneOf(['ssh2', 'system'] as const) ??
    (alias === undefined ? 'ssh2' : 'system');
  if (alias !== undefined && transport !== 'system') {
    throw map.get('transport').error('an alias of ~/.ssh/config needs transport: system');
  }
  return {
    hostname,
    port: map.get('port').integer({ min: 1, max: 65535 }),
    user: map.get('user').string(),
    identity_file: localPath(map.get('identity_file')),
    known_hosts: localPath(map.get('known_hosts')),
    alias,
    ssh_config: localPath(map.get('ssh_config')),
    transport,
    max_sessions: map.get('max_sessions').integer({ min: 1 }) ?? 10,
  };
}

function parseSlurmHost(name: string, map: FieldMap, hosts: FieldMap): SlurmHostSettings {
  map.refuseUnknown(SLURM_KEYS);
  const viaField = map.get('via');
  const via = viaField.string();
  if (via !== undefined) {
    const target = hosts.get(via);
    const targetType = target.present ? target.object()?.get('type').value : undefined;
    if (targetType !== 'ssh') {
      throw viaField.error(`expected the name of an ssh host of this file, found "${via}"`);
    }
  }
  const scratch = absolutePath(map.get('scratch'));
  if (via !== undefined && scratch === undefined) {
    throw new InputError(
      viaField.place,
      `${map.path}.scratch: required when the cluster is reached through ${via}`,
    );
  }
  return {
    type: 'slurm',
    name,
    via,
    scratch,
    partition: map.get('partition').string(),
    account: map.get('account').string(),
    qos: map.get('qos').string(),
    setup: map.get('setup').stringList() ?? [],
    submit: map.get('submit').oneOf(['single', 'array', 'packed'] as const) ?? 'packed',
    pack_size: map.get('pack_size').integer({ min: 1 }) ?? 50,
    pack_cores: map.get('pack_cores').integer({ min: 1 }) ?? 4,
    max_walltime_s: map.get('max_walltime_s').integer({ min: 60 }) ?? 86_400,
    max_jobs: map.get('max_jobs').integer({ min: 1 }) ?? 20,
    submit_interval_s: map.get('submit_interval_s').number({ min: 0 }) ?? 0,
    poll_s: map.get('poll_s').integer({ min: 1 }) ?? 10,
    sbatch_args: map.get('sbatch_args').stringList() ?? [],
    cores: map.get('cores').integer({ min: 1 }),
    memory_mb: map.get('memory_mb').integer({ min: 1 }),
    walltime_s: map.get('walltime_s').integer({ min: 1 }),
    cleanup: map.get('cleanup').boolean() ?? false,
    programs: map.get('programs').stringMap() ?? {},
  };
}

/** A local file path; `~/` is the home directory, relative paths are refused. */
function localPath(field: Field): string | undefined {
  const value = field.string();
  if (value === undefined) return undefined;
  const path =
    value === '~' ? homedir() : value.startsWith('~/') ? join(homedir(), value.slice(2)) : value;
  if (!isAbsolute(path)) field.expected('an absolute path or ~/…');
  return path;
}

/** A remote directory: absolute, one line (it is written into job lists). */
function absolutePath(field: Field): string | undefined {
  const value = field.string();
  if (value === undefined) return undefined;
  if (!value.startsWith('/') || value.includes('\n')) {
    field.expected('an absolute directory path on one line');
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
