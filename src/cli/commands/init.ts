import type { Command } from 'commander';
import { initCampaign } from '../../runtime/campaign.js';

export function registerInit(program: Command): void {
  program
    .command('init')
    .summary('create a campaign in DIR')
    .description(
      `Creates a campaign: DIR/retort.yaml (settings, every default written out), DIR/retort.db (the store), and work/, details/, exports/, logs/. Other commands find the campaign with --campaign DIR or by looking for retort.yaml in the current directory and its parents.`,
    )
    .argument('<dir>', 'new or empty directory')
    .action((dir: string) => {
      const paths = initCampaign(dir);
      process.stdout.write(
        `created campaign ${paths.root}\n  settings ${paths.settings}\n  store    ${paths.db}\n`,
      );
    });
}
