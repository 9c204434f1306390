import { describe, expect, it } from 'vitest';
import {
  estimateCalcs,
  makespan,
  timingReport,
  timingsPlotData,
} from '../../../src/runtime/scheduling/estimate.js';
import { CostModel } from '../../../src/runtime/scheduling/learned-cost.js';
import type { AttemptTiming } from '../../../src/store/calc-store.js';

function timing(program: string, durationS: number, predictedS: number | null): AttemptTiming {
  return {
    key: `${program}${String(durationS)}`,
    program,
    task: 'energy',
    spec: { program, task: 'energy' },
    executor: 'local',
    runId: 'r',
    durationS,
    predictedS,
    queueWaitS: 1,
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T00:00:10.000Z',
  };
}

describe('makespan', () => {
  const free = (seconds: number[]) => seconds.map((s) => ({ seconds: s, after: [] }));

  it('longest first places the longest calc first, each on the first free worker', () => {
    expect(makespan(free([1, 1, 1, 1, 4]), 2, 'longest first')).toBe(4);
    expect(makespan(free([3, 3, 2, 2, 2]), 2, 'longest first')).toBe(7);
    expect(makespan(free([5]), 4, 'longest first')).toBe(5);
    expect(makespan([], 2, 'longest first')).toBe(0);
  });

  it('in order takes the calcs as listed: a long one last ends alone', () => {
    expect(makespan(free([1, 1, 1, 1, 4]), 2, 'in order')).toBe(6);
  });

  it('starts a calc only after the calcs it waits for, and lets the others use the workers', () => {
    // 0 → 1 (a chain of 2 + 3) beside three free calcs of 2: the chain decides the end.
    const tasks = [
      { seconds: 2, after: [] },
      { seconds: 3, after: [0] },
      { seconds: 2, after: [] },
      { seconds: 2, after: [] },
      { seconds: 2, after: [] },
    ];
    expect(makespan(tasks, 2, 'longest first')).toBe(6);
    expect(makespan(tasks, 1, 'longest first')).toBe(11);
    // Two molecules of two calcs each, in order on one worker per molecule.
    const chains = [
      { seconds: 1, after: [] },
      { seconds: 5, after: [0] },
      { seconds: 1, after: [] },
      { seconds: 1, after: [2] },
      { seconds: 4, after: [] },
    ];
    expect(makespan(chains, 2, 'in order')).toBe(6);
    expect(makespan([{ seconds: 1, after: [7] }], 2, 'in order')).toBe(0);
  });
});

describe('estimateCalcs', () => {
  it('sums the predictions and schedules them on the workers', () => {
    const model = CostModel.learn([
      { spec: { program: 'command', task: 'run', method: 'long' }, durationS: 10 },
      { spec: { program: 'command', task: 'run', method: 'short' }, durationS: 2 },
    ]);
    const calcs = ['long', 'short', 'short', 'short'].map((method, i) => ({
      label: `c${String(i)}`,
      spec: { program: 'command', task: 'run', method },
    }));
    const e = estimateCalcs(model, calcs, 2);
    expect(e.rows.map((r) => r.predicted_s)).toEqual([10, 2, 2, 2]);
    expect(e.calcs).toBe(4);
    expect(e.total_s).toBe(16);
    expect(e.wall_s).toBe(10);
    expect(e.order).toBe('longest first');
    // Three like calcs in one row count three times.
    const three = estimateCalcs(
      model,
      [{ label: 'x', spec: { program: 'command', task: 'run', method: 'short' }, calcs: 3 }],
      2,
    );
    expect([three.calcs, three.total_s, three.rows[0]?.predicted_s]).toEqual([3, 6, 6]);
  });
});

describe('timingReport', () => {
  it('compares predicted and actual wall times per program', () => {
    const rows = timingReport([
      timing('xtb', 2, 1),
      timing('xtb', 4, 4),
      timing('xtb', 9, 3),
      timing('psi4', 10, null),
    ]);
    expect(rows).toEqual([
      {
        program: 'psi4',
        calcs: 0,
        predicted_s: 0,
        actual_s: 0,
        median_ratio: null,
        median_error: null,
        mean_queue_wait_s: 1,
      },
      {
        program: 'xtb',
        calcs: 3,
        predicted_s: 8,
        actual_s: 15,
        median_ratio: 2,
        median_error: 0.5,
        mean_queue_wait_s: 1,
      },
    ]);
    expect(timingsPlotData([timing('xtb', 2, 1), timing('psi4', 10, null)])).toEqual([
      expect.objectContaining({ group: 'xtb', predicted_s: 1, actual_s: 2 }),
    ]);
  });
});
