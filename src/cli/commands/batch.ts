import type { Command } from 'commander';
import { POLICIES, STRATEGIES, type Policy, type Strategy } from '../../core/batch-status.js';
import { InputError } from '../../core/errors.js';
import { DEFAULT_OBABEL_SEED, OBABEL_SEED_STATES } from '../../engines/obabel/seed.js';
import {
  requeueMolecules,
  batchStatusRows,
  checkResumable,
  closeBatch,
  driveBatch,
  resetBatch,
  resumeBatch,
  startBatch,
  storedSummary,
  STATUS_COLUMNS,
  type NewBatchOptions,
} from '../../pipelines/pm7/batch-lifecycle.js';
import type { Pm7Batch } from '../../pipelines/pm7/molecule-item.js';
import { findCampaignRoot, openCampaign } from '../../runtime/campaign.js';
import { table } from '../format.js';
import { openRunSession, parseCount, type RunFlags, type RunSession } from '../session.js';
import { executorOption, headlessOption, workersOption } from '../run-options.js';

interface BatchRunFlags extends RunFlags {
  readonly size: string;
  readonly crestTimeout: string;
  readonly mopacTimeout: string;
  readonly strategy: string;
  readonly policy: string;
  readonly maxRetries: string;
  readonly maxConformers: string;
  readonly seed?: string;
  readonly obabelSeed?: string;
  readonly dynamics: boolean;
  readonly cores?: string;
  readonly withReference?: boolean;
  readonly molecules?: string;
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
      `which molecules: ${STRATEGIES.join(', ')} (longest_first: highest predicted cost first)`,
      'rerun_first_then_easy',
    )
    .option('--seed <n>', 'seed of the random strategy', '1')
    .option(
      '--obabel-seed <n>',
      `seed of Open Babel's 3D builder and conformer search, 0–${OBABEL_SEED_STATES - 1} (part of their calc keys)`,
      String(DEFAULT_OBABEL_SEED),
    )
    .option(
      '--no-dynamics',
      'conformers from Open Babel alone, without those of GFN-FF dynamics (faster; misses folded chains)',
    )
    .option(
      '--molecules <ids>',
      'exactly these molecules (comma-separated mol_ids, each Pending or Rerun) instead of --size by --strategy',
    )
    .option('--policy <name>', `after failures: ${POLICIES.join(', ')}`, 'partial_ok')
    .option('--max-retries <n>', 'attempts per molecule before it is skipped', '3')
    .option('--max-conformers <n>', 'at most this many conformers per molecule go to MOPAC', '5')
    .addOption(workersOption('molecules'))
    .option('--cores <n>', 'cores per calc (default from retort.yaml)')
    .option(
      '--failure-threshold <n>',
      'pause after this many failed molecules (0: never; default from retort.yaml)',
    )
    .option(
      '--with-reference',
      "add the dataset's reference columns and PM7 − reference to the CSV",
    )
    .addOption(executorOption())
    .addOption(headlessOption())
    .action(async (_options: unknown, command: Command) => {
      const flags = command.optsWithGlobals<BatchRunFlags>();
      process.exitCode = await batchRun(flags);
    });

  batch
    .command('resume')
    .summary('continue an interrupted or stopped batch')
    .argument('<batch_id>', 'e.g. batch_0003')
    .addOption(workersOption('molecules'))
    .option('--cores <n>', 'cores per calc')
    .option('--failure-threshold <n>', 'pause after this many failed molecules')
    .option('--with-reference', "add the dataset's reference columns to the CSV")
    .addOption(executorOption())
    .addOption(headlessOption())
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
        process.stdout.write(`${resetBatch(campaign, batchId)}\n`);
      } finally {
        campaign.close();
      }
    });

  batch
    .command('requeue')
    .summary('put OK or Skip molecules back in the queue (Pending, retries from 0)')
    .description(
      'Puts the named molecules back in the queue: OK and Skip ones become Pending, their result, skip reason and retry count cleared, so the next batch (or `batch run --molecules`) takes them again. Pending and Rerun ones are queued already; a molecule in a batch now (To run, Running) is refused. The TUI does the same for the molecules marked in a batch.',
    )
    .argument('<mol_ids...>', 'e.g. mol_00012 mol_00040')
    .action((molIds: string[], _options: unknown, command: Command) => {
      const { campaign: dir } = command.optsWithGlobals<{ campaign?: string }>();
      const campaign = openCampaign(findCampaignRoot(dir, process.cwd()));
      try {
        process.stdout.write(`${requeueMolecules(campaign, molIds)}\n`);
      } finally {
        campaign.close();
      }
    });

  batch
    .command('summary')
    .summary('show again the summary printed when a batch last ended or stopped')
    .argument('<batch_id>', 'e.g. batch_0003')
    .action((batchId: string, _options: unknown, command: Command) => {
      const { campaign: dir } = command.optsWithGlobals<{ campaign?: string }>();
      // Not read-only: a store made by an older retort is migrated first.
      const campaign = openCampaign(findCampaignRoot(dir, process.cwd()));
      try {
        process.stdout.write(storedSummary(campaign, batchId));
      } finally {
        campaign.close();
      }
    });

  batch
    .command('status')
    .summary('molecules by status, overall and per batch')
    .action((_options: unknown, command: Command) => {
      const { campaign: dir } = command.optsWithGlobals<{ campaign?: string }>();
      // Not read-only: a store made by an older retort is migrated first.
      const campaign = openCampaign(findCampaignRoot(dir, process.cwd()));
      try {
        const header = ['batch', 'state', ...STATUS_COLUMNS, 'total'];
        process.stdout.write(`${table(header, batchStatusRows(campaign))}\n`);
      } finally {
        campaign.close();
      }
    });
}

/** The run-time options of run and resume, checked before anything touches the campaign. */
interface DriveFlags {
  readonly cores: number | undefined;
  readonly failureThreshold: number | undefined;
  readonly withReference: boolean;
}

function driveFlags(flags: BatchRunFlags): DriveFlags {
  parseCount(flags.workers, '--workers');
  return {
    cores: parseCount(flags.cores, '--cores'),
    failureThreshold: parseCount(flags.failureThreshold, '--failure-threshold', 0),
    withReference: flags.withReference === true,
  };
}

/** Every option of `batch run`, validated (InputError, one line) before the store is opened. */
function batchOptions(flags: BatchRunFlags): Omit<NewBatchOptions, 'workers'> {
  return {
    strategy: oneOf<Strategy>(flags.strategy, STRATEGIES, '--strategy'),
    policy: oneOf<Policy>(flags.policy, POLICIES, '--policy'),
    crest_timeout_min: minutes(flags.crestTimeout, '--crest-timeout'),
    mopac_timeout_min: minutes(flags.mopacTimeout, '--mopac-timeout'),
    size: parseCount(flags.size, '--size') ?? 50,
    max_retries: parseCount(flags.maxRetries, '--max-retries') ?? 3,
    max_conformers: parseCount(flags.maxConformers, '--max-conformers') ?? 5,
    seed: parseCount(flags.seed, '--seed', 0) ?? 1,
    obabel_seed: obabelSeed(flags.obabelSeed),
    dynamics: flags.dynamics,
    ...(flags.molecules === undefined ? {} : { only: moleculeIds(flags.molecules) }),
  };
}

async function batchRun(flags: BatchRunFlags): Promise<number> {
  const options = batchOptions(flags);
  const drive = driveFlags(flags);
  const session = await openBatchSession(flags, [
    'retort',
    'batch',
    'run',
    ...process.argv.slice(4),
  ]);
  let batch: Pm7Batch;
  try {
    const start = await startBatch(session.campaign, { ...options, workers: session.workers });
    if (start.kind === 'nothing') {
      await session.finish();
      process.stdout.write(`${start.message}\n`);
      return start.exitCode;
    }
    batch = start.batch;
  } catch (error) {
    await session.finish();
    throw error;
  }
  return runSession(session, batch, drive);
}

async function batchResume(batchId: string, flags: BatchRunFlags): Promise<number> {
  const drive = driveFlags(flags);
  // Refuse a batch that cannot be resumed before taking the campaign (one line, nothing run);
  // the check is repeated under the lock below.
  const peek = openCampaign(findCampaignRoot(flags.campaign, process.cwd()));
  try {
    checkResumable(peek, batchId);
  } finally {
    peek.close();
  }
  const session = await openBatchSession(flags, ['retort', 'batch', 'resume', batchId]);
  let batch: Pm7Batch;
  try {
    const resumed = resumeBatch(session.campaign, batchId);
    if (resumed.returned > 0)
      session.print(`${resumed.returned} molecules interrupted in the middle go back to To run`);
    batch = resumed.batch;
  } catch (error) {
    await session.finish();
    throw error;
  }
  return runSession(session, batch, drive);
}

function openBatchSession(flags: BatchRunFlags, command: string[]): Promise<RunSession> {
  // Calc failures are expected inside a molecule (one conformer's SCF); the batch counts
  // failed molecules itself, so the runner's own calc threshold is off.
  return openRunSession(flags, command, { calcLines: false, failureThreshold: 0 });
}

async function runSession(
  session: RunSession,
  batch: Pm7Batch,
  flags: DriveFlags,
): Promise<number> {
  const { campaign } = session;
  const started = new Date();
  let interrupted = false;
  let exitCode = 1;
  try {
    interrupted = (
      await driveBatch({
        campaign,
        runner: session.runner,
        batch,
        workers: session.workers,
        cores: flags.cores ?? campaign.settings.defaults.cores,
        failureThreshold: flags.failureThreshold ?? campaign.settings.control.failure_threshold,
        withReference: flags.withReference,
        print: (line) => {
          session.print(line);
        },
        onProgress: (p) => {
          const elapsedS = (Date.now() - started.getTime()) / 1000;
          session.items({
            noun: 'molecules',
            ...p,
            eta_s: p.done === 0 ? null : (elapsedS / p.done) * (p.total - p.done),
          });
        },
      })
    ).interrupted;
  } finally {
    await session.finish(async () => {
      const closed = await closeBatch(campaign, batch, {
        interrupted,
        started,
        withReference: flags.withReference,
      });
      process.stdout.write(closed.text);
      exitCode = closed.exitCode;
    });
  }
  return exitCode;
}

function moleculeIds(value: string): string[] {
  const ids = value
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  if (ids.length === 0) throw new InputError('--molecules', 'expected comma-separated mol_ids');
  return [...new Set(ids)];
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

function obabelSeed(value: string | undefined): number {
  const seed = parseCount(value, '--obabel-seed', 0) ?? DEFAULT_OBABEL_SEED;
  if (seed >= OBABEL_SEED_STATES) {
    throw new InputError(
      '--obabel-seed',
      `expected an integer 0–${OBABEL_SEED_STATES - 1}, found "${String(value)}"`,
    );
  }
  return seed;
}
