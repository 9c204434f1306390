import type { Command } from 'commander';
import { campaignPaths } from '../../core/campaign-layout.js';
import { TemplateLibrary } from '../../templates/library.js';
import { writeWorkflowBandPlots } from '../../pipelines/workflow/band-plots.js';
import { writeWorkflowExports } from './workflow-status.js';
import { runWorkflow, type InstanceOutcome } from '../../pipelines/workflow/run.js';
import { WorkflowCounts } from '../../pipelines/workflow/run-counts.js';
import { storedInstances, workflowItems } from '../../pipelines/workflow/stored.js';
import { checkWorkflow, workflowShape } from '../../pipelines/workflow/workflow-check.js';
import { findCampaignRoot } from '../../runtime/campaign.js';
import { readSettings } from '../../runtime/settings.js';
import { formatDuration, resultSummary, table } from '../format.js';
import { checkRunFlags, openRunSession, type RunFlags } from '../session.js';
import { collectSet } from './workflow-options.js';
import { executorOption, headlessOption, workersOption } from '../run-options.js';

interface WorkflowRunFlags extends RunFlags {
  readonly set: string[];
}

export function registerWorkflowRun(workflow: Command): void {
  workflow
    .command('run')
    .summary('run every instance of a workflow through the runner')
    .description(
      `Checks FILE whole (as validate), then runs every instance at once through the runner (--executor, else retort.yaml's executor; at most --workers calcs at once); within an instance a step starts when the steps it needs are done. Each step is a calc, cached by its key: a step the store already has (from an earlier run, or another workflow asking for the same calc) is not computed again, so a run that was stopped or killed resumes where it was. Every step's state is recorded in the store as it changes (retort workflow status). A step whose when: is false is skipped, and the steps that need it too; a failed step fails the steps that need it, not the other instances. --failure-threshold counts failed instances. Writes exports/workflow-<name>.csv and .json at the end. Exit status: 0 when every instance finished, 1 when any failed or did not finish, 2 for a mistake in the file.`,
    )
    .argument(
      '<file>',
      'workflow file (YAML), or the name of a built-in workflow (crystal-three-step)',
    )
    .option('--set <name=value>', 'a param value (repeatable)', collectSet, [])
    .addOption(workersOption('calcs'))
    .option(
      '--retry-failed',
      'run again calcs that failed in earlier runs, even when a retry cannot help',
    )
    .option(
      '--failure-threshold <n>',
      'pause after this many failed instances (0: never; default from retort.yaml)',
    )
    .addOption(headlessOption())
    .addOption(executorOption())
    .action(async (file: string, _options: unknown, command: Command) => {
      process.exitCode = await workflowRun(file, command.optsWithGlobals<WorkflowRunFlags>());
    });
}

async function workflowRun(file: string, flags: WorkflowRunFlags): Promise<number> {
  const paths = campaignPaths(findCampaignRoot(flags.campaign, process.cwd()));
  const settings = readSettings(paths.settings);
  checkRunFlags(flags, settings);
  const checked = await checkWorkflow(
    file,
    flags.set,
    process.cwd(),
    settings.defaults,
    new TemplateLibrary(paths.templates),
  );
  const { def } = checked;
  const session = await openRunSession(
    flags,
    ['retort', 'workflow', 'run', file, ...flags.set.flatMap((s) => ['--set', s])],
    {
      calcLines: false,
    },
  );
  const total = checked.instances.length;
  session.print(
    `workflow ${def.name}: ${total} instance${total === 1 ? '' : 's'} × ${def.steps.length} steps (${checked.dag.order.join(' → ')})`,
  );
  const started = Date.now();
  const counts = new WorkflowCounts(total, def.steps.length);
  let reported = 0;
  session.runner.countItems(() => ({ ...counts.totals() }));
  const show = () => {
    const { instances } = counts.totals();
    session.items({
      noun: 'instances',
      total,
      done: instances.done,
      ok: instances.succeeded + instances.skipped,
      failed: instances.failed,
      running: total - instances.done,
      eta_s: null,
    });
  };
  show();
  const items = workflowItems(session.campaign);
  let outcomes: InstanceOutcome[];
  try {
    outcomes = await runWorkflow(checked, session.runner, items, {
      step: (instance, step, record) => {
        counts.step(instance, step, record);
        session.runner.statusChanged();
        if (record.state === 'pending' || record.state === 'running') return;
        const detail =
          record.state === 'succeeded'
            ? [
                record.cached ? 'stored' : 'ok',
                record.result === null ? '' : resultSummary(record.result),
              ]
                .filter((part) => part !== '')
                .join(' ')
            : `${record.state}${record.reason === null ? '' : `: ${record.reason}`}`;
        session.print(`${instance}/${step} ${detail}`);
      },
      instance: (outcome) => {
        counts.instance(outcome);
        session.runner.statusChanged();
        reported++;
        session.print(`[${reported}/${total}] ${outcome.instance} ${outcome.status}`);
        show();
      },
    });
  } catch (error) {
    session.runner.fail(String(error));
    await session.finish();
    throw error;
  }
  let written: string[] = [];
  const summary = await session.finish(async () => {
    const instances = storedInstances(items, def.name);
    written = [
      ...writeWorkflowExports(instances, def.name, workflowShape(def), paths.exports),
      ...(await writeWorkflowBandPlots(session.campaign, instances, def.name, paths.exports)),
    ];
  });
  const rows = outcomes.map((o) => [
    o.instance,
    o.status,
    def.steps
      .map((s) => {
        const r = o.record.steps[s.name];
        return `${s.name}:${r?.state === 'succeeded' && r.cached ? 'stored' : (r?.state ?? '?')}`;
      })
      .join(' '),
  ]);
  process.stdout.write(`${table(['instance', 'status', 'steps'], rows)}\n`);
  const t = summary.totals;
  const { succeeded: ok, skipped, failed } = counts.totals().instances;
  const stopped = outcomes.filter((o) => o.status === 'stopped').length;
  process.stdout.write(
    `\nrun ${summary.runId} ${summary.state} in ${formatDuration((Date.now() - started) / 1000)}: ${ok + skipped} instances finished, ${failed} failed, ${stopped} not finished; calcs: ${t.succeeded} ran ok, ${t.cached} from the store, ${t.failed} failed${summary.message === null ? '' : ` (${summary.message})`}\n`,
  );
  if (written.length > 0) process.stdout.write(`wrote ${written.join(', ')}\n`);
  if (session.logFile !== undefined) process.stdout.write(`log: ${session.logFile}\n`);
  return outcomes.every((o) => o.status === 'ok') ? 0 : 1;
}
