import { describe, expect, it } from 'vitest';
import { WorkflowCounts } from '../../../src/pipelines/workflow/run-counts.js';
import type { InstanceOutcome } from '../../../src/pipelines/workflow/run.js';
import {
  PENDING_STEP,
  type StepRecord,
  type StepState,
} from '../../../src/pipelines/workflow/workflow-item.js';

const at = (state: StepState): StepRecord => ({ ...PENDING_STEP, state });

function outcome(
  instance: string,
  status: InstanceOutcome['status'],
  steps: Record<string, StepState>,
): InstanceOutcome {
  return {
    instance,
    status,
    record: {
      steps: Object.fromEntries(Object.entries(steps).map(([name, s]) => [name, at(s)])),
    },
  };
}

describe('WorkflowCounts', () => {
  it('counts every instance and step pending before anything ran', () => {
    const counts = new WorkflowCounts(4, 3);
    expect(counts.totals()).toEqual({
      instances: {
        total: 4,
        done: 0,
        succeeded: 0,
        failed: 0,
        skipped: 0,
        running: 0,
        pending: 4,
      },
      steps: { total: 12, done: 0, succeeded: 0, failed: 0, skipped: 0, running: 0, pending: 12 },
    });
  });

  it('follows steps as they change and instances as they end', () => {
    const counts = new WorkflowCounts(4, 2);
    counts.step('a', 'x', at('running'));
    counts.step('b', 'x', at('running'));
    counts.step('c', 'x', at('running'));
    expect(counts.totals().instances).toMatchObject({ running: 3, pending: 1, done: 0 });
    expect(counts.totals().steps).toMatchObject({ running: 3, pending: 5 });

    counts.step('a', 'x', at('succeeded'));
    counts.step('a', 'y', at('skipped'));
    counts.instance(outcome('a', 'ok', { x: 'succeeded', y: 'skipped' }));
    counts.step('b', 'x', at('failed'));
    counts.step('b', 'y', at('failed'));
    counts.instance(outcome('b', 'failed', { x: 'failed', y: 'failed' }));
    counts.step('c', 'x', at('succeeded'));
    counts.step('c', 'y', at('succeeded'));
    counts.instance(outcome('c', 'ok', { x: 'succeeded', y: 'succeeded' }));
    // d: the run stopped before its first step.
    counts.step('d', 'x', at('not_run'));
    counts.step('d', 'y', at('not_run'));
    counts.instance(outcome('d', 'stopped', { x: 'not_run', y: 'not_run' }));

    expect(counts.totals()).toEqual({
      instances: { total: 4, done: 3, succeeded: 1, failed: 1, skipped: 1, running: 0, pending: 1 },
      steps: { total: 8, done: 6, succeeded: 3, failed: 2, skipped: 1, running: 0, pending: 2 },
    });
  });
});
