import { describe, expect, it } from 'vitest';
import {
  estimateCalcs,
  longestFirstMakespan,
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

describe('longestFirstMakespan', () => {
  it('places the longest first, each on the first free worker', () => {
    expect(longestFirstMakespan([1, 1, 1, 1, 4], 2)).toBe(4);
    expect(longestFirstMakespan([3, 3, 2, 2, 2], 2)).toBe(7);
    expect(longestFirstMakespan([5], 4)).toBe(5);
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
    expect(e.total_s).toBe(16);
    expect(e.wall_s).toBe(10);
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
