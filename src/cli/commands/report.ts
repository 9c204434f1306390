import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { findCampaignRoot, openCampaign } from '../../runtime/campaign.js';
import { join } from 'node:path';
import { timingsPlot } from '../../plots/timings.js';
import { writeFileAtomic } from '../../runtime/atomic-write.js';
import {
  timingReport,
  timingsPlotData,
  type TimingRow,
} from '../../runtime/scheduling/estimate.js';
import { formatDuration, table } from '../format.js';

/**
 * `retort report timings`: predicted against actual wall times per program, from the store's
 * successful attempts (runtime/scheduling/estimate.ts `TimingRow`; `--json` prints the rows).
 */
export function registerReport(program: Command): void {
  const report = program.command('report').summary('reports over the campaign store');
  report
    .command('timings')
    .summary("predicted against actual wall times per program, and the executors' queue wait")
    .description(
      `For every program, over the calcs that ran successfully with a prediction (every run records the cost model's prediction when it hands a calc over): how many, the predicted and the actual wall time summed, the median of actual ÷ predicted, the median relative error |predicted − actual| ÷ actual, and the mean wait between the hand-over and the program's start (a cluster's queue). Also draws actual against predicted time, one point per calc, in exports/timings.svg (or --plot FILE).`,
    )
    .option('--json', 'print the rows as one JSON array')
    .option('--plot <file>', 'where to write the plot (default exports/timings.svg)')
    .action(async (options: { json?: boolean; plot?: string }, command: Command) => {
      const { campaign: dir } = command.optsWithGlobals<{ campaign?: string }>();
      const root = findCampaignRoot(dir, process.cwd());
      const campaign = openCampaign(root, { readonly: existsSync(`${root}/retort.db`) });
      let rows: TimingRow[];
      let points: ReturnType<typeof timingsPlotData>;
      try {
        const timings = campaign.calcs.timings();
        rows = timingReport(timings);
        points = timingsPlotData(timings);
      } finally {
        campaign.close();
      }
      const plot = options.plot ?? join(campaign.paths.exports, 'timings.svg');
      if (points.length > 0) {
        const title = `Wall time: actual against predicted (${points.length} calcs)`;
        writeFileAtomic(plot, await timingsPlot({ title, points }));
      }
      process.stdout.write(
        options.json === true
          ? `${JSON.stringify(rows, null, 2)}\n`
          : `${text(rows)}\n${points.length > 0 ? `plot: ${plot}\n` : ''}`,
      );
    });
}

function text(rows: readonly TimingRow[]): string {
  if (rows.length === 0) return 'no successful calcs in the store yet';
  const ratio = (v: number | null): string => (v === null ? '' : v.toFixed(2));
  const percent = (v: number | null): string => (v === null ? '' : `${(v * 100).toFixed(0)} %`);
  return table(
    ['program', 'calcs', 'predicted', 'actual', 'actual/predicted', 'median error', 'queue wait'],
    rows.map((r) => [
      r.program,
      String(r.calcs),
      formatDuration(r.predicted_s),
      formatDuration(r.actual_s),
      ratio(r.median_ratio),
      percent(r.median_error),
      formatDuration(r.mean_queue_wait_s),
    ]),
  );
}
