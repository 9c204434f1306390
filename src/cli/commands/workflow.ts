import { existsSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { TemplateLibrary } from '../../templates/library.js';
import { campaignPaths } from '../../core/campaign-layout.js';
import { calcKey } from '../../core/calc-key.js';
import type { CalcSpec } from '../../core/calc-spec.js';
import { DEFAULT_RESOURCES, type Resources } from '../../core/calc-spec.js';
import { CampaignError } from '../../core/errors.js';
import { getEngine } from '../../engines/registry.js';
import { checkDag } from '../../pipelines/workflow/dag.js';
import { drawDag, parseDagFormat, summarizeStates } from '../../pipelines/workflow/graph/index.js';
import { planWorkflow } from '../../pipelines/workflow/plan.js';
import { stepDrawStates, storedInstances, workflowItems } from '../../pipelines/workflow/stored.js';
import { checkWorkflow } from '../../pipelines/workflow/workflow-check.js';
import { readWorkflowFile } from '../../pipelines/workflow/workflow-file.js';
import type { CalcResolution } from '../../runtime/calc-request.js';
import { findCampaignRoot, openCampaign, type Campaign } from '../../runtime/campaign.js';
import { readSettings } from '../../runtime/settings.js';
import { table } from '../format.js';
import { collectSet } from './workflow-options.js';
import { registerWorkflowRun } from './workflow-run.js';
import { registerWorkflowStatus } from './workflow-status.js';

/** `retort workflow …`: multi-step calculations as a DAG (pipelines/workflow). */
export function registerWorkflow(program: Command): void {
  const workflow = program
    .command('workflow')
    .summary('multi-step calculations: validate, plan, run, status, export, graph')
    .description(
      'A workflow file (YAML) names steps — each a calc, as a calc-list line — with what each needs, expressions ${{ … }} passing results along, conditions (when) and a sweep (matrix). See README.md, "Workflows".',
    );

  workflow
    .command('validate')
    .summary('check a workflow file without running anything')
    .description(
      'Reads FILE and checks it whole: fields, params (defaults and --set), the matrix (its CSV), needs (unknown steps, cycles), every expression (syntax, names it reads: params, matrix columns, steps it needs, result fields the step’s program returns for its task) and every calc that does not depend on an earlier step (built and prepared for every instance). One line per mistake, naming file:line; exit status 2. Needs no campaign (resource defaults from retort.yaml when there is one).',
    )
    .argument(
      '<file>',
      'workflow file (YAML), or the name of a built-in workflow (crystal-three-step)',
    )
    .option('--set <name=value>', 'a param value (repeatable)', collectSet, [])
    .action(async (file: string, options: { set: string[] }, command: Command) => {
      const checked = await checkWorkflow(file, options.set, process.cwd(), defaultsFor(command));
      process.stdout.write(
        `${file}: workflow ${checked.def.name} is valid: ${checked.def.steps.length} steps (${checked.dag.order.join(' → ')}), ${checked.instances.length} instance${checked.instances.length === 1 ? '' : 's'}\n`,
      );
    });

  workflow
    .command('plan')
    .summary('instances × steps and what the store already has')
    .description(
      'Checks FILE as validate does, then lists every instance × step: `stored` (the store has its result: a run takes it from there), `failed` (the store has it as failed), `new` (a run computes it), `later` (its calc reads an earlier step, so it is known only once that step is done). Runs nothing.',
    )
    .argument(
      '<file>',
      'workflow file (YAML), or the name of a built-in workflow (crystal-three-step)',
    )
    .option('--set <name=value>', 'a param value (repeatable)', collectSet, [])
    .option('--json', 'print the rows as a JSON array')
    .action(async (file: string, options: { set: string[]; json?: boolean }, command: Command) => {
      const { campaign: dir } = command.optsWithGlobals<{ campaign?: string }>();
      const root = findCampaignRoot(dir, process.cwd());
      const checked = await checkWorkflow(
        file,
        options.set,
        process.cwd(),
        readSettings(campaignPaths(root).settings).defaults,
        new TemplateLibrary(campaignPaths(root).templates),
      );
      const campaign = openCampaign(root, { readonly: existsSync(campaignPaths(root).db) });
      let rows;
      try {
        rows = await planWorkflow(checked, storeLookup(campaign));
      } finally {
        campaign.close();
      }
      if (options.json === true) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      process.stdout.write(
        `${table(
          ['instance', 'step', 'calc', 'plan', 'key', 'note'],
          rows.map((r) => [
            r.instance,
            r.step,
            `${r.program ?? '?'} ${r.task ?? ''}`.trim(),
            r.state,
            r.key?.slice(0, 12) ?? '',
            r.note ?? '',
          ]),
        )}\n`,
      );
      const count = (s: string) => rows.filter((r) => r.state === s).length;
      process.stdout.write(
        `\n${checked.instances.length} instances × ${checked.def.steps.length} steps: ${count('stored')} stored, ${count('new')} new, ${count('failed')} failed before, ${count('later')} known later\n`,
      );
    });

  workflow
    .command('graph')
    .summary('draw the steps as a graph (svg, dot, mermaid)')
    .description(
      'Draws the DAG of FILE, each step coloured by its state over the instances of the last run of this workflow in the campaign (when there is one): running, failed, pending, skipped, cached or succeeded, with the counts.',
    )
    .argument(
      '<file>',
      'workflow file (YAML), or the name of a built-in workflow (crystal-three-step)',
    )
    .option('-f, --format <format>', 'svg, dot or mermaid', 'svg')
    .option('-o, --output <file>', 'write here (default: stdout)')
    .action((file: string, options: { format: string; output?: string }, command: Command) => {
      const format = parseDagFormat(options.format, '--format');
      const def = readWorkflowFile(file);
      checkDag(def.steps);
      const instances = storedRunOf(command, def.name) ?? [];
      const drawing = {
        title: def.name,
        steps: def.steps.map((s) => {
          const needs = s.needs.map((n) => n.name);
          const summary = summarizeStates(stepDrawStates(instances, s.name));
          return {
            name: s.name,
            needs,
            ...(summary === undefined ? {} : { state: summary.state }),
            ...(summary?.label === undefined ? {} : { label: summary.label }),
          };
        }),
      };
      const text = drawDag(drawing, format);
      if (options.output === undefined)
        process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
      else writeFileSync(options.output, text);
    });

  registerWorkflowRun(workflow);
  registerWorkflowStatus(workflow);
}

/** The resource defaults of the campaign here, when there is one. */
function defaultsFor(command: Command): Resources {
  const { campaign: dir } = command.optsWithGlobals<{ campaign?: string }>();
  try {
    return readSettings(campaignPaths(findCampaignRoot(dir, process.cwd())).settings).defaults;
  } catch (error) {
    if (error instanceof CampaignError && dir === undefined) return DEFAULT_RESOURCES;
    throw error;
  }
}

/** The instances of a workflow's runs in the campaign here; undefined outside a campaign. */
function storedRunOf(command: Command, name: string) {
  const { campaign: dir } = command.optsWithGlobals<{ campaign?: string }>();
  let root: string;
  try {
    root = findCampaignRoot(dir, process.cwd());
  } catch (error) {
    if (error instanceof CampaignError && dir === undefined) return undefined;
    throw error;
  }
  if (!existsSync(campaignPaths(root).db)) return undefined;
  const campaign = openCampaign(root, { readonly: true });
  try {
    return storedInstances(workflowItems(campaign), name);
  } finally {
    campaign.close();
  }
}

/** Answers a spec from the store without running it (`not_run` when the store lacks it). */
export function storeLookup(campaign: Campaign): (spec: CalcSpec) => Promise<CalcResolution> {
  return (spec) => {
    const key = calcKey(spec, getEngine(spec.program).adapterVersion);
    const calc = campaign.calcs.get(key);
    if (calc?.status === 'succeeded' && calc.result !== null) {
      return Promise.resolve({
        status: 'succeeded',
        key,
        cached: true,
        result: calc.result,
        programVersion: calc.programVersion,
      });
    }
    if (calc?.status === 'failed' && calc.failure !== null) {
      return Promise.resolve({ status: 'failed', key, cached: true, failure: calc.failure });
    }
    return Promise.resolve({ status: 'not_run', key, reason: 'not in the store' });
  };
}
