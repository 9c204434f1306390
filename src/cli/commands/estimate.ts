import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { campaignPaths } from '../../core/campaign-layout.js';
import { InputError } from '../../core/errors.js';
import { readCalcListFile } from '../../pipelines/calc-list/calc-list.js';
import { prepareMbeRun } from '../../pipelines/mbe/run-file.js';
import { findCampaignRoot, openCampaign } from '../../runtime/campaign.js';
import { estimateCalcs, type Estimate } from '../../runtime/scheduling/estimate.js';
import { CostModel, type CostedSpec } from '../../runtime/scheduling/learned-cost.js';
import { readSettings } from '../../runtime/settings.js';
import { formatDuration, table } from '../format.js';
import { parseCount } from '../session.js';

interface EstimateOptions {
  readonly campaign?: string;
  readonly workers?: string;
  readonly json?: boolean;
}

/**
 * `retort estimate FILE`: the predicted wall time of every calc of a calc list (.jsonl) or an
 * MBE input, from the campaign's cost model (runtime/scheduling/learned-cost.ts), and of the
 * whole on the workers. `--json` prints runtime/scheduling/estimate.ts `Estimate` as is.
 */
export function registerEstimate(program: Command): void {
  program
    .command('estimate')
    .summary('predict the wall time of a calc list or an MBE input before running it')
    .description(
      `Predicts the wall time of every calc of FILE — a calc list (.jsonl, as retort run takes it) or an MBE input (as retort mbe run takes it) — and of the whole, from the timings of the calcs in the campaign's store: per program, task, method and basis, growing with the calc's size (electrons, ghost atoms' included), else per program and task, else per program, else a rough built-in figure per program (the "from" column says which). Nothing runs and nothing is recorded. The wall time of the whole assumes --workers calcs at once, longest first, as retort run orders them.`,
    )
    .argument('<file>', 'calc list (.jsonl) or MBE input (YAML or JSON)')
    .option('-w, --workers <n>', 'calcs at once (default: retort.yaml workers, else the cores)')
    .option('--json', 'print one JSON object: rows, total_s, workers, wall_s')
    .action(async (file: string, options: EstimateOptions, command: Command) => {
      const flags = { ...command.optsWithGlobals<EstimateOptions>(), ...options };
      const estimate = await estimateFile(file, flags);
      process.stdout.write(
        flags.json === true ? `${JSON.stringify(estimate, null, 2)}\n` : text(estimate),
      );
    });
}

async function estimateFile(file: string, flags: EstimateOptions): Promise<Estimate> {
  const root = findCampaignRoot(flags.campaign, process.cwd());
  const settings = readSettings(campaignPaths(root).settings);
  const workers =
    parseCount(flags.workers, '--workers') ?? settings.workers ?? availableParallelism();
  if (!existsSync(file)) throw new InputError(file, 'no such file');
  const calcs: { label: string; spec: CostedSpec }[] = [];
  if (file.endsWith('.jsonl')) {
    const list = await readCalcListFile(file, settings.defaults);
    for (const checked of list.lines) {
      const spec = checked.checkedSpec ?? { program: checked.line.program, task: 'energy' };
      calcs.push({ label: checked.line.label ?? checked.where, spec });
    }
  } else {
    for (const c of prepareMbeRun(file, settings, {}).calcs) {
      calcs.push({ label: c.task.label, spec: c.spec });
    }
  }
  const campaign = openCampaign(root, { readonly: existsSync(campaignPaths(root).db) });
  try {
    return estimateCalcs(CostModel.learn(campaign.calcs.timings()), calcs, workers);
  } finally {
    campaign.close();
  }
}

function text(e: Estimate): string {
  const rows = e.rows.map((r) => [
    r.label,
    `${r.program} ${r.task}`,
    formatDuration(r.predicted_s),
    r.source,
  ]);
  return `${table(['calc', 'program', 'predicted', 'from'], rows)}\n\n${e.rows.length} calcs: ${formatDuration(e.total_s)} of work, about ${formatDuration(e.wall_s)} on ${e.workers} workers (longest first)\n`;
}
