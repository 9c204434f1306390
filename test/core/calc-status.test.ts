import { describe, expect, it } from 'vitest';
import { ATTEMPT_TRANSITIONS } from '../../src/core/attempt-status.js';
import { CALC_TRANSITIONS, CalcStatus } from '../../src/core/calc-status.js';
import { RUN_TRANSITIONS } from '../../src/core/run-state.js';
import {
  assertTransition,
  canTransition,
  IllegalTransitionError,
} from '../../src/core/transitions.js';

describe('the calc state machine', () => {
  it('allows the life of a calc: queued → submitted → running → succeeded', () => {
    expect(canTransition(CALC_TRANSITIONS, 'queued', 'submitted')).toBe(true);
    expect(canTransition(CALC_TRANSITIONS, 'submitted', 'running')).toBe(true);
    expect(canTransition(CALC_TRANSITIONS, 'running', 'succeeded')).toBe(true);
  });

  it('never leaves succeeded: a succeeded key is never run again', () => {
    for (const to of Object.values(CalcStatus)) {
      expect(canTransition(CALC_TRANSITIONS, 'succeeded', to)).toBe(false);
    }
  });

  it('returns in-flight calcs to the queue and lets failed ones be queued again', () => {
    expect(canTransition(CALC_TRANSITIONS, 'running', 'queued')).toBe(true);
    expect(canTransition(CALC_TRANSITIONS, 'submitted', 'queued')).toBe(true);
    expect(canTransition(CALC_TRANSITIONS, 'failed', 'queued')).toBe(true);
  });

  it('refuses a jump that skips the intent record', () => {
    expect(() => {
      assertTransition('calc', CALC_TRANSITIONS, 'queued', 'running');
    }).toThrow(IllegalTransitionError);
    expect(() => {
      assertTransition('calc', CALC_TRANSITIONS, 'queued', 'succeeded');
    }).toThrow('queued → succeeded');
  });

  it('ends attempts for good and runs in their end states', () => {
    expect(ATTEMPT_TRANSITIONS.returned).toEqual([]);
    expect(ATTEMPT_TRANSITIONS.succeeded).toEqual([]);
    expect(RUN_TRANSITIONS.complete).toEqual([]);
    expect(canTransition(RUN_TRANSITIONS, 'running', 'paused')).toBe(true);
    expect(canTransition(RUN_TRANSITIONS, 'complete', 'running')).toBe(false);
  });
});
