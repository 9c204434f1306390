import { useEffect, useState } from 'react';
import type { CampaignMonitor, MonitorSnapshot } from '../../runtime/monitor/campaign-monitor.js';

/** The share of one core the UI allows itself between two refreshes (its own work, renders). */
export const CPU_BUDGET = 0.02;
/** The longest the interval is stretched to, whatever the UI costs. */
export const MAX_REFRESH_MS = 5000;
/** Clocks on screen (elapsed times) move once a second even when nothing else changed. */
const CLOCK_MS = 1000;

/**
 * The monitor's latest snapshot, taken every `refreshMs` at best. Two things keep the UI off
 * the runner's back on a busy campaign:
 * - a snapshot that shows nothing new (same store version, same status.json, same runner, same
 *   STOP) is not rendered, except once a second for the clocks;
 * - the interval stretches with the work the UI did since the previous refresh (the CPU time of
 *   this process: queries and renders), so that it stays within {@link CPU_BUDGET} of one core,
 *   up to {@link MAX_REFRESH_MS}.
 */
export function useSnapshot(monitor: CampaignMonitor, refreshMs: number): MonitorSnapshot {
  const [snapshot, setSnapshot] = useState<MonitorSnapshot>(() => monitor.snapshot());
  useEffect(() => {
    let shown: MonitorSnapshot | undefined;
    let shownAt = 0;
    let cpu = process.cpuUsage();
    let timer: NodeJS.Timeout | undefined;
    const tick = (): void => {
      const next = monitor.snapshot();
      if (shown === undefined || !sameView(shown, next) || Date.now() - shownAt >= CLOCK_MS) {
        shown = next;
        shownAt = Date.now();
        setSnapshot(next);
      }
      const used = process.cpuUsage(cpu);
      cpu = process.cpuUsage();
      const busyMs = (used.user + used.system) / 1000;
      timer = setTimeout(tick, nextDelay(refreshMs, busyMs));
    };
    timer = setTimeout(tick, refreshMs);
    return () => {
      clearTimeout(timer);
    };
  }, [monitor, refreshMs]);
  return snapshot;
}

/** The wait before the next refresh, after `busyMs` of CPU since the previous one. */
export function nextDelay(refreshMs: number, busyMs: number): number {
  return Math.min(Math.max(refreshMs, MAX_REFRESH_MS), Math.max(refreshMs, busyMs / CPU_BUDGET));
}

/** Whether two snapshots show the same thing (the clock aside). */
export function sameView(a: MonitorSnapshot, b: MonitorSnapshot): boolean {
  return (
    a.storeVersion === b.storeVersion &&
    a.run?.updated_at === b.run?.updated_at &&
    a.run?.state === b.run?.state &&
    a.runner.alive === b.runner.alive &&
    a.runner.pid === b.runner.pid &&
    a.stopRequested === b.stopRequested
  );
}
