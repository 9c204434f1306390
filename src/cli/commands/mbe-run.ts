import { basename } from 'node:path';
import type { Command } from 'commander';
import { campaignPaths } from '../../core/campaign-layout.js';
import { prepareMbeRun } from '../../pipelines/mbe/run-file.js';
import { runMbe } from '../../pipelines/mbe/run.js';
import { writeMbeResult } from '../../pipelines/mbe/write-result.js';
import { DEFAULT_MAX_TASKS } from '../../pipelines/mbe/size.js';
import { findCampaignRoot } from '../../runtime/campaign.js';
import { readSettings } from '../../runtime/settings.js';
import { checkRunFlags, openRunSession, parseCount, type RunFlags } from '../session.js';
import { executorOption, headlessOption, workersOption } from '../run-options.js';

interface MbeRunFlags extends RunFlags {
  readonly output?: string;
  readonly maxTasks?: string;
}
/** `retort mbe run FILE`: every subsystem calc through the runner, then the analysis. */
export function registerMbeRun(mbe: Command): void {
  mbe
    .command('run')
    .summary('run every subsystem calc through the runner, then the analysis')
    .description(
      `Runs every unique subsystem calc of the expansion through the runner (in parallel, largest basis first, each recorded and cached: a run that is stopped or killed and started again runs only the unfinished ones, and subsystems shared with earlier expansions are not computed again), then QCManyBody's analysis. Prints the n-body table (hartree and kcal/mol) and writes the result in QCManyBody's ManyBodyResult shape (properties, cluster_properties, return_result …), with the timings of the tasks, as the input's output section says (format json, yaml or text; file; pretty; include_timings) to --output, output.file or exports/mbe-<input name>.json. Exit status: 0 when the result was written, 1 when calcs failed or the run stopped first, 2 for a mistake in the input.`,
    )
    .argument('<file>', 'MBE input (YAML or JSON, or QCManyBody ManyBodyInput JSON)')
    .addOption(
      workersOption(
        'calcs',
        'execution.workers of the input, else retort.yaml workers, else the number of cores',
      ),
    )
    .option(
      '-o, --output <file>',
      'result file (default: the input’s output.file, else exports/mbe-<input name>.json, .yaml or .txt by output.format)',
    )
    .option('--retry-failed', 'run again subsystem calcs that failed in earlier runs')
    .addOption(executorOption())
    .addOption(headlessOption())
    .option(
      '--max-tasks <n>',
      `refuse an expansion of more unique tasks (default: execution.max_tasks, else ${DEFAULT_MAX_TASKS})`,
    )
    .action(async (file: string, _options: unknown, command: Command) => {
      process.exitCode = await mbeRun(file, command.optsWithGlobals<MbeRunFlags>());
    });
}

async function mbeRun(file: string, flags: MbeRunFlags): Promise<number> {
  const paths = campaignPaths(findCampaignRoot(flags.campaign, process.cwd()));
  const settings = readSettings(paths.settings);
  const maxTasks = parseCount(flags.maxTasks, '--max-tasks');
  const run = prepareMbeRun(file, settings, {
    ...(flags.executor === undefined ? {} : { executor: flags.executor }),
    ...(flags.workers === undefined ? {} : { workers: flags.workers }),
    ...(maxTasks === undefined ? {} : { maxTasks }),
  });
  if (run.warning !== undefined) process.stderr.write(`retort: warning: ${run.warning}\n`);
  const runFlags: RunFlags = {
    ...flags,
    ...(run.workers === undefined ? {} : { workers: run.workers }),
    ...(run.executor === undefined ? {} : { executor: run.executor }),
  };
  checkRunFlags(runFlags, settings);
  const { input } = run.read;
  const session = await openRunSession(runFlags, ['retort', 'mbe', 'run', file], {
    retries: input.execution.retries,
  });
  session.print(
    `${basename(file)}: ${run.calcs.length} subsystem calcs (${run.plan.tasks.length} unique tasks), ${input.driver}, ${input.bsse_type.join(', ')}`,
  );
  let outcome;
  try {
    outcome = await runMbe(input, run.calcs, (spec) => session.runner.request(spec), run.plan);
  } finally {
    await session.finish();
  }
  switch (outcome.status) {
    case 'failed':
      process.stdout.write(
        `${outcome.failures.length} subsystem calcs failed; no result:\n${outcome.failures
          .slice(0, 10)
          .map((f) => `  ${f.label}: ${f.failure.class}: ${f.failure.message}`)
          .join(
            '\n',
          )}\nfix the cause, then run again with --retry-failed (finished calcs are kept)\n`,
      );
      return 1;
    case 'stopped':
      process.stdout.write(
        `stopped: ${outcome.done} of ${outcome.total} subsystem calcs done; run the same command again to finish\n`,
      );
      return 1;
    case 'complete': {
      const output = writeMbeResult(
        file,
        input,
        outcome.result,
        outcome.timings,
        paths.exports,
        flags.output,
      );
      process.stdout.write(outcome.result.stdout);
      process.stdout.write(
        `   return_energy: ${outcome.result.ret_energy.toFixed(12)} Eh (${outcome.computed} calcs run, ${outcome.cached} from the store); wrote ${output}\n`,
      );
      return 0;
    }
  }
}
