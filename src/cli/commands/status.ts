import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { findCampaignRoot, openCampaign, type Campaign } from '../../runtime/campaign.js';
import {
  readStatusFile,
  type RunTotals,
  type StatusSnapshot,
} from '../../runtime/control/status-file.js';
import { isStopRequested } from '../../runtime/control/stop-request.js';
import { lockHolderAlive } from '../../runtime/runner-lock.js';
import type { CalcStatus } from '../../core/calc-status.js';
import { formatDuration } from '../format.js';

/**
 * `retort status --json`: the campaign's state as one object.
 * - `campaign`: its directory.
 * - `runner`: `{alive, pid}`: whether a runner holds the campaign now.
 * - `stop_requested`: whether a STOP file is waiting to be obeyed.
 * - `run`: the last status.json (see runtime/control/status-file.ts), or null before any run.
 *   When the runner died its `state` still says what it was doing; `runner.alive` tells.
 * - `store`: calcs in the store by status (queued, submitted, running, succeeded, failed).
 * - `executors`: per executor of the calcs' latest attempts (`local`, `ssh:NAME`,
 *   `slurm:NAME`): calcs by status and the SLURM job ids of those in flight.
 * - `waiting_retries`: calcs queued for an automatic retry whose backoff has not passed:
 *   `{key, label, program, attempts, not_before}` (attempts made so far; ISO time).
 */
/** Calcs per executor as the store counts them (store/calc-store.ts `ExecutorCounts`). */
type ExecutorCounts = ReturnType<Campaign['calcs']['byExecutor']>[number];

interface StatusReport {
  readonly campaign: string;
  readonly runner: { readonly alive: boolean; readonly pid: number | null };
  readonly stop_requested: boolean;
  readonly run: StatusSnapshot | null;
  readonly store: Record<CalcStatus, number>;
  readonly executors: readonly ExecutorCounts[];
  readonly waiting_retries: readonly {
    readonly key: string;
    readonly label: string | null;
    readonly program: string;
    readonly attempts: number;
    readonly not_before: string;
  }[];
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .summary('show where the campaign stands')
    .description(
      `Shows the current or last run (from status.json: state, totals, running calcs, recent failures, ETA) and the store's calc counts. Safe at any moment, also while a run goes on in another process.`,
    )
    .option('--json', 'print one JSON object')
    .action((options: { json?: boolean }, command: Command) => {
      const { campaign: dir } = command.optsWithGlobals<{ campaign?: string }>();
      const root = findCampaignRoot(dir, process.cwd());
      const campaign = openCampaign(root, { readonly: existsSync(`${root}/retort.db`) });
      let store: Record<CalcStatus, number>;
      let executors: ExecutorCounts[];
      let waiting: StatusReport['waiting_retries'];
      try {
        store = campaign.calcs.counts();
        executors = campaign.calcs.byExecutor();
        waiting = campaign.calcs.waitingRetries(new Date().toISOString()).map((w) => ({
          key: w.key,
          label: w.label,
          program: w.program,
          attempts: w.attempts,
          not_before: w.notBefore,
        }));
      } finally {
        campaign.close();
      }
      const holder = lockHolderAlive(campaign.paths.lock);
      const report: StatusReport = {
        campaign: root,
        runner: { alive: holder !== undefined, pid: holder?.pid ?? null },
        stop_requested: isStopRequested(campaign.paths.stop),
        run: readStatusFile(campaign.paths.status) ?? null,
        store,
        executors,
        waiting_retries: waiting,
      };
      process.stdout.write(
        options.json === true ? `${JSON.stringify(report, null, 2)}\n` : text(report),
      );
    });
}

function text(r: StatusReport): string {
  const out = [`campaign  ${r.campaign}`];
  const run = r.run;
  if (run === null) {
    out.push('runs      none yet');
  } else {
    const live = run.state === 'running' || run.state === 'stopping';
    const who = r.runner.alive
      ? `runner pid ${r.runner.pid ?? ''} is running`
      : live
        ? `runner pid ${run.pid} is no longer alive (killed?) — run the same command again to resume`
        : 'no runner';
    out.push(
      `run       ${run.run_id} ${run.state}${r.runner.alive || !live ? '' : ' (interrupted)'}; ${who}`,
    );
    out.push(
      `command   ${run.command} (${run.executor}, ${run.workers} workers) since ${run.started_at}`,
    );
    const t = run.totals;
    out.push(
      `progress  ${t.completed}/${t.total} done: ${t.succeeded} ok, ${t.cached} from the store, ${t.failed} failed${failedEarlier(t)}; ${t.running} running, ${t.queued} queued`,
    );
    if (run.rolling_avg_s !== null) {
      out.push(
        `timing    ${formatDuration(run.rolling_avg_s)} per calc (last 10)${run.eta_s !== null && live ? `, ETA ${formatDuration(run.eta_s)}` : ''}`,
      );
    }
    if (run.message !== null) out.push(`message   ${run.message}`);
    for (const c of run.current) {
      out.push(`running   ${c.label ?? c.key.slice(0, 12)} (${c.program}, since ${c.started_at})`);
    }
    for (const f of run.recent_failures) {
      out.push(
        `failed    ${f.label ?? f.key.slice(0, 12)} (${f.program}) ${f.class}: ${f.message}`,
      );
    }
  }
  if (r.stop_requested) out.push('stop      requested (STOP file present)');
  const s = r.store;
  out.push(
    `store     ${s.succeeded} succeeded, ${s.failed} failed, ${s.queued} queued, ${s.submitted + s.running} in flight`,
  );
  for (const e of r.executors) {
    const c = e.counts;
    const jobs = e.job_ids.length === 0 ? '' : `; SLURM jobs ${compactIds(e.job_ids)}`;
    out.push(
      `${e.executor.padEnd(9)} ${c.submitted} submitted, ${c.running} running, ${c.succeeded} done, ${c.failed} failed${jobs}`,
    );
  }
  for (const w of r.waiting_retries) {
    const inS = Math.max(0, (Date.parse(w.not_before) - Date.now()) / 1000);
    out.push(
      `retry     ${w.label ?? w.key.slice(0, 12)} (${w.program}) after ${w.attempts} attempts: next at ${w.not_before} (in ${formatDuration(inS)})`,
    );
  }
  for (const job of r.run?.scheduler_jobs ?? []) {
    out.push(
      `job       ${job.job_id ?? '(submitting)'} ${job.state} ${job.mode}, ${job.calcs} calcs (${job.name})`,
    );
  }
  return `${out.join('\n')}\n`;
}

/** How many of the failures are of earlier runs (status.json of older versions does not say). */
function failedEarlier(totals: RunTotals): string {
  return totals.failed_earlier > 0 ? ` (${totals.failed_earlier} in earlier runs)` : '';
}

/** At most 12 ids, then how many more. */
function compactIds(ids: readonly string[]): string {
  return ids.length <= 12 ? ids.join(' ') : `${ids.slice(0, 12).join(' ')} … (${ids.length} jobs)`;
}
