import { InputError } from '../core/errors.js';
import { ENGINES } from '../engines/registry.js';
import { checkPrograms, checkReached, checkScratch } from '../executors/check-steps.js';
import type { CheckLine, ProgramToCheck } from '../executors/executor.js';
import { remoteProbe } from '../executors/remote/remote-calc.js';
import type { Campaign } from './campaign.js';
import { createExecutor, transportTo } from './create-executor.js';
import type { SlurmHostSettings } from './host-settings.js';

/**
 * `retort hosts check NAME`: checks, through the host's executor, what runs there need, and
 * reports each check through `report` as it is made. Resolves with whether every check passed.
 */
export async function checkHost(
  campaign: Campaign,
  name: string,
  report: (line: CheckLine) => void,
): Promise<boolean> {
  const host = campaign.settings.hosts[name];
  if (host === undefined) {
    const known = Object.keys(campaign.settings.hosts).join(', ');
    throw new InputError(
      name,
      `no host of that name in retort.yaml (hosts: ${known === '' ? 'none' : known})`,
    );
  }
  let ok = true;
  const say = (line: CheckLine): void => {
    if (!line.ok) ok = false;
    report(line);
  };
  const programs = programsToCheck(host.programs, campaign.calcs.programsUsed());
  const executor = createExecutor(`${host.type}:${host.name}`, 'host', { campaign, workers: 1 });
  try {
    if (executor.check !== undefined) await executor.check(programs, say);
    else if (host.type === 'slurm') await checkCluster(campaign, host, programs, say);
  } finally {
    await executor.close();
  }
  return ok;
}

/**
 * The programs to look for: those the campaign's calcs use (needed), or, before any calc, every
 * program retort has an engine for (worth knowing). `command` runs whatever argv a calc gives:
 * there is no one program to look for.
 */
export function programsToCheck(
  paths: Readonly<Record<string, string>>,
  used: readonly string[],
): ProgramToCheck[] {
  const wanted = used.length > 0 ? used : ENGINES.map((e) => e.program);
  return ENGINES.filter((e) => wanted.includes(e.program) && e.program !== 'command').map(
    (engine) => {
      const path = paths[engine.program] ?? engine.program;
      // Programs whose outputs state their version (MOPAC) have no probe: found is enough.
      const probe = engine.versionProbe;
      return {
        program: engine.program,
        path,
        argv: probe === undefined ? undefined : [path, ...probe.argv.slice(1)],
        parse: probe === undefined ? undefined : (out, err) => probe.parse(out, err),
        needed: used.includes(engine.program),
      };
    },
  );
}

/**
 * The check of a cluster whose executor has no `check` of its own yet: through the transport
 * its commands run on, the reach, the scratch directory, sbatch, squeue and the partition.
 */
async function checkCluster(
  campaign: Campaign,
  host: SlurmHostSettings,
  programs: readonly ProgramToCheck[],
  report: (line: CheckLine) => void,
): Promise<void> {
  const transport = transportTo(host, campaign.settings.hosts);
  try {
    const reached = await checkReached(
      transport.description,
      (argv) => transport.exec(argv, { timeoutMs: 30_000 }),
      report,
    );
    if (!reached) return;
    const run = (argv: readonly string[]): ReturnType<typeof remoteProbe> =>
      remoteProbe(transport, argv);
    await checkScratch(host.scratch ?? campaign.paths.work, run, report);
    for (const argv of [
      ['sbatch', '--version'],
      ['squeue', '--me', '--noheader', '--format=%i'],
    ]) {
      const r = await run(argv);
      report({
        ok: r.exitCode === 0,
        line:
          r.exitCode === 0
            ? `${argv.join(' ')}: answers (${r.stdout.trim().split('\n')[0] ?? ''})`
            : `${argv.join(' ')} failed: ${r.stderr.trim()}`,
      });
    }
    const r = await run(['sinfo', '--noheader', '--format=%P %a %l %D']);
    const partitions = r.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(' ')[0]?.replace(/\*$/, '') ?? '');
    if (host.partition !== undefined) {
      report({
        ok: partitions.includes(host.partition),
        line: partitions.includes(host.partition)
          ? `partition ${host.partition} exists`
          : `partition ${host.partition} is not among ${partitions.join(', ')}`,
      });
    } else {
      report({
        ok: r.exitCode === 0,
        line: `partitions: ${partitions.join(', ')} (the default is used)`,
      });
    }
    await checkPrograms(programs, run, report);
    report({
      ok: true,
      optional: true,
      line: 'programs were looked for where sbatch runs; compute nodes see them after the setup lines',
    });
  } finally {
    await transport.close();
  }
}
