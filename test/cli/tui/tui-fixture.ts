import { writeFileSync } from 'node:fs';
import type { TuiActions } from '../../../src/cli/tui/actions.js';
import type { Campaign } from '../../../src/runtime/campaign.js';
import type { StatusSnapshot } from '../../../src/runtime/control/status-file.js';
import { CampaignMonitor } from '../../../src/runtime/monitor/campaign-monitor.js';
import { seedCampaign } from '../../helpers/seed-campaign.js';
import { tempDir } from '../../helpers/temp-dir.js';

/** A campaign with a few calcs and the status.json of an interrupted run, watched by a monitor. */
export interface TuiFixture {
  readonly campaign: Campaign;
  readonly monitor: CampaignMonitor;
  readonly actions: RecordingActions;
  readonly run: StatusSnapshot;
  close(): void;
}

/** Actions that record what the UI asked for instead of starting processes. */
export interface RecordingActions extends TuiActions {
  readonly calls: string[];
}

/** `settings`: a retort.yaml to use instead of the default one. */
export function tuiFixture(settings?: string): TuiFixture {
  const tmp = tempDir();
  const campaign = seedCampaign(tmp.dir, [
    { key: 'k1', program: 'mopac', method: 'PM7', label: 'ethanol', state: 'succeeded' },
    { key: 'k2', program: 'mopac', method: 'PM7', label: 'benzene', state: 'failed' },
    { key: 'k3', program: 'xtb', method: 'GFN2', label: 'water', state: 'running' },
    { key: 'k4', program: 'xtb', label: 'methane', state: 'queued' },
  ]);
  const run: StatusSnapshot = {
    run_id: 'run-1',
    pid: 999_999,
    command: 'retort run calcs.jsonl',
    executor: 'local',
    workers: 2,
    state: 'running',
    started_at: new Date().toISOString(),
    updated_at: new Date().toISOString(),
    totals: {
      total: 4,
      completed: 2,
      succeeded: 1,
      failed: 1,
      failed_earlier: 0,
      cached: 0,
      running: 1,
      queued: 1,
    },
    current: [],
    recent_failures: [
      {
        key: 'k2',
        label: 'benzene',
        program: 'mopac',
        class: 'crash',
        message: 'it broke',
        at: new Date().toISOString(),
      },
    ],
    rolling_avg_s: 12,
    eta_s: 30,
    eta_at: null,
    message: null,
    relaunch: { cwd: tmp.dir, argv: ['run', 'calcs.jsonl'] },
  };
  writeFileSync(campaign.paths.status, JSON.stringify(run));
  if (settings !== undefined) writeFileSync(campaign.paths.settings, settings);
  const monitor = CampaignMonitor.open(tmp.dir);
  const calls: string[] = [];
  const actions: RecordingActions = {
    calls,
    stop: (mode) => {
      calls.push(`stop ${mode}`);
      return `stop ${mode} asked`;
    },
    relaunch: (r, extra) => {
      calls.push(`relaunch ${r.run_id} ${extra.join(' ')}`.trim());
      return 'relaunched';
    },
    command: (args) => {
      calls.push(`command ${args.join(' ')}`);
      return Promise.resolve('done');
    },
    detached: (args) => {
      calls.push(`detached ${args.join(' ')}`);
      return 'started';
    },
    cancel: (key) => {
      calls.push(`cancel ${key}`);
      return `cancel ${key} asked`;
    },
    checkHost: (name, onLine, onDone) => {
      calls.push(`check ${name}`);
      onLine('ssh reachable');
      onDone(true);
    },
  };
  return {
    campaign,
    monitor,
    actions,
    run,
    close: () => {
      monitor.close();
      campaign.close();
      tmp.remove();
    },
  };
}

/** Lets Ink handle the keys written and render again. */
export function settle(ms = 60): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export const KEY = {
  down: '\u001B[B',
  up: '\u001B[A',
  enter: '\r',
  escape: '\u001B',
  tab: '\t',
} as const;

/** Writes keys one at a time, as typed, letting Ink take each before the next. */
export async function press(
  ui: { readonly stdin: { write: (data: string) => void } },
  ...keys: string[]
): Promise<void> {
  for (const key of keys) {
    ui.stdin.write(key);
    await settle(40);
  }
}

/**
 * Waits until `check` passes (a loaded machine renders late), at most `ms`; then runs it once
 * more so that a failure shows its own message.
 */
export async function until(check: () => void, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      check();
      return;
    } catch {
      await settle(25);
    }
  }
  check();
}
