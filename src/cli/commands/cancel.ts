import type { Command } from 'commander';
import { findCampaignRoot } from '../../runtime/campaign.js';
import { cancelCalcs } from '../../runtime/control/cancel-calcs.js';

export function registerCancel(program: Command): void {
  program
    .command('cancel')
    .summary('cancel single calcs: kill a running one, never start a queued one')
    .description(
      `Cancels the calcs named by their keys (or the first digits of a key, as retort tui and the exports show them; a prefix that names several calcs is refused). The live runner kills a running one (TERM, then KILL after kill_grace_s; on SLURM scancel of its job) and does not start a queued one; either ends failed with failure class "cancelled". With no runner alive a queued calc is marked so at once. The request is kept in the campaign's cancel/ directory until a runner has obeyed it, so a runner that is killed and started again still cancels the calc. A cancelled calc is never retried automatically, in this run or a later one; --retry-failed runs it again.`,
    )
    .argument('<keys...>', 'calc keys or prefixes of them')
    .action((keys: string[], _options: unknown, command: Command) => {
      const { campaign } = command.optsWithGlobals<{ campaign?: string }>();
      const root = findCampaignRoot(campaign, process.cwd());
      for (const line of cancelCalcs(root, keys, 'retort cancel'))
        process.stdout.write(`${line}\n`);
    });
}
