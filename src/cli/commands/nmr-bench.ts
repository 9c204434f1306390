import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { campaignPaths } from '../../core/campaign-layout.js';
import { InputError } from '../../core/errors.js';
import {
  analyzeBench,
  benchReport,
  factorsOf,
  regressionPlotData,
} from '../../pipelines/nmr/bench-analysis.js';
import { regressionPlot } from '../../plots/regression.js';
import {
  benchStatusPath,
  BENCH_DIR,
  etaWords,
  readBenchStatus,
  taskLine,
} from '../../pipelines/nmr/bench-status.js';
import {
  benchShieldings,
  finalBenchStatus,
  runBench,
  type BenchShieldings,
} from '../../pipelines/nmr/bench.js';
import { DELTA50_DIR, readDelta50, selectMolecules } from '../../pipelines/nmr/delta50.js';
import { writeFactorsFile } from '../../pipelines/nmr/factors.js';
import {
  mergeShieldings,
  readShieldingsCsv,
  shieldingsCsv,
} from '../../pipelines/nmr/shieldings-csv.js';
import { fileWord, functionalName, solventName } from '../../pipelines/nmr/levels.js';
import { findCampaignRoot, openCampaign } from '../../runtime/campaign.js';
import { readInputFile } from '../../runtime/input-file.js';
import { requestStop } from '../../runtime/control/stop-request.js';
import { lockHolderAlive } from '../../runtime/runner-lock.js';
import { readSettings } from '../../runtime/settings.js';
import { formatDuration } from '../format.js';
import {
  checkRunFlags,
  openRunSession,
  parseCount,
  parsePositive,
  type RunFlags,
} from '../session.js';
import { executorOption, headlessOption, workersOption } from '../run-options.js';

interface BenchRunOptions extends RunFlags {
  readonly functionals: string;
  readonly solvents: string;
  readonly molecules?: string;
  readonly nmrBasis: string;
  readonly data?: string;
  readonly walltime?: string;
  readonly maxFailedMolecules: string;
}

const list = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** `retort nmr bench run|status|stop|analyze`. */
export function registerNmrBench(nmr: Command): void {
  const bench = nmr
    .command('bench')
    .summary(
      'the DELTA50 benchmark: shieldings of 50 molecules × functionals × solvents, and the scaling factors',
    )
    .description(
      `Runs, watches, stops and analyzes the DELTA50 benchmark in the campaign (-C DIR or the nearest retort.yaml upwards): one NWChem GIAO shielding calc per molecule × functional × solvent on DELTA50's B3LYP/6-31G(d) geometries, then a linear regression of the experimental shifts on the shieldings that gives scaling factors for \`retort nmr predict\`.`,
    );

  bench
    .command('run')
    .summary('run (or resume) the benchmark matrix')
    .description(
      `Runs every task of the matrix not done yet: tasks done by earlier runs are kept, calcs already in the store are not computed again, tasks a stopped or killed run left are taken again. Progress goes to nmr-bench/status.json (see \`retort nmr bench status\`); STOP or \`retort nmr bench stop\` ends it between tasks; it pauses when more than --max-failed-molecules distinct molecules failed. Headless (--headless, or without a terminal) every line goes to logs/.`,
    )
    .option('--functionals <list>', 'comma-separated functionals (B3LYP, PBE0, WP04 …)', 'B3LYP')
    .option('--solvents <list>', 'comma-separated solvents (CHCl3, DMSO, vacuum …)', 'CHCl3')
    .option('--molecules <list>', 'comma-separated DELTA50 ids or numbers (default all 50)')
    .option('--nmr-basis <basis>', 'basis of the shielding calcs', '6-31G*')
    .option('--data <dir>', 'a DELTA50 directory (default: the one shipped with retort)')
    .addOption(workersOption('tasks'))
    .option('--walltime <seconds>', 'walltime per calc (default from retort.yaml)')
    .option(
      '--max-failed-molecules <n>',
      'pause when more than this many distinct molecules failed',
      '5',
    )
    .option('--retry-failed', 'run again calcs that failed in earlier runs')
    .addOption(headlessOption())
    .addOption(executorOption())
    .action(async (options: BenchRunOptions, command: Command) => {
      const flags = { ...command.optsWithGlobals<BenchRunOptions>(), ...options };
      process.exitCode = await benchRun(flags);
    });

  bench
    .command('status')
    .summary('show how far the benchmark is')
    .option('--json', 'print nmr-bench/status.json with whether its runner is alive')
    .action((options: { json?: boolean }, command: Command) => {
      const { campaign } = command.optsWithGlobals<{ campaign?: string }>();
      const root = findCampaignRoot(campaign, process.cwd());
      const status = readBenchStatus(root);
      const holder = lockHolderAlive(campaignPaths(root).lock);
      if (options.json === true) {
        process.stdout.write(
          `${JSON.stringify({ runner_alive: holder !== undefined, status: status ?? null }, null, 2)}\n`,
        );
        return;
      }
      if (status === undefined) {
        process.stdout.write(
          `no benchmark has run in ${root} (no ${benchStatusPath(root)}); start one with \`retort nmr bench run\`\n`,
        );
        return;
      }
      const live = status.state === 'running' || status.state === 'stopping';
      const out = [
        `state     ${status.state}${live && holder === undefined ? ' (its process is no longer alive: run `retort nmr bench run` again to resume)' : ''}`,
        `progress  ${status.done}/${status.total} tasks (${status.percent.toFixed(1)} %): ${status.ok} ok, ${status.failed} failed`,
      ];
      for (const c of status.current) out.push(`current   ${taskLine(c)} since ${c.started_at}`);
      if (status.eta_s !== null && live)
        out.push(
          `ETA       ${etaWords(status.eta_s)}${status.rolling_avg_s === null ? '' : ` (${formatDuration(status.rolling_avg_s)} per task, last 10)`}`,
        );
      out.push(`started   ${status.started_at}`, `updated   ${status.updated_at}`);
      if (status.message !== null) out.push(`message   ${status.message}`);
      for (const f of status.recent_failures.slice(0, 3))
        out.push(`failed    ${taskLine(f)}: ${f.message} (${f.at})`);
      if (status.log_file !== null) out.push(`log       ${status.log_file}`);
      process.stdout.write(`${out.join('\n')}\n`);
    });

  bench
    .command('stop')
    .summary('ask the running benchmark to stop after its running tasks')
    .action((_options: unknown, command: Command) => {
      const { campaign } = command.optsWithGlobals<{ campaign?: string }>();
      const paths = campaignPaths(findCampaignRoot(campaign, process.cwd()));
      const holder = lockHolderAlive(paths.lock);
      if (holder === undefined) {
        process.stdout.write('no benchmark is running in this campaign; nothing to stop\n');
        return;
      }
      const asked = requestStop(
        paths.stop,
        `nmr bench stop by pid ${process.pid} at ${new Date().toISOString()}`,
      );
      process.stdout.write(
        asked
          ? `stop requested: pid ${holder.pid} finishes its running tasks and starts no new one\n`
          : `a stop is already requested; pid ${holder.pid} is finishing its running tasks\n`,
      );
    });

  bench
    .command('export')
    .summary('write the shieldings of the tasks done as CSV, for analyze --shieldings elsewhere')
    .description(
      `Writes one row per atom of every task done (molecule, functional, nmr_basis, solvent, index, element, isotropic_ppm) to nmr-bench/shieldings.csv or --out: the benchmark's raw results without its campaign. Split a matrix over machines with \`run --molecules\` on each, export each, and analyze them together with \`retort nmr bench analyze --shieldings A.csv B.csv\`.`,
    )
    .option('--out <file>', 'the CSV file to write (default nmr-bench/shieldings.csv)')
    .action((options: { out?: string }, command: Command) => {
      const { campaign: dir } = command.optsWithGlobals<{ campaign?: string }>();
      const root = findCampaignRoot(dir, process.cwd());
      const tasks = campaignShieldings(root);
      const out =
        options.out === undefined ? join(root, BENCH_DIR, 'shieldings.csv') : resolve(options.out);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, shieldingsCsv(tasks));
      const atoms = tasks.reduce((n, t) => n + t.shieldings.length, 0);
      process.stdout.write(
        `${String(tasks.length)} tasks, ${String(atoms)} atoms written to ${out}\n`,
      );
    });

  bench
    .command('analyze')
    .summary('regressions, scaling factors and a Markdown report of the tasks done')
    .description(
      `Per functional/basis/solvent/nucleus: δ_exp = slope·σ + intercept by least squares over every assigned atom, points beyond 3 standard deviations of the residuals dropped, refitted; slope, intercept, R², MAE, RMSD, n, 95 % confidence intervals, outliers; per-compound errors. Writes nmr-bench/analysis/report.md and nmr-bench/analysis/factors.json (the factors file \`retort nmr predict --factors\` reads). Works on whatever is done so far. With --shieldings it analyzes exported files (\`retort nmr bench export\`) instead of the campaign, and needs none: a task in two files must have the same shieldings in both.`,
    )
    .option('--data <dir>', 'the DELTA50 directory the bench ran on (default: the shipped one)')
    .option(
      '--shieldings <files...>',
      'analyze these exported shieldings CSV files instead of the campaign',
    )
    .option(
      '--out <dir>',
      'where to write report.md and factors.json (default nmr-bench/analysis, with --shieldings ./nmr-analysis)',
    )
    .action(
      async (options: { data?: string; out?: string; shieldings?: string[] }, command: Command) => {
        const { campaign: dir } = command.optsWithGlobals<{ campaign?: string }>();
        const molecules = readDelta50(
          options.data === undefined ? DELTA50_DIR : resolve(options.data),
        );
        let tasks: BenchShieldings[];
        let from: string;
        let defaultOut: string;
        if (options.shieldings === undefined) {
          const root = findCampaignRoot(dir, process.cwd());
          tasks = campaignShieldings(root);
          from = `campaign ${root}`;
          defaultOut = join(root, BENCH_DIR, 'analysis');
        } else {
          const files = options.shieldings.map((f) => resolve(f));
          tasks = mergeShieldings(
            files.map((source) => ({
              source,
              tasks: readShieldingsCsv(readInputFile(source, '--shieldings'), source),
            })),
          );
          if (tasks.length === 0)
            throw new InputError(files.join(', '), 'expected the shieldings of at least one task');
          from = `files ${files.join(', ')}`;
          defaultOut = resolve('nmr-analysis');
        }
        const analysis = analyzeBench(molecules, tasks);
        const out = options.out === undefined ? defaultOut : resolve(options.out);
        mkdirSync(out, { recursive: true });
        const source = `DELTA50 (Cohen et al., Molecules 2023, 28, 2449) shieldings of ${from}, ${String(tasks.length)} tasks, analyzed ${new Date().toISOString()}`;
        writeFileSync(join(out, 'report.md'), benchReport(analysis, source));
        writeFactorsFile(join(out, 'factors.json'), source, factorsOf(analysis));
        const plots: string[] = [];
        for (const level of analysis.levels) {
          const file = join(
            out,
            `regression-${fileWord(level.functional)}-${fileWord(level.basis)}-${level.solvent}-${level.nucleus}.svg`,
          );
          writeFileSync(file, await regressionPlot(regressionPlotData(level)));
          plots.push(file);
        }
        const rows = analysis.levels.map(
          (l) =>
            `${l.functional}/${l.basis} ${l.solvent} ${l.nucleus}: slope ${l.fit.slope.toFixed(4)}, intercept ${l.fit.intercept.toFixed(3)}, R² ${l.fit.r_squared.toFixed(4)}, MAE ${l.fit.mae.toFixed(3)} ppm, RMSD ${l.fit.rmsd.toFixed(3)} ppm, n ${String(l.fit.n)} of ${String(l.points.length)}`,
        );
        process.stdout.write(
          `${rows.join('\n')}\nreport  ${join(out, 'report.md')}\nfactors ${join(out, 'factors.json')}\n${plots.map((p) => `plot    ${p}\n`).join('')}`,
        );
      },
    );
}

/** The campaign's OK bench tasks with their shieldings; refused when there are none yet. */
function campaignShieldings(root: string): BenchShieldings[] {
  const campaign = openCampaign(root, { readonly: true });
  let tasks: BenchShieldings[];
  try {
    tasks = benchShieldings(campaign);
  } finally {
    campaign.close();
  }
  if (tasks.length === 0) {
    throw new InputError(
      root,
      'no benchmark task has shieldings yet; run `retort nmr bench run` first',
    );
  }
  return tasks;
}

async function benchRun(o: BenchRunOptions): Promise<number> {
  const root = findCampaignRoot(o.campaign, process.cwd());
  const settings = readSettings(campaignPaths(root).settings);
  checkRunFlags(o, settings);
  const functionals = [
    ...new Set(list(o.functionals).map((f) => functionalName(f, '--functionals'))),
  ];
  const solvents = [...new Set(list(o.solvents).map((s) => solventName(s, '--solvents')))];
  if (functionals.length === 0)
    throw new InputError('--functionals', 'expected at least one functional');
  if (solvents.length === 0) throw new InputError('--solvents', 'expected at least one solvent');
  const nmrBasis = o.nmrBasis.trim();
  if (nmrBasis === '') throw new InputError('--nmr-basis', 'expected a basis set name');
  const all = readDelta50(o.data === undefined ? DELTA50_DIR : resolve(o.data));
  const molecules = selectMolecules(
    all,
    o.molecules === undefined ? undefined : list(o.molecules),
    '--molecules',
  );
  const maxFailed = parseCount(o.maxFailedMolecules, '--max-failed-molecules', 0) ?? 5;
  const walltime = parsePositive(o.walltime, '--walltime');
  const command = ['retort', 'nmr', 'bench', 'run', ...process.argv.slice(5)];
  const session = await openRunSession(o, command, {
    failureThreshold: maxFailed + 1,
    calcLines: false,
  });
  let result;
  try {
    result = await runBench({
      campaign: session.campaign,
      runner: session.runner,
      molecules,
      functionals,
      solvents,
      nmrBasis,
      workers: session.workers,
      resources: {
        cores: settings.defaults.cores,
        walltime_s: walltime ?? settings.defaults.walltime_s,
        ...(settings.defaults.memory_mb === undefined
          ? {}
          : { memory_mb: settings.defaults.memory_mb }),
      },
      command: command.join(' '),
      logFile: session.logFile ?? null,
      onTask: (e) => {
        session.print(
          `[${e.done}/${e.total}] ${taskLine(e.task)} ${e.status}${e.cached ? ' (from the store)' : ` ${formatDuration(e.seconds)}`}${e.error === null ? '' : ` ${e.error}`}`,
        );
        session.items({
          noun: 'tasks',
          total: e.total,
          done: e.done,
          ok: e.ok,
          failed: e.failed,
          running: 0,
          eta_s: e.eta_s,
        });
      },
    });
  } catch (error) {
    session.runner.fail(String(error));
    await session.finish();
    throw error;
  }
  const summary = await session.finish();
  const last = readBenchStatus(root);
  if (last !== undefined) finalBenchStatus(root, last, summary.state, summary.message);
  process.stdout.write(
    `nmr bench ${summary.state}: ${result.done}/${result.total} tasks done (${result.ok} ok, ${result.failed} failed), ${result.left} left${summary.message === null ? '' : ` (${summary.message})`}\n`,
  );
  if (session.logFile !== undefined) process.stdout.write(`log: ${session.logFile}\n`);
  return summary.state === 'complete' && result.failed === 0 ? 0 : 1;
}
