import { describe, expect, it } from 'vitest';
import { summarizeStates } from '../../../../src/pipelines/workflow/graph/index.js';

describe('one box for a step across the instances of a sweep', () => {
  it('shows the state that most needs attention, with the counts in legend order', () => {
    expect(summarizeStates(['succeeded', 'failed', 'cached', 'succeeded'])).toEqual({
      state: 'failed',
      label: '2 succeeded · 1 cached · 1 failed',
    });
    expect(summarizeStates(['pending', 'running', 'succeeded'])?.state).toBe('running');
    expect(summarizeStates(['pending', 'succeeded'])?.state).toBe('pending');
  });

  it('is skipped only when every instance skipped, succeeded when any computed it, else cached', () => {
    expect(summarizeStates(['skipped', 'skipped'])?.state).toBe('skipped');
    expect(summarizeStates(['skipped', 'cached'])?.state).toBe('cached');
    expect(summarizeStates(['cached', 'succeeded', 'skipped'])?.state).toBe('succeeded');
    expect(summarizeStates(['cached', 'cached'])).toEqual({ state: 'cached', label: '2 cached' });
  });

  it('has no counts for a single instance and no state for none', () => {
    expect(summarizeStates(['failed'])).toEqual({ state: 'failed', label: undefined });
    expect(summarizeStates([])).toBeUndefined();
  });
});
