import { InputError } from '../core/errors.js';
import { ENGINES } from '../engines/registry.js';
import type { CheckLine, ProgramToCheck } from '../executors/executor.js';
import type { Campaign } from './campaign.js';
import { createExecutor } from './create-executor.js';

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
    await executor.check(programs, say);
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
