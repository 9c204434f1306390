import type { Campaign } from '../../../runtime/campaign.js';
import { writeBatchCsv } from './batch-csv.js';
import { writeAllDetails } from './details.js';
import { writeParityPlot } from './parity-plot.js';

/** What an export wrote. */
export interface ExportedPaths {
  /** exports/crest_pm7_batch_status.csv */
  readonly csv: string;
  /** details/<mol_id>.json of every molecule that ran. */
  readonly details: readonly string[];
  /** exports/pm7_vs_reference.svg, when there is something to plot. */
  readonly parity_plot: string | undefined;
}

/** Regenerates every export of the PM7 dataset from the store. */
export async function exportAll(
  campaign: Campaign,
  options: { withReference?: boolean } = {},
): Promise<ExportedPaths> {
  const csv = writeBatchCsv(campaign, { withReference: options.withReference === true });
  const details = writeAllDetails(campaign);
  return { csv, details, parity_plot: await writeParityPlot(campaign) };
}
