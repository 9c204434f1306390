import type { Command } from 'commander';
import { findCampaignRoot, openCampaign, type Campaign } from '../../runtime/campaign.js';
import { checkHost } from '../../runtime/host-check.js';
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
      process.exitCode = await withCampaign(command, (campaign) => printCheck(campaign, name));
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

/**
 * Prints each check as it is made; exit status 1 when one failed. A reader that stops early
 * (`| head -1`) does not stop the check: main.ts drops output nobody reads, so the check goes on
 * to its end and releases the connection and its temporary files as usual.
 */
async function printCheck(campaign: Campaign, name: string): Promise<number> {
  const ok = await checkHost(campaign, name, (check) => {
    const mark = check.optional === true ? '-   ' : check.ok ? 'ok  ' : 'FAIL';
    process.stdout.write(`${mark}  ${check.line}\n`);
  });
  return ok ? 0 : 1;
}
