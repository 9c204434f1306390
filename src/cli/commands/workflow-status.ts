import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { campaignPaths } from '../../core/campaign-layout.js';
import { CampaignError, InputError } from '../../core/errors.js';
import { didYouMean } from '../../core/fields/describe.js';
import {
  defaultColumns,
  parseColumns,
  workflowCsv,
  workflowJson,
  type InstanceItem,
} from '../../pipelines/workflow/export.js';
import {
  storedInstances,
  storedShape,
  storedWorkflowNames,
  workflowItems,
} from '../../pipelines/workflow/stored.js';
import type { WorkflowShape } from '../../pipelines/workflow/workflow-item.js';
import { writeFileAtomic } from '../../runtime/atomic-write.js';
import { findCampaignRoot, openCampaign } from '../../runtime/campaign.js';
import { table } from '../format.js';

export function registerWorkflowStatus(workflow: Command): void {
  workflow
    .command('status')
    .summary('where each instance and step of a workflow stands')
    .description(
      'Per instance and step of workflow NAME (the name: field of its file; default: the only workflow run in this campaign): state (pending, running, succeeded, failed, skipped, not_run), the calc key (short), whether the result came from the store, and why a step failed or was skipped. Reads the store only: safe while a run goes on.',
    )
    .argument('[name]', 'workflow name')
    .option('--json', 'print every instance with its steps as JSON')
    .action((name: string | undefined, options: { json?: boolean }, command: Command) => {
      const { instances, workflow } = readStored(command, name);
      if (options.json === true) {
        process.stdout.write(`${JSON.stringify(workflowJson(instances), null, 2)}\n`);
        return;
      }
      const rows: string[][] = [];
      for (const item of instances) {
        for (const [step, r] of Object.entries(item.result?.steps ?? {})) {
          rows.push([
            item.payload.instance,
            step,
            r.state,
            r.key?.slice(0, 12) ?? '',
            r.state === 'succeeded' ? (r.cached ? 'yes' : 'no') : '',
            r.reason ?? '',
          ]);
        }
      }
      process.stdout.write(
        `${table(['instance', 'step', 'state', 'key', 'cached', 'reason'], rows)}\n`,
      );
      const by = (s: string) => instances.filter((i) => i.status === s).length;
      process.stdout.write(
        `\nworkflow ${workflow}: ${instances.length} instances: ${by('OK')} finished, ${by('Rerun')} failed, ${by('Running')} running, ${by('To run') + by('Pending')} to run\n`,
      );
    });

  workflow
    .command('export')
    .summary('a CSV (one row per instance) and a JSON of a workflow’s results')
    .description(
      'Writes <dir>/workflow-<NAME>.csv, one row per instance: its key, then the columns (default: every matrix value, then per step its state and energy), and <dir>/workflow-<NAME>.json with every instance, step, key and result. A column is an expression over one instance (steps.opt.result.total_energy_hartree, matrix.name, steps.dft.state …); a value an instance does not have is left empty.',
    )
    .argument('<name>', 'workflow name')
    .option('--columns <list>', 'comma-separated columns (expressions)')
    .option('-o, --output <dir>', 'directory (default: the campaign’s exports/)')
    .action((name: string, options: { columns?: string; output?: string }, command: Command) => {
      const { instances, workflow, shape, exports } = readStored(command, name);
      const columns =
        options.columns === undefined
          ? undefined
          : options.columns
              .split(',')
              .map((c) => c.trim())
              .filter((c) => c !== '');
      const written = writeWorkflowExports(
        instances,
        workflow,
        shape,
        options.output === undefined ? exports : resolve(options.output),
        columns,
      );
      process.stdout.write(`wrote ${written.join(', ')}\n`);
    });
}

/**
 * Writes a workflow's CSV and JSON exports into `dir` (atomically); returns their paths. The
 * default columns follow the workflow's recorded shape.
 */
export function writeWorkflowExports(
  instances: readonly InstanceItem[],
  workflow: string,
  shape: WorkflowShape,
  dir: string,
  columns?: readonly string[],
): string[] {
  const chosen = parseColumns(columns ?? defaultColumns(instances, shape));
  mkdirSync(dir, { recursive: true });
  const csv = join(dir, `workflow-${workflow}.csv`);
  const json = join(dir, `workflow-${workflow}.json`);
  writeFileAtomic(csv, workflowCsv(instances, chosen));
  writeFileAtomic(json, `${JSON.stringify(workflowJson(instances), null, 2)}\n`);
  return [csv, json];
}

function readStored(
  command: Command,
  name: string | undefined,
): { instances: InstanceItem[]; workflow: string; shape: WorkflowShape; exports: string } {
  const { campaign: dir } = command.optsWithGlobals<{ campaign?: string }>();
  const root = findCampaignRoot(dir, process.cwd());
  const paths = campaignPaths(root);
  if (!existsSync(paths.db)) throw new CampaignError('no workflow has run in this campaign yet');
  const campaign = openCampaign(root, { readonly: true });
  try {
    const items = workflowItems(campaign);
    const names = storedWorkflowNames(items);
    const workflow = name ?? (names.length === 1 ? names[0] : undefined);
    if (workflow === undefined) {
      throw new InputError(
        'NAME',
        names.length === 0
          ? 'no workflow has run in this campaign yet'
          : `give the workflow: ${names.join(', ')}`,
      );
    }
    if (!names.includes(workflow)) {
      throw new InputError(
        workflow,
        `no such workflow in this campaign${didYouMean(workflow, names)}; it has: ${names.join(', ') || 'none'}`,
      );
    }
    const shape = storedShape(items, workflow) ?? { file: '', steps: [] };
    return { instances: storedInstances(items, workflow), workflow, shape, exports: paths.exports };
  } finally {
    campaign.close();
  }
}
