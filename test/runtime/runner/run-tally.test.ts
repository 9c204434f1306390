import { describe, expect, it } from 'vitest';
import { RunTally } from '../../../src/runtime/runner/run-tally.js';

describe('RunTally', () => {
  it('counts a calc once however often its outcome is recorded', () => {
    const tally = new RunTally();
    tally.add('a');
    tally.record('a', 'succeeded');
    tally.record('a', 'cached');
    tally.add('a');
    expect(tally.totals(0)).toMatchObject({ total: 1, completed: 1, succeeded: 1, cached: 0 });
  });

  it('lets a later outcome replace a failure, never a success', () => {
    const tally = new RunTally();
    tally.record('t', 'failed_earlier');
    tally.record('t', 'succeeded');
    tally.record('t', 'failed');
    expect(tally.outcome('t')).toBe('succeeded');
  });

  it('counts failures of earlier runs as failed, and says how many', () => {
    const tally = new RunTally();
    tally.record('a', 'failed_earlier');
    tally.record('b', 'failed');
    tally.add('c');
    expect(tally.totals(1)).toEqual({
      total: 3,
      completed: 2,
      succeeded: 0,
      failed: 2,
      failed_earlier: 1,
      cached: 0,
      running: 1,
      queued: 0,
    });
  });
});
