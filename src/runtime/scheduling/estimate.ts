import type { TimingPoint } from '../../plots/timings.js';
import type { AttemptTiming } from '../../store/calc-store.js';
import { median, type CostModel, type CostSource, type CostedSpec } from './learned-cost.js';

/** One row of `retort estimate`: a calc, or a run of like calcs (a molecule's optimisations). */
export interface EstimateRow {
  readonly label: string;
  readonly program: string;
  readonly task: string;
  /** How many calcs the row stands for (1 but for a batch molecule's conformer optimisations). */
  readonly calcs: number;
  /** The predicted wall time of all of them, s. */
  readonly predicted_s: number;
  readonly source: CostSource;
}

/**
 * How the calcs of an estimate start:
 * - `longest first`: whenever a worker is free, the longest predicted calc among those whose
 *   `after` calcs are done (retort run, MBE, workflows: priority aside, the runner's order);
 * - `in order`: the first in list order among those ready (a dataset batch: its molecules in
 *   batch order, each molecule's calcs one after another).
 */
export type EstimateOrder = 'longest first' | 'in order';

/**
 * What `retort estimate` prints: each row's prediction, the calcs and the work (the sum of the
 * predictions), and the wall time of the whole on `workers` in `order` (the predictions
 * list-scheduled: each calc to the first free worker once the calcs it waits for are done).
 */
export interface Estimate {
  readonly rows: readonly EstimateRow[];
  readonly calcs: number;
  readonly total_s: number;
  readonly workers: number;
  readonly order: EstimateOrder;
  readonly wall_s: number;
}

/** A calc to estimate: `calcs` like calcs of one spec (default 1), started after `after` (indices). */
export interface PlannedCalc {
  readonly label: string;
  readonly spec: CostedSpec;
  readonly calcs?: number;
  readonly after?: readonly number[];
}

export function estimateCalcs(
  model: CostModel,
  calcs: readonly PlannedCalc[],
  workers: number,
  order: EstimateOrder = 'longest first',
): Estimate {
  const rows = calcs.map(({ label, spec, calcs: count = 1 }) => {
    const p = model.predict(spec);
    return {
      label,
      program: spec.program,
      task: spec.task,
      calcs: count,
      predicted_s: p.seconds * count,
      source: p.source,
    };
  });
  return {
    rows,
    calcs: rows.reduce((a, r) => a + r.calcs, 0),
    total_s: rows.reduce((a, r) => a + r.predicted_s, 0),
    workers,
    order,
    wall_s: makespan(
      rows.map((r, i) => ({ seconds: r.predicted_s, after: calcs[i]?.after ?? [] })),
      workers,
      order,
    ),
  };
}

/**
 * The makespan of `tasks` list-scheduled on `workers`: whenever a worker is free it takes,
 * among the tasks whose `after` tasks (indices) have ended, the longest (`longest first`) or
 * the first in list order (`in order`). A task waiting for itself or for a task that is not
 * there is never ready: it is left out.
 */
export function makespan(
  tasks: readonly { readonly seconds: number; readonly after: readonly number[] }[],
  workers: number,
  order: EstimateOrder,
): number {
  const ended = new Set<number>();
  const waiting = new Set(tasks.keys());
  const running: { task: number; end: number }[] = [];
  let now = 0;
  let last = 0;
  const slots = Math.max(1, workers);
  for (;;) {
    const ready = [...waiting].filter((i) => (tasks[i]?.after ?? []).every((j) => ended.has(j)));
    if (order === 'longest first')
      ready.sort((a, b) => (tasks[b]?.seconds ?? 0) - (tasks[a]?.seconds ?? 0) || a - b);
    while (running.length < slots && ready.length > 0) {
      const task = ready.shift() ?? 0;
      waiting.delete(task);
      running.push({ task, end: now + (tasks[task]?.seconds ?? 0) });
    }
    if (running.length === 0) return last;
    running.sort((a, b) => a.end - b.end);
    now = running[0]?.end ?? now;
    while (running.length > 0 && (running[0]?.end ?? Infinity) <= now) {
      ended.add(running.shift()?.task ?? -1);
    }
    last = now;
  }
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
