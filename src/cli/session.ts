import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../core/errors.js';
import { checkInteger, checkNumber, type Checked } from '../core/fields/expect.js';
import { createExecutor, programsFor } from '../runtime/create-executor.js';
import { campaignPaths } from '../core/campaign-layout.js';
import { findCampaignRoot, openCampaign, type Campaign } from '../runtime/campaign.js';
import { resolveExecutorName } from '../runtime/host-settings.js';
import { readSettings, type Settings } from '../runtime/settings.js';
import { installStopSignals } from '../runtime/control/signals.js';
import type { RunSummary } from '../runtime/calc-request.js';
import { Runner } from '../runtime/runner/runner.js';
import { acquireRunnerLock } from '../runtime/runner-lock.js';
import type { Display, ItemProgress } from './progress/display.js';
import { logProgress } from './progress/log-progress.js';
import { progressBar } from './progress/progress-bar.js';

/** Options every command that runs calcs shares. */
export interface RunFlags {
  readonly campaign?: string;
  readonly workers?: string;
  readonly headless?: boolean;
  readonly retryFailed?: boolean;
  readonly failureThreshold?: string;
  /** local, ssh:NAME or slurm:NAME; default retort.yaml's executor. */
  readonly executor?: string;
}

/**
 * Everything a running command holds: the campaign, its lock, the executor and the runner,
 * with progress shown on the terminal (a bar) or, headless, as lines in logs/<run>.log.
 * `close` ends the run and releases everything, in that order.
 */
export interface RunSession {
  readonly campaign: Campaign;
  readonly runner: Runner;
  readonly logFile: string | undefined;
  /** Calcs at once (the runner's workers). */
  readonly workers: number;
  /** Shows a line of the command's own progress (above the bar, or in the log). */
  print(line: string): void;
  /** Shows a pipeline's own item counts in the bar instead of the runner's calcs. */
  items(progress: ItemProgress): void;
  /**
   * Ends the run; then `after` runs while the campaign is still open and locked (to record
   * what the run means for the pipeline's items); then everything is released.
   */
  finish(after?: (summary: RunSummary) => void | Promise<void>): Promise<RunSummary>;
}

/** How a session shows progress: `quiet` keeps headless lines out of stderr (for --json). */
export interface SessionOptions {
  readonly quiet?: boolean;
  readonly calcLines?: boolean;
  /** Overrides the failure threshold of the runner (pipelines that count failures per item). */
  readonly failureThreshold?: number;
  /** Overrides retort.yaml's automatic retries (an input file's own execution settings). */
  readonly retries?: number;
}

export async function openRunSession(
  flags: RunFlags,
  command: readonly string[],
  options: SessionOptions = {},
): Promise<RunSession> {
  const root = findCampaignRoot(flags.campaign, process.cwd());
  // Every flag is checked before the store is opened or the lock taken: a usage error leaves
  // nothing behind.
  const checked = checkRunFlags(flags, readSettings(campaignPaths(root).settings));
  const campaign = openCampaign(root);
  const lock = (() => {
    try {
      return acquireRunnerLock(campaign.paths.lock, command.join(' '));
    } catch (error) {
      campaign.close();
      throw error;
    }
  })();
  const { settings } = campaign;
  const { executorName, workers: flagWorkers } = checked;
  const localWorkers = flagWorkers ?? settings.workers ?? availableParallelism();
  const threshold =
    options.failureThreshold ?? checked.failureThreshold ?? settings.control.failure_threshold;
  let notice: (line: string) => void = () => undefined;
  let jobsChanged: () => void = () => undefined;
  const executor = (() => {
    try {
      return createExecutor(
        executorName,
        flags.executor === undefined ? `${campaign.paths.settings}: executor` : '--executor',
        {
          campaign,
          workers: localWorkers,
          notice: (line) => {
            notice(line);
          },
          jobsChanged: () => {
            jobsChanged();
          },
        },
      );
    } catch (error) {
      lock.release();
      campaign.close();
      throw error;
    }
  })();
  // Remote executors default to as many calcs as they take (a host's max_calcs, a cluster's
  // max_jobs × pack_size); local ones to the cores here.
  const workers = flagWorkers ?? (executorName === 'local' ? localWorkers : executor.slots);
  const headless = flags.headless === true || !process.stderr.isTTY;
  let logFile: string | undefined;
  let observer: Display;
  const displayOptions = { calcLines: options.calcLines ?? true };
  if (headless) {
    logFile = join(
      campaign.paths.logs,
      `run-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.log`,
    );
    observer = logProgress(
      logFile,
      options.quiet === true ? () => undefined : (line) => process.stderr.write(`${line}\n`),
      displayOptions,
    );
  } else {
    observer = progressBar(process.stderr, displayOptions);
  }
  notice = (line) => {
    observer.notice(line);
  };
  if (lock.replacedStale !== undefined) {
    observer.notice(
      `took over a stale lock of pid ${lock.replacedStale.pid} (${lock.replacedStale.command}, since ${lock.replacedStale.started_at}): that runner is no longer alive`,
    );
  }
  let runner: Runner;
  try {
    runner = await Runner.start({
      campaign,
      executor,
      workers,
      command,
      failureThreshold: threshold,
      retries: options.retries ?? settings.control.retries,
      retryFailed: flags.retryFailed === true,
      observer,
      programs: programsFor(executorName, settings),
    });
  } catch (error) {
    observer.close();
    await executor.close();
    lock.release();
    campaign.close();
    throw error;
  }
  jobsChanged = () => {
    runner.statusChanged();
  };
  const removeSignals = installStopSignals(runner);
  return {
    campaign,
    runner,
    logFile,
    print: (line) => {
      observer.print(line);
    },
    items: (progress) => {
      observer.items(progress);
    },
    workers,
    finish: async (after) => {
      try {
        const summary = await runner.finish();
        await after?.(summary);
        return summary;
      } finally {
        removeSignals();
        observer.close();
        await executor.close();
        lock.release();
        campaign.close();
      }
    },
  };
}

/** The run flags, checked against the settings (no store, no lock). */
export interface CheckedRunFlags {
  readonly executorName: string;
  readonly workers: number | undefined;
  readonly failureThreshold: number | undefined;
}

/**
 * Checks every flag a run shares (counts, the executor's name against retort.yaml's hosts);
 * commands call it before any work of their own, and {@link openRunSession} before it opens the
 * store or takes the lock.
 */
export function checkRunFlags(flags: RunFlags, settings: Settings): CheckedRunFlags {
  const executorName = flags.executor ?? settings.executor;
  resolveExecutorName(
    executorName,
    settings.hosts,
    flags.executor === undefined ? 'retort.yaml: executor' : '--executor',
  );
  return {
    executorName,
    workers: parseCount(flags.workers, '--workers'),
    failureThreshold: parseCount(flags.failureThreshold, '--failure-threshold', 0),
  };
}

/** A whole-number option ≥ `min`, in the field reader's words (`--workers: expected …`). */
export function parseCount(value: string | undefined, flag: string, min = 1): number | undefined {
  return parseOption(value, flag, (n) => checkInteger(n, { min }));
}

/** A number option > 0 (seconds, megabytes). */
export function parsePositive(value: string | undefined, flag: string): number | undefined {
  return parseOption(value, flag, (n) => checkNumber(n, { above: 0 }));
}

function parseOption(
  value: string | undefined,
  flag: string,
  check: (n: number) => Checked<number>,
): number | undefined {
  if (value === undefined) return undefined;
  const checked = check(value.trim() === '' ? Number.NaN : Number(value));
  if (!checked.ok) throw new InputError(flag, `expected ${checked.expected}, found "${value}"`);
  return checked.value;
}
