import type { Command } from 'commander';
import { InputError } from '../../core/errors.js';
import { findCampaignRoot } from '../../runtime/campaign.js';

export function registerTui(program: Command): void {
  program
    .command('tui')
    .summary('a live full-screen view of the campaign, with its actions')
    .description(
      `Opens a full-screen view of the campaign that refreshes while a run goes on in another process: Overview (run state, counts, throughput, ETA, completions per minute, executors, recent failures), Calcs (every calc, filter and sort, Enter opens one: spec, attempts, result, stdout/stderr tails), Batches (items per batch; mark items to requeue or run in a new batch), Hosts (per executor, SLURM jobs, host checks) and Logs (the run log, following). S stops the run gracefully, K stops it now, R starts the last run again in the background, F with --retry-failed; ? lists every key. It reads the store without taking the runner's lock, so it never slows or blocks a run; closing it leaves runs going. Needs a terminal of at least 80×24.`,
    )
    .option(
      '--refresh <ms>',
      'shortest time between refreshes, ms (stretched while refreshing costs more than 2 % of a core)',
      '1000',
    )
    .option(
      '--nice <n>',
      'scheduling priority of the UI, 0 (normal) to 19 (lowest): the runner and its calcs go first',
      '10',
    )
    .action(async (options: { refresh: string; nice: string }, command: Command) => {
      const { campaign } = command.optsWithGlobals<{ campaign?: string }>();
      const refreshMs = Number(options.refresh);
      if (!Number.isInteger(refreshMs) || refreshMs < 100)
        throw new InputError(
          '--refresh',
          `expected whole milliseconds ≥ 100, got ${options.refresh}`,
        );
      const nice = Number(options.nice);
      if (!Number.isInteger(nice) || nice < 0 || nice > 19)
        throw new InputError('--nice', `expected a whole number from 0 to 19, got ${options.nice}`);
      if (!process.stdout.isTTY || !process.stdin.isTTY)
        throw new InputError(
          'retort tui',
          'needs a terminal (stdin and stdout); use retort status --json in scripts',
        );
      const root = findCampaignRoot(campaign, process.cwd());
      // Ink draws only a final frame when CI or CONTINUOUS_INTEGRATION is set (read once, when
      // it is loaded); stdin and stdout are a terminal here, so the view is interactive whatever
      // the environment says.
      delete process.env.CI;
      delete process.env.CONTINUOUS_INTEGRATION;
      // Loaded only here: no other command pays for React.
      const { openTui } = await import('../tui/open-tui.js');
      await openTui(root, refreshMs, nice);
    });
}
