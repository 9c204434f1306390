import type { Command } from 'commander';
import { errorMessage, InputError } from '../../core/errors.js';
import { ENGINES } from '../../engines/registry.js';
import { remoteProbe } from '../../executors/remote/remote-calc.js';
import { findCampaignRoot, openCampaign, type Campaign } from '../../runtime/campaign.js';
import { transportTo } from '../../runtime/create-executor.js';
import type { HostSettings } from '../../runtime/host-settings.js';
import { table } from '../format.js';

export function registerHosts(program: Command): void {
  const hosts = program
    .command('hosts')
    .summary('list and check the SSH hosts and SLURM clusters of retort.yaml');
  hosts
    .command('list')
    .description(
      'One line per host of retort.yaml: its type, where it is, its scratch directory and limits.',
    )
    .action(async (_options: unknown, command: Command) => {
      await withCampaign(command, (campaign) => {
        const rows = Object.values(campaign.settings.hosts).map((host) => [
          `${host.type}:${host.name}`,
          where(host),
          host.scratch ?? '(the campaign work/)',
          limits(host),
        ]);
        process.stdout.write(
          rows.length === 0
            ? 'no hosts in retort.yaml (see the README, "Hosts")\n'
            : `${table(['executor', 'where', 'scratch', 'limits'], rows)}\n`,
        );
      });
    });
  hosts
    .command('check')
    .argument('<name>', 'a host of retort.yaml')
    .description(
      'Connects to the host and checks what runs need: the scratch directory is writable, the programs the campaign uses are there (with their versions), and for a cluster that sbatch, squeue and the partition answer. Prints one line per check; exits 1 when one fails.',
    )
    .action(async (name: string, _options: unknown, command: Command) => {
      process.exitCode = await withCampaign(command, (campaign) => checkHost(campaign, name));
    });
}

/** Runs `action` on the campaign, opened read-only, and closes it whatever happens. */
async function withCampaign<T>(
  command: Command,
  action: (campaign: Campaign) => T | Promise<T>,
): Promise<T> {
  const root = findCampaignRoot(
    command.optsWithGlobals<{ campaign?: string }>().campaign,
    process.cwd(),
  );
  const campaign = openCampaign(root, { readonly: true });
  try {
    return await action(campaign);
  } finally {
    campaign.close();
  }
}

function where(host: HostSettings): string {
  if (host.type === 'slurm')
    return host.via === undefined ? 'SLURM here' : `SLURM via ssh:${host.via}`;
  if (host.alias !== undefined) return `${host.alias} (your ssh config)`;
  const user = host.user === undefined ? '' : `${host.user}@`;
  const port = host.port === undefined ? '' : `:${String(host.port)}`;
  return `${user}${host.hostname ?? ''}${port} (${host.transport})`;
}

function limits(host: HostSettings): string {
  if (host.type === 'ssh') return `${String(host.max_calcs)} calcs at once`;
  const pack = host.submit === 'single' ? '' : ` of ${String(host.pack_size)} calcs`;
  return `${host.submit}${pack}, ≤ ${String(host.max_jobs)} jobs queued${host.partition === undefined ? '' : `, partition ${host.partition}`}`;
}

interface Check {
  readonly ok: boolean;
  readonly line: string;
  /** Worth knowing, not needed: printed with `-` instead of ok/FAIL. */
  readonly optional?: boolean;
}

async function checkHost(campaign: Campaign, name: string): Promise<number> {
  const host = campaign.settings.hosts[name];
  if (host === undefined) {
    const known = Object.keys(campaign.settings.hosts).join(', ');
    throw new InputError(
      name,
      `no host of that name in retort.yaml (hosts: ${known === '' ? 'none' : known})`,
    );
  }
  const transport = transportTo(host, campaign.settings.hosts);
  const checks: Check[] = [];
  const say = (check: Check): void => {
    checks.push(check);
    const mark = check.optional === true ? '-   ' : check.ok ? 'ok  ' : 'FAIL';
    process.stdout.write(`${mark}  ${check.line}\n`);
  };
  try {
    const started = Date.now();
    try {
      const r = await transport.exec(['uname', '-nsr'], { timeoutMs: 30_000 });
      say({
        ok: r.exitCode === 0,
        line: `reached ${transport.description}: ${r.stdout.trim()} (${String(Date.now() - started)} ms)`,
      });
    } catch (error) {
      say({ ok: false, line: `cannot reach ${transport.description}: ${errorMessage(error)}` });
      return 1;
    }
    const scratch = host.scratch ?? (host.type === 'slurm' ? campaign.paths.work : undefined);
    if (scratch !== undefined) {
      const probe = `${scratch}/.retort-check-${String(process.pid)}`;
      const r = await transport.exec([
        '/bin/sh',
        '-c',
        'mkdir -p -- "$1" && touch -- "$2" && rm -f -- "$2"',
        'retort-check',
        scratch,
        probe,
      ]);
      say({
        ok: r.exitCode === 0,
        line:
          r.exitCode === 0
            ? `scratch ${scratch} is writable`
            : `scratch ${scratch} is not writable: ${r.stderr.trim()}`,
      });
    }
    if (host.type === 'slurm') {
      for (const argv of [
        ['sbatch', '--version'],
        ['squeue', '--me', '--noheader', '--format=%i'],
      ]) {
        const r = await transport
          .exec(argv)
          .catch((error: unknown) => ({ exitCode: null, stdout: '', stderr: errorMessage(error) }));
        say({
          ok: r.exitCode === 0,
          line:
            r.exitCode === 0
              ? `${argv.join(' ')}: answers (${r.stdout.trim().split('\n')[0] ?? ''})`
              : `${argv.join(' ')} failed: ${r.stderr.trim()}`,
        });
      }
      const r = await transport.exec(['sinfo', '--noheader', '--format=%P %a %l %D']);
      const partitions = r.stdout
        .trim()
        .split('\n')
        .map((line) => line.split(' ')[0]?.replace(/\*$/, '') ?? '');
      if (host.partition !== undefined) {
        say({
          ok: partitions.includes(host.partition),
          line: partitions.includes(host.partition)
            ? `partition ${host.partition} exists`
            : `partition ${host.partition} is not among ${partitions.join(', ')}`,
        });
      } else {
        say({
          ok: r.exitCode === 0,
          line: `partitions: ${partitions.join(', ')} (the default is used)`,
        });
      }
    }
    const programs = host.programs;
    const used = campaign.calcs.programs();
    const wanted = used.length > 0 ? used : ENGINES.map((e) => e.program);
    // `command` runs whatever argv a calc gives: there is no one program to look for.
    const engines = ENGINES.filter((e) => wanted.includes(e.program) && e.program !== 'command');
    for (const engine of engines) {
      const needed = used.includes(engine.program);
      const path = programs[engine.program] ?? engine.program;
      // Programs whose outputs state their version (MOPAC) have no probe: found is enough.
      const probe = engine.versionProbe;
      const r =
        probe === undefined
          ? await transport
              .exec(['/bin/sh', '-c', 'command -v -- "$1"', 'retort-which', path])
              .catch((error: unknown) => ({
                exitCode: null,
                stdout: '',
                stderr: errorMessage(error),
              }))
          : await remoteProbe(transport, [path, ...probe.argv.slice(1)]);
      const version =
        probe === undefined
          ? r.exitCode === 0
            ? r.stdout.trim()
            : undefined
          : r.exitCode === 127 || r.exitCode === null
            ? undefined
            : probe.parse(r.stdout, r.stderr);
      say({
        ok: version !== undefined || !needed,
        optional: version === undefined && !needed,
        line:
          version !== undefined
            ? `${engine.program}: ${version}${probe === undefined ? '' : ` (${path})`}`
            : `${engine.program}: not found as ${path}${needed ? ' (the campaign uses it)' : ''}`,
      });
    }
    if (host.type === 'slurm') {
      process.stdout.write(
        'note: programs were looked for where sbatch runs; compute nodes see them after the setup lines\n',
      );
    }
  } finally {
    await transport.close();
  }
  return checks.every((c) => c.ok) ? 0 : 1;
}
