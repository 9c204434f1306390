import { relative } from 'node:path';
import type { Command } from 'commander';
import { exportAll } from '../../pipelines/pm7/exports/export-all.js';
import { findCampaignRoot, openCampaign } from '../../runtime/campaign.js';

export function registerExport(program: Command): void {
  program
    .command('export')
    .summary("regenerate the dataset's exports from the store")
    .description(
      `Writes exports/crest_pm7_batch_status.csv (one row per molecule, 36 columns), details/<mol_id>.json for every molecule that ran, and exports/pm7_vs_reference.svg (a parity plot) when the dataset has a reference column. Every file is written atomically; safe while a run goes on in another process.`,
    )
    .option(
      '--with-reference',
      "add the dataset's reference columns and pm7_minus_reference_kcal_mol to the CSV",
    )
    .action(async (options: { withReference?: boolean }, command: Command) => {
      const { campaign: dir } = command.optsWithGlobals<{ campaign?: string }>();
      const root = findCampaignRoot(dir, process.cwd());
      const campaign = openCampaign(root);
      try {
        const paths = await exportAll(campaign, { withReference: options.withReference === true });
        const show = (p: string): string => relative(process.cwd(), p) || p;
        const lines = [`csv      ${show(paths.csv)}`];
        lines.push(
          `details  ${show(campaign.paths.details)}/ (${paths.details.length} file${paths.details.length === 1 ? '' : 's'})`,
        );
        lines.push(
          `plot     ${paths.parity_plot === undefined ? 'none (no reference column, or no OK molecule with a reference value)' : show(paths.parity_plot)}`,
        );
        process.stdout.write(`${lines.join('\n')}\n`);
      } finally {
        campaign.close();
      }
    });
}
