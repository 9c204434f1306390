import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { campaignPaths } from '../../core/campaign-layout.js';
import { InputError } from '../../core/errors.js';
import { readCalcListFile } from '../../pipelines/calc-list/calc-list.js';
import { prepareMbeRun } from '../../pipelines/mbe/run-file.js';
import { findCampaignRoot, openCampaign } from '../../runtime/campaign.js';
import { batchCalcs } from '../../pipelines/pm7/batch-estimate.js';
import { pendingCalcs } from '../../pipelines/workflow/pending-calcs.js';
import { checkWorkflow } from '../../pipelines/workflow/workflow-check.js';
import {
  estimateCalcs,
  type Estimate,
  type PlannedCalc,
} from '../../runtime/scheduling/estimate.js';
import { TemplateLibrary } from '../../templates/library.js';
import { CostModel } from '../../runtime/scheduling/learned-cost.js';
import { readSettings } from '../../runtime/settings.js';
import { formatDuration, table } from '../format.js';
import { parseCount } from '../session.js';
import { storeLookup } from './workflow.js';
import { collectSet } from './workflow-options.js';

interface EstimateOptions {
  readonly campaign?: string;
  readonly workers?: string;
  readonly json?: boolean;
  readonly batch?: string;
  readonly workflow?: string;
  readonly set: string[];
}

/**
 * `retort estimate FILE | --batch ID | --workflow FILE`: the predicted wall time of every calc
 * still to run of a calc list (.jsonl) or an MBE input, of a dataset batch, or of a workflow,
 * from the campaign's cost model (runtime/scheduling/learned-cost.ts), and of the whole on the
 * workers. `--json` prints runtime/scheduling/estimate.ts `Estimate` as is.
 */
export function registerEstimate(program: Command): void {
  program
    .command('estimate')
    .summary('predict the wall time of a calc list, an MBE input, a batch or a workflow')
    .description(
      `Predicts the wall time of every calc still to run of FILE — a calc list (.jsonl, as retort run takes it) or an MBE input (as retort mbe run takes it) —, of a dataset batch (--batch ID: its molecules To run, each through 3D geometry, conformer search and PM7) or of a workflow (--workflow FILE: every instance × step not in the store), and of the whole, from the timings of the calcs in the campaign's store: per program, task, method and basis, growing with the calc's size (electrons, ghost atoms' included), else per program and task, else per program, else a rough built-in figure per program (the "from" column says which). Nothing runs and nothing is recorded. The wall time of the whole assumes --workers calcs at once, longest first (a batch: its molecules in batch order, on the batch's workers), each after the calcs it needs.`,
    )
    .argument('[file]', 'calc list (.jsonl) or MBE input (YAML or JSON)')
    .option('--batch <id>', "a dataset batch: its molecules' calcs still to run")
    .option('--workflow <file>', 'a workflow file: its instances × steps not in the store')
    .option('--set <name=value>', 'a param value of the workflow (repeatable)', collectSet, [])
    .option(
      '-w, --workers <n>',
      "calcs at once (default: a batch's workers, else retort.yaml workers, else the cores)",
    )
    .option('--json', 'print one JSON object: rows, calcs, total_s, workers, order, wall_s')
    .action(async (file: string | undefined, options: EstimateOptions, command: Command) => {
      const flags = { ...command.optsWithGlobals<EstimateOptions>(), ...options };
      const estimate = await estimateWork(file, flags);
      process.stdout.write(
        flags.json === true ? `${JSON.stringify(estimate, null, 2)}\n` : text(estimate),
      );
    });
}

async function estimateWork(file: string | undefined, flags: EstimateOptions): Promise<Estimate> {
  const given = [file, flags.batch, flags.workflow].filter((g) => g !== undefined);
  if (given.length !== 1) {
    throw new InputError(
      'retort estimate',
      given.length === 0
        ? 'expected what to estimate: FILE, --batch ID or --workflow FILE'
        : 'give one of FILE, --batch ID or --workflow FILE',
    );
  }
  if (flags.set.length > 0 && flags.workflow === undefined)
    throw new InputError('--set', 'only a workflow (--workflow FILE) takes params');
  const root = findCampaignRoot(flags.campaign, process.cwd());
  const paths = campaignPaths(root);
  const settings = readSettings(paths.settings);
  const workersFlag = parseCount(flags.workers, '--workers');
  const workers = workersFlag ?? settings.workers ?? availableParallelism();
  for (const f of [file, flags.workflow]) {
    if (f !== undefined && !existsSync(f)) throw new InputError(f, 'no such file');
  }
  const checkedWorkflow =
    flags.workflow === undefined
      ? undefined
      : await checkWorkflow(
          flags.workflow,
          flags.set,
          process.cwd(),
          settings.defaults,
          new TemplateLibrary(paths.templates),
        );
  const calcs: PlannedCalc[] = [];
  if (file?.endsWith('.jsonl') === true) {
    const list = await readCalcListFile(file, settings.defaults);
    for (const checked of list.lines) {
      const spec = checked.checkedSpec ?? { program: checked.line.program, task: 'energy' };
      calcs.push({ label: checked.line.label ?? checked.where, spec });
    }
  } else if (file !== undefined) {
    for (const c of prepareMbeRun(file, settings, {}).calcs) {
      calcs.push({ label: c.task.label, spec: c.spec });
    }
  }
  const campaign = openCampaign(root, { readonly: existsSync(paths.db) });
  try {
    const model = CostModel.learn(campaign.calcs.timings());
    if (flags.batch !== undefined) {
      const batch = await batchCalcs(campaign, flags.batch, storeLookup(campaign));
      return estimateCalcs(model, batch.calcs, workersFlag ?? batch.workers, 'in order');
    }
    if (checkedWorkflow !== undefined) {
      calcs.push(...(await pendingCalcs(checkedWorkflow, storeLookup(campaign))));
    }
    return estimateCalcs(model, calcs, workers);
  } finally {
    campaign.close();
  }
}

function text(e: Estimate): string {
  const rows = e.rows.map((r) => [
    r.label,
    `${r.program} ${r.task}`,
    String(r.calcs),
    formatDuration(r.predicted_s),
    r.source,
  ]);
  const order = e.order === 'in order' ? 'molecules in batch order' : 'longest first';
  const head =
    rows.length === 0
      ? 'nothing to run\n'
      : `${table(['calc', 'program', 'calcs', 'predicted', 'from'], rows)}\n`;
  return `${head}\n${e.calcs} calcs: ${formatDuration(e.total_s)} of work, about ${formatDuration(e.wall_s)} on ${e.workers} workers (${order})\n`;
}
