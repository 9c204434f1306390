import type { Command } from 'commander';
import { campaignPaths } from '../../core/campaign-layout.js';
import { findCampaignRoot } from '../../runtime/campaign.js';
import { requestStop } from '../../runtime/control/stop-request.js';
import { lockHolderAlive } from '../../runtime/runner-lock.js';

export function registerStop(program: Command): void {
  program
    .command('stop')
    .summary('ask the running runner to stop gracefully')
    .description(
      `Creates the campaign's STOP file: the runner lets its running calcs finish (on SLURM: its queued and running jobs), starts nothing new, and ends "stopped"; the calcs not started stay queued for the next run. Creating DIR/STOP by hand does the same. With --now the running calcs are killed as well (SLURM jobs cancelled with scancel) and return to the queue, as with a second Ctrl-C.`,
    )
    .option(
      '--now',
      'kill the running calcs too (scancel the SLURM jobs); they run again next time',
    )
    .action((options: { now?: boolean }, command: Command) => {
      const { campaign } = command.optsWithGlobals<{ campaign?: string }>();
      const paths = campaignPaths(findCampaignRoot(campaign, process.cwd()));
      const holder = lockHolderAlive(paths.lock);
      if (holder === undefined) {
        process.stdout.write('no runner is running in this campaign; nothing to stop\n');
        return;
      }
      if (
        !requestStop(
          paths.stop,
          `stop requested by pid ${process.pid} at ${new Date().toISOString()}`,
          options.now === true ? 'now' : 'drain',
        )
      ) {
        process.stdout.write(
          `a stop is already requested; runner pid ${holder.pid} is finishing its running calcs${options.now === true ? '' : ' (retort stop --now kills them)'}\n`,
        );
        return;
      }
      process.stdout.write(
        options.now === true
          ? `stop requested: runner pid ${holder.pid} will kill its running calcs (and cancel its SLURM jobs) and return them to the queue\n`
          : `stop requested: runner pid ${holder.pid} will finish its running calcs and start nothing new\n`,
      );
    });
}
