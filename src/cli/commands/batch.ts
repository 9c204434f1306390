import type { Command } from 'commander';
import { POLICIES, STRATEGIES, type BatchStatus } from '../../core/batch-status.js';
import { InputError } from '../../core/errors.js';
import { MOLECULE_STATUSES } from '../../core/molecule-status.js';
import { runBatch } from '../../pipelines/pm7/batch-run.js';
import { crestOnPath } from '../../pipelines/pm7/conformer-search.js';
import { writeBatchCsv } from '../../pipelines/pm7/exports/batch-csv.js';
import { ThrottledExport } from '../../pipelines/pm7/exports/csv-throttle.js';
import { writeParityPlot } from '../../pipelines/pm7/exports/parity-plot.js';
import { batchSummary, formatSummary } from '../../pipelines/pm7/exports/summary.js';
import { findCampaignRoot, openCampaign, type Campaign } from '../../runtime/campaign.js';
import type { BatchRow } from '../../store/molecule-store.js';
import { table } from '../format.js';
import { openRunSession, parseCount, type RunFlags, type RunSession } from '../session.js';

interface BatchRunFlags extends RunFlags {
  readonly size: string;
  readonly crestTimeout: string;
  readonly mopacTimeout: string;
  readonly strategy: string;
  readonly policy: string;
  readonly maxRetries: string;
  readonly maxConformers: string;
  readonly seed?: string;
  readonly cores?: string;
  readonly withReference?: boolean;
}

export function registerBatch(program: Command): void {
  const batch = program
    .command('batch')
    .summary('run the PM7 pipeline over the imported dataset, in batches')
    .description(
      `Selects molecules of the imported dataset (retort import) into a batch and runs the PM7 pipeline on each: 3D geometry from the SMILES, a conformer ensemble (CREST when on PATH, else Open Babel conformers + GFN2-xTB optimisation + energy window + RMSD de-duplication), MOPAC PM7 PRECISE of the 1, 3 or 5 lowest conformers (by rotatable bonds), and the most stable heat of formation. Molecules go Pending → To run → Running → OK | Rerun | Skip; exports/crest_pm7_batch_status.csv and details/<mol_id>.json follow every change.`,
    );

  batch
    .command('run')
    .summary('select a batch and run it')
    .option('--size <n>', 'molecules in the batch', '50')
    .option(
      '--crest-timeout <minutes>',
      'conformer-search budget per molecule, minutes (> 0)',
      '10',
    )
    .option(
      '--mopac-timeout <minutes>',
      'MOPAC budget per molecule, shared by its conformers, minutes (> 0)',
      '30',
    )
    .option(
      '--strategy <name>',
      `which molecules: ${STRATEGIES.join(', ')}`,
      'rerun_first_then_easy',
    )
    .option('--seed <n>', 'seed of the random strategy', '1')
    .option('--policy <name>', `after failures: ${POLICIES.join(', ')}`, 'partial_ok')
    .option('--max-retries <n>', 'attempts per molecule before it is skipped', '3')
    .option('--max-conformers <n>', 'at most this many conformers per molecule go to MOPAC', '5')
    .option(
      '-w, --workers <n>',
      'molecules at once (default: retort.yaml workers, else the number of cores)',
    )
    .option('--cores <n>', 'cores per calc (default from retort.yaml)')
    .option(
      '--failure-threshold <n>',
      'pause after this many failed molecules (0: never; default from retort.yaml)',
    )
    .option(
      '--with-reference',
      "add the dataset's reference columns and PM7 − reference to the CSV",
    )
    .option(
      '-e, --executor <name>',
      'local, ssh:NAME or slurm:NAME (default: retort.yaml executor)',
    )
    .option('--headless', 'no progress bar: one line per molecule in logs/ and on stderr')
    .action(async (_options: unknown, command: Command) => {
      const flags = command.optsWithGlobals<BatchRunFlags>();
      process.exitCode = await batchRun(flags);
    });

  batch
    .command('resume')
    .summary('continue an interrupted or stopped batch')
    .argument('<batch_id>', 'e.g. batch_0003')
    .option('-w, --workers <n>', 'molecules at once')
    .option('--cores <n>', 'cores per calc')
    .option('--failure-threshold <n>', 'pause after this many failed molecules')
    .option('--with-reference', "add the dataset's reference columns to the CSV")
    .option(
      '-e, --executor <name>',
      'local, ssh:NAME or slurm:NAME (default: retort.yaml executor)',
    )
    .option('--headless', 'no progress bar')
    .action(async (batchId: string, _options: unknown, command: Command) => {
      const flags = command.optsWithGlobals<BatchRunFlags>();
      process.exitCode = await batchResume(batchId, flags);
    });

  batch
    .command('reset')
    .summary("apply the all_or_nothing reset: the batch's OK molecules go back to Pending")
    .argument('<batch_id>', 'e.g. batch_0003')
    .action((batchId: string, _options: unknown, command: Command) => {
      const { campaign: dir } = command.optsWithGlobals<{ campaign?: string }>();
      const campaign = openCampaign(findCampaignRoot(dir, process.cwd()));
      try {
        batchIn(
          campaign,
          batchId,
          ['Completed', 'Stopped'],
          'a Completed or Stopped batch can be reset',
        );
        const n = campaign.molecules.resetBatch(batchId);
        writeBatchCsv(campaign, { withReference: false });
        process.stdout.write(
          `${batchId} reset: ${n} OK molecules back to Pending (retry counts kept)\n`,
        );
      } finally {
        campaign.close();
      }
    });

  batch
    .command('status')
    .summary('molecules by status, overall and per batch')
    .action((_options: unknown, command: Command) => {
      const { campaign: dir } = command.optsWithGlobals<{ campaign?: string }>();
      const campaign = openCampaign(findCampaignRoot(dir, process.cwd()), { readonly: true });
      try {
        const shown = ['OK', 'Rerun', 'Skip', 'Pending', 'To run', 'Running'] as const;
        const overall = campaign.molecules.counts();
        const perBatch = campaign.molecules.countsByBatch();
        const rows = [
          [
            'all',
            '',
            ...shown.map((s) => String(overall[s])),
            String(MOLECULE_STATUSES.reduce((n, s) => n + overall[s], 0)),
          ],
          ...campaign.molecules.batches().map((b) => {
            const c = perBatch.get(b.batch_id);
            return [b.batch_id, b.status, ...shown.map((s) => String(c?.[s] ?? 0)), String(b.size)];
          }),
        ];
        process.stdout.write(`${table(['batch', 'state', ...shown, 'total'], rows)}\n`);
      } finally {
        campaign.close();
      }
    });
}

async function batchRun(flags: BatchRunFlags): Promise<number> {
  const strategy = oneOf(flags.strategy, STRATEGIES, '--strategy');
  const policy = oneOf(flags.policy, POLICIES, '--policy');
  const crestTimeout = minutes(flags.crestTimeout, '--crest-timeout');
  const mopacTimeout = minutes(flags.mopacTimeout, '--mopac-timeout');
  const size = parseCount(flags.size, '--size') ?? 50;
  const maxRetries = parseCount(flags.maxRetries, '--max-retries') ?? 3;
  const maxConformers = parseCount(flags.maxConformers, '--max-conformers') ?? 5;
  const seed = parseCount(flags.seed, '--seed', 0) ?? 1;
  const session = await openBatchSession(flags, [
    'retort',
    'batch',
    'run',
    ...process.argv.slice(4),
  ]);
  const { campaign } = session;
  let batch: BatchRow;
  try {
    const running = campaign.molecules.runningBatch();
    if (running !== undefined) {
      throw new InputError(
        'retort batch run',
        `${running.batch_id} is still Running (its run was interrupted); continue it with \`retort batch resume ${running.batch_id}\``,
      );
    }
    const counts = campaign.molecules.counts();
    if (counts.Pending + counts.Rerun === 0) {
      await session.finish();
      const total = MOLECULE_STATUSES.reduce((n, s) => n + counts[s], 0);
      process.stdout.write(
        total === 0
          ? 'the campaign has no molecules yet: import a dataset with `retort import FILE.csv`\n'
          : `nothing to run: no molecule is Pending or Rerun (${counts.OK} OK, ${counts.Skip} Skip)\n`,
      );
      return total === 0 ? 1 : 0;
    }
    batch = campaign.molecules.createBatch({
      size,
      strategy,
      seed: strategy === 'random' ? seed : null,
      policy,
      crest_timeout_min: crestTimeout,
      mopac_timeout_min: mopacTimeout,
      max_retries: maxRetries,
      workers: session.workers,
      max_conformers: maxConformers,
    }).batch;
  } catch (error) {
    await session.finish();
    throw error;
  }
  return driveBatch(session, batch, flags);
}

async function batchResume(batchId: string, flags: BatchRunFlags): Promise<number> {
  // Refuse a batch that cannot be resumed before taking the campaign (one line, nothing run);
  // the check is repeated under the lock below.
  const peek = openCampaign(findCampaignRoot(flags.campaign, process.cwd()), { readonly: true });
  try {
    batchIn(peek, batchId, RESUMABLE, RESUMABLE_TEXT);
  } finally {
    peek.close();
  }
  const session = await openBatchSession(flags, ['retort', 'batch', 'resume', batchId]);
  const { campaign } = session;
  let batch: BatchRow;
  try {
    const row = batchIn(
      campaign,
      batchId,
      ['Running', 'Stopped'],
      'a Running (interrupted) or Stopped batch can be resumed',
    );
    const returned = campaign.molecules.returnInterrupted(batchId);
    if (returned > 0)
      session.print(`${returned} molecules interrupted in the middle go back to To run`);
    if (row.status === 'Stopped') campaign.molecules.setBatchStatus(batchId, 'Running');
    batch = row;
  } catch (error) {
    await session.finish();
    throw error;
  }
  return driveBatch(session, batch, flags);
}

function openBatchSession(flags: BatchRunFlags, command: string[]): Promise<RunSession> {
  // Calc failures are expected inside a molecule (one conformer's SCF); the batch counts
  // failed molecules itself, so the runner's own calc threshold is off.
  return openRunSession(flags, command, { calcLines: false, failureThreshold: 0 });
}

async function driveBatch(
  session: RunSession,
  batch: BatchRow,
  flags: BatchRunFlags,
): Promise<number> {
  const { campaign, runner } = session;
  const started = new Date();
  const withReference = flags.withReference === true;
  const csv = new ThrottledExport(() => {
    writeBatchCsv(campaign, { withReference });
  });
  const crest = crestOnPath();
  session.print(
    `${batch.batch_id}: ${campaign.molecules.moleculesOfBatch(batch.batch_id).filter((m) => m.status === 'To run').length} molecules, ${batch.strategy}, ${batch.policy}, conformers by ${crest ? 'CREST' : 'the built-in search (Open Babel + GFN2-xTB)'}`,
  );
  let interrupted = false;
  let exitCode = 1;
  try {
    const result = await runBatch({
      campaign,
      runner,
      batch,
      workers: session.workers,
      crest,
      cores: parseCount(flags.cores, '--cores') ?? campaign.settings.defaults.cores,
      failureThreshold:
        parseCount(flags.failureThreshold, '--failure-threshold', 0) ??
        campaign.settings.control.failure_threshold,
      onMolecule: (e) => {
        const what =
          e.status === 'OK'
            ? `OK HOF ${e.most_stable_hof?.toFixed(2) ?? '?'} kcal/mol (grade ${e.grade ?? '?'})`
            : e.status === 'interrupted'
              ? 'interrupted: back to To run'
              : `${e.status}: ${e.error ?? ''}`;
        session.print(`[${e.done}/${e.total}] ${e.mol_id} ${what}`);
      },
      onChange: () => {
        csv.markDirty();
      },
      onProgress: (p) => {
        const elapsedS = (Date.now() - started.getTime()) / 1000;
        session.items({
          noun: 'molecules',
          ...p,
          eta_s: p.done === 0 ? null : (elapsedS / p.done) * (p.total - p.done),
        });
      },
    });
    interrupted = result.interrupted;
  } finally {
    csv.close();
    await session.finish(() => {
      exitCode = closeBatch(campaign, batch, interrupted, started, withReference);
    });
  }
  return exitCode;
}

/**
 * Records the end of a batch run (Stopped when molecules are left, else Completed, then the
 * all_or_nothing reset when a molecule failed), writes the exports and prints the summary.
 * Returns the exit status: 0 when every molecule of the batch is OK.
 */
function closeBatch(
  campaign: Campaign,
  batch: BatchRow,
  interrupted: boolean,
  started: Date,
  withReference: boolean,
): number {
  const ended = new Date();
  const store = campaign.molecules;
  store.returnInterrupted(batch.batch_id);
  const molecules = store.moleculesOfBatch(batch.batch_id);
  const left = molecules.filter((m) => m.status === 'To run');
  const failed = molecules.filter((m) => m.status === 'Rerun' || m.status === 'Skip');
  let resetNote = '';
  if (interrupted || left.length > 0) {
    store.setBatchStatus(batch.batch_id, 'Stopped');
  } else {
    store.setBatchStatus(batch.batch_id, 'Completed');
    if (batch.policy === 'all_or_nothing' && failed.length > 0) {
      const n = store.resetBatch(batch.batch_id);
      resetNote = `all_or_nothing: ${failed.length} molecules failed, so the batch's ${n} OK molecules went back to Pending`;
    }
  }
  writeBatchCsv(campaign, { withReference });
  writeParityPlot(campaign);
  const summary = batchSummary(campaign, batch.batch_id, { startedAt: started, endedAt: ended });
  process.stdout.write(`${formatSummary(summary)}${resetNote === '' ? '' : `\n${resetNote}`}\n`);
  return failed.length === 0 && left.length === 0 ? 0 : 1;
}

const RESUMABLE: readonly BatchStatus[] = ['Running', 'Stopped'];
const RESUMABLE_TEXT = 'a Running (interrupted) or Stopped batch can be resumed';

/** The batch, when it exists and is in one of `allowed`; else one line saying why not. */
function batchIn(
  campaign: Campaign,
  batchId: string,
  allowed: readonly BatchStatus[],
  what: string,
): BatchRow {
  const row = campaign.molecules.batch(batchId);
  if (row === undefined)
    throw new InputError(batchId, 'no such batch; `retort batch status` lists them');
  if (!allowed.includes(row.status))
    throw new InputError(batchId, `is ${row.status}; only ${what}`);
  return row;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new InputError(flag, `expected one of ${allowed.join(', ')}, found "${value}"`);
  }
  return value as T;
}

function minutes(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new InputError(flag, `expected minutes > 0, found "${value}"`);
  return n;
}
