import { join } from 'node:path';
import type { Executor } from '../executors/executor.js';
import { LocalExecutor } from '../executors/local/local-executor.js';
import { LocalTransport } from '../executors/remote/local-transport.js';
import { Ssh2Transport } from '../executors/remote/ssh2-transport.js';
import { SystemSshTransport } from '../executors/remote/system-ssh-transport.js';
import type { SshTarget, Transport } from '../executors/remote/transport.js';
import { SlurmExecutor } from '../executors/slurm/slurm-executor.js';
import { SshExecutor } from '../executors/ssh/ssh-executor.js';
import type { Campaign } from './campaign.js';
import { resolveExecutorName, type HostSettings, type SshHostSettings } from './host-settings.js';
import type { Settings } from './settings.js';

export interface ExecutorContext {
  readonly campaign: Campaign;
  /** Calcs at once for the local executor. */
  readonly workers: number;
  readonly notice?: (line: string) => void;
  /** Hears that the scheduler jobs changed state (for status.json). */
  readonly jobsChanged?: () => void;
}

/** Builds the executor a run uses, with its connection (none is opened until it is needed). */
export function createExecutor(value: string, where: string, context: ExecutorContext): Executor {
  const { settings } = context.campaign;
  const resolved = resolveExecutorName(value, settings.hosts, where);
  const killGraceS = settings.control.kill_grace_s;
  if (resolved.kind === 'local') {
    return new LocalExecutor({
      slots: context.workers,
      killGraceMs: killGraceS * 1000,
      workRoot: context.campaign.paths.work,
      setup: settings.setup,
    });
  }
  const { host } = resolved;
  const notice = context.notice ?? (() => undefined);
  if (host.type === 'ssh') {
    return new SshExecutor({
      name: `ssh:${host.name}`,
      transport: transportTo(host, settings.hosts),
      scratch: host.scratch,
      campaignId: context.campaign.id,
      maxCalcs: host.max_calcs,
      pollS: host.poll_s,
      killGraceS,
      cleanup: host.cleanup,
      setup: host.setup,
      notice,
    });
  }
  return new SlurmExecutor({
    name: `slurm:${host.name}`,
    transport: transportTo(host, settings.hosts),
    host,
    campaignId: context.campaign.id,
    localJobRoot: join(context.campaign.paths.work, 'slurm'),
    killGraceS,
    notice,
    ...(context.jobsChanged === undefined ? {} : { jobsChanged: context.jobsChanged }),
  });
}

/** The program paths of the place where an executor runs calcs. */
export function programsFor(value: string, settings: Settings): Readonly<Record<string, string>> {
  const resolved = resolveExecutorName(value, settings.hosts, 'executor');
  return resolved.kind === 'local' ? settings.programs : resolved.host.programs;
}

/**
 * Where a host's commands run: on an ssh host itself, on a cluster's `via` host (its login
 * node), or, for a cluster without `via`, on this machine.
 */
export function transportTo(
  host: HostSettings,
  hosts: Readonly<Record<string, HostSettings>>,
): Transport {
  if (host.type === 'ssh') return transportFor(host);
  const via = host.via === undefined ? undefined : hosts[host.via];
  return via?.type === 'ssh' ? transportFor(via) : new LocalTransport();
}

/** The connection to an ssh host, by its transport setting. */
function transportFor(host: SshHostSettings): Transport {
  const target: SshTarget = {
    name: host.name,
    ...(host.hostname === undefined ? {} : { hostname: host.hostname }),
    ...(host.port === undefined ? {} : { port: host.port }),
    ...(host.user === undefined ? {} : { user: host.user }),
    ...(host.identity_file === undefined ? {} : { identityFile: host.identity_file }),
    ...(host.known_hosts === undefined ? {} : { knownHosts: host.known_hosts }),
    ...(host.alias === undefined ? {} : { alias: host.alias }),
    ...(host.ssh_config === undefined ? {} : { sshConfig: host.ssh_config }),
    maxSessions: host.max_sessions,
  };
  return host.transport === 'system' ? new SystemSshTransport(target) : new Ssh2Transport(target);
}
