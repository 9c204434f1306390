import type { TimingPoint } from '../../plots/timings.js';
import type { AttemptTiming } from '../../store/calc-store.js';
import { median, type CostModel, type CostSource, type CostedSpec } from './learned-cost.js';

/** One calc's predicted wall time (`retort estimate`). */
export interface EstimateRow {
  readonly label: string;
  readonly program: string;
  readonly task: string;
  readonly predicted_s: number;
  readonly source: CostSource;
}

/**
 * What `retort estimate` prints: each calc's prediction, the total work (the sum), and the
 * wall time of the whole on `workers` when the runner starts the longest first (the
 * predictions list-scheduled longest first: each calc to the first free worker).
 */
export interface Estimate {
  readonly rows: readonly EstimateRow[];
  readonly total_s: number;
  readonly workers: number;
  readonly wall_s: number;
}

export function estimateCalcs(
  model: CostModel,
  calcs: readonly { readonly label: string; readonly spec: CostedSpec }[],
  workers: number,
): Estimate {
  const rows = calcs.map(({ label, spec }) => {
    const p = model.predict(spec);
    return {
      label,
      program: spec.program,
      task: spec.task,
      predicted_s: p.seconds,
      source: p.source,
    };
  });
  const total = rows.reduce((a, r) => a + r.predicted_s, 0);
  return {
    rows,
    total_s: total,
    workers,
    wall_s: longestFirstMakespan(
      rows.map((r) => r.predicted_s),
      workers,
    ),
  };
}

/** The makespan of `durations` list-scheduled longest first on `workers`. */
export function longestFirstMakespan(durations: readonly number[], workers: number): number {
  const free = Array.from({ length: Math.max(1, workers) }, () => 0);
  for (const d of [...durations].sort((a, b) => b - a)) {
    let i = 0;
    for (let j = 1; j < free.length; j++) if ((free[j] ?? 0) < (free[i] ?? 0)) i = j;
    free[i] = (free[i] ?? 0) + d;
  }
  return Math.max(...free);
}

/**
 * One program's predicted against actual wall times (`retort report timings`), over the
 * successful attempts that were given a prediction when submitted:
 * - `calcs`: how many; `predicted_s`, `actual_s`: their sums;
 * - `median_ratio`: median of actual ÷ predicted (1: right on; 2: twice as long as said);
 * - `median_error`: median of |predicted − actual| ÷ actual;
 * - `mean_queue_wait_s`: mean time between the hand-over to the executor and the program's
 *   start (a cluster's queue), over every successful attempt of the program.
 */
export interface TimingRow {
  readonly program: string;
  readonly calcs: number;
  readonly predicted_s: number;
  readonly actual_s: number;
  readonly median_ratio: number | null;
  readonly median_error: number | null;
  readonly mean_queue_wait_s: number;
}

export function timingReport(timings: readonly AttemptTiming[]): TimingRow[] {
  const byProgram = new Map<string, AttemptTiming[]>();
  for (const t of timings) {
    let list = byProgram.get(t.program);
    if (list === undefined) byProgram.set(t.program, (list = []));
    list.push(t);
  }
  return [...byProgram.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([program, list]) => {
      const predicted = list.filter(
        (t): t is AttemptTiming & { predictedS: number } =>
          t.predictedS !== null && t.predictedS > 0 && t.durationS > 0,
      );
      return {
        program,
        calcs: predicted.length,
        predicted_s: predicted.reduce((a, t) => a + t.predictedS, 0),
        actual_s: predicted.reduce((a, t) => a + t.durationS, 0),
        median_ratio:
          predicted.length === 0 ? null : median(predicted.map((t) => t.durationS / t.predictedS)),
        median_error:
          predicted.length === 0
            ? null
            : median(predicted.map((t) => Math.abs(t.predictedS - t.durationS) / t.durationS)),
        mean_queue_wait_s: list.reduce((a, t) => a + t.queueWaitS, 0) / list.length,
      };
    });
}

/**
 * The points of the predicted-against-actual plot (src/plots/timings.ts draws it): one per
 * successful attempt that had a prediction, wall times in s.
 */
export function timingsPlotData(timings: readonly AttemptTiming[]): TimingPoint[] {
  return timings
    .filter((t) => t.predictedS !== null)
    .map((t) => ({
      group: t.program,
      label: `${t.program} ${t.task} ${t.key.slice(0, 12)}`,
      predicted_s: t.predictedS ?? 0,
      actual_s: t.durationS,
    }));
}
