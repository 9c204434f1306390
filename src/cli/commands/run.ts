import type { Command } from 'commander';
import { ENGINES } from '../../engines/registry.js';
import {
  readCalcListFile,
  runCalcList,
  type LineResult,
} from '../../pipelines/calc-list/calc-list.js';
import { findCampaignRoot } from '../../runtime/campaign.js';
import { readSettings } from '../../runtime/settings.js';
import { campaignPaths } from '../../core/campaign-layout.js';
import { TemplateLibrary } from '../../templates/library.js';
import { formatDuration, resultSummary, table } from '../format.js';
import { checkRunFlags, openRunSession, parseCount, type RunFlags } from '../session.js';
import { executorOption, headlessOption, workersOption } from '../run-options.js';

interface RunOptions extends RunFlags {
  readonly json?: boolean;
  readonly priority?: string;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .summary('run a list of calcs (JSON Lines) through the runner')
    .description(
      `Runs every calc of FILE, one JSON object per line, e.g.
  {"program":"mopac","task":"optimize","method":"PM7","smiles":"CCO","label":"ethanol"}
  {"program":"xtb","method":"GFN2","xyz":"benzene.xyz","charge":0,"multiplicity":1}
  {"program":"command","argv":["sh","-c","echo hi > out.txt"],"outputs":["out.txt"],"walltime_s":60}
Calcs already in the store are answered from it without running; the others run on the executor (--executor, else retort.yaml's executor: local, ssh:NAME or slurm:NAME), at most --workers at once, higher priority first, then the longest predicted first. The whole file is checked first (every line turned into its calc, charge and multiplicity checked against the electron count, a SMILES by its atoms): a mistake names its line and field, exit status 2, and nothing runs. Fields: program (${ENGINES.map((e) => e.program).join(', ')}), task, method, basis, keywords, options, smiles | xyz | atoms, charge, multiplicity, argv, files, outputs, env, walltime_s, cores, memory_mb, label, priority.
Exit status: 0 when every calc succeeded, 1 when any failed or did not run, 2 for a usage error.`,
    )
    .argument('<file>', 'calc list, one JSON object per line (.jsonl)')
    .addOption(workersOption('calcs'))
    .option(
      '--retry-failed',
      'run again calcs that failed in earlier runs, even when a retry cannot help',
    )
    .option(
      '--failure-threshold <n>',
      'pause after this many failed calcs (0: never; default from retort.yaml)',
    )
    .addOption(headlessOption())
    .addOption(executorOption())
    .option('--json', 'print the results as one JSON array')
    .option(
      '--priority <n>',
      "priority of the file's calcs that give none (an integer, higher first; default 0)",
    )
    .action(async (file: string, options: RunOptions, command: Command) => {
      const flags = { ...command.optsWithGlobals<RunOptions>(), ...options };
      process.exitCode = await runFile(file, flags);
    });
}

async function runFile(file: string, flags: RunOptions): Promise<number> {
  const paths = campaignPaths(findCampaignRoot(flags.campaign, process.cwd()));
  const settings = readSettings(paths.settings);
  checkRunFlags(flags, settings);
  const priority = parseCount(flags.priority, '--priority', -1_000_000) ?? 0;
  const list = await readCalcListFile(
    file,
    settings.defaults,
    new TemplateLibrary(paths.templates),
  );

  const session = await openRunSession(flags, ['retort', 'run', file], {
    quiet: flags.json === true,
  });
  const started = Date.now();
  let results: LineResult[];
  try {
    results = await runCalcList(
      list,
      (spec, options) => session.runner.request(spec, undefined, options),
      priority,
    );
  } catch (error) {
    session.runner.fail(String(error));
    await session.finish();
    throw error;
  }
  const summary = await session.finish();
  if (flags.json === true) {
    process.stdout.write(`${JSON.stringify(results.map(jsonOf), null, 2)}\n`);
    // stdout is for a program; why the run did not complete is for the person who started it.
    if (summary.state !== 'complete' && summary.message !== null)
      process.stderr.write(`retort: run ${summary.state}: ${summary.message}\n`);
  } else {
    const rows = results.map((r) => [
      r.where.slice(r.where.lastIndexOf(':') + 1),
      r.label ?? '',
      `${r.program} ${r.task}`,
      r.status === 'succeeded' ? (r.cached ? 'ok (stored)' : 'ok') : r.status,
      r.status === 'succeeded' && r.result !== undefined
        ? resultSummary(r.result)
        : r.status === 'not_run'
          ? '(stays queued for the next run)'
          : `${r.failure?.class ?? ''} ${r.message ?? ''}`.trim(),
    ]);
    process.stdout.write(`${table(['line', 'label', 'calc', 'status', 'result'], rows)}\n`);
    const t = summary.totals;
    process.stdout.write(
      `\nrun ${summary.runId} ${summary.state} in ${formatDuration((Date.now() - started) / 1000)}: ${t.succeeded} ran ok, ${t.cached} from the store, ${t.failed} failed, ${t.total - t.completed} not run${summary.message === null ? '' : ` (${summary.message})`}\n`,
    );
    if (session.logFile !== undefined) process.stdout.write(`log: ${session.logFile}\n`);
  }
  return results.every((r) => r.status === 'succeeded') ? 0 : 1;
}

function jsonOf(r: LineResult): Record<string, unknown> {
  return {
    line: r.where,
    label: r.label ?? null,
    program: r.program,
    task: r.task,
    key: r.key ?? null,
    cached: r.cached,
    status: r.status,
    result: r.result ?? null,
    failure: r.failure ?? null,
    message: r.message ?? null,
    notes: r.notes,
  };
}
