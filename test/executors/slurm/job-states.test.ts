import { describe, expect, it } from 'vitest';
import {
  ACTIVE_STATES,
  FINAL_STATES,
  finalStateFailure,
  isActiveState,
  normaliseState,
} from '../../../src/executors/slurm/job-states.js';
import { parseJobcomp } from '../../../src/executors/slurm/jobcomp.js';
import { parseScontrolJobs } from '../../../src/executors/slurm/scontrol.js';
import { parseSqueue } from '../../../src/executors/slurm/squeue.js';
import { slurmFixture } from './fixture.js';

describe('job states', () => {
  it('knows every state in the real fixtures', () => {
    const states = new Set([
      ...parseSqueue(slurmFixture('retort_squeue_running_array.txt')).map((r) => r.state),
      ...parseSqueue(slurmFixture('retort_squeue_final_array.txt')).map((r) => r.state),
      ...parseScontrolJobs(slurmFixture('retort_scontrol_all_final_oneline.txt')).map(
        (j) => j.state,
      ),
      ...parseScontrolJobs(slurmFixture('scontrol_show_job_array_running.txt')).map((j) => j.state),
      ...parseJobcomp(slurmFixture('jobcomp_filetxt.txt')).map((r) => r.state),
      ...parseJobcomp(slurmFixture('retort_jobcomp.txt')).map((r) => r.state),
    ]);
    expect([...states].sort()).toEqual([
      'CANCELLED',
      'COMPLETED',
      'FAILED',
      'NODE_FAIL',
      'PENDING',
      'RUNNING',
      'TIMEOUT',
    ]);
    for (const state of states) {
      expect(ACTIVE_STATES.includes(state) !== FINAL_STATES.includes(state), state).toBe(true);
    }
    expect(ACTIVE_STATES.filter((s) => FINAL_STATES.includes(s))).toEqual([]);
  });

  it('tells active from final states, decorations ignored', () => {
    for (const state of ACTIVE_STATES) expect(isActiveState(state), state).toBe(true);
    for (const state of FINAL_STATES) expect(isActiveState(state), state).toBe(false);
    expect(isActiveState('RUNNING+')).toBe(true);
    expect(isActiveState(' pending ')).toBe(true);
    expect(isActiveState('CANCELLED by 0')).toBe(false);
    expect(normaliseState('CANCELLED by 1000')).toBe('CANCELLED');
    expect(normaliseState('COMPLETING+')).toBe('COMPLETING');
  });
});

describe('finalStateFailure', () => {
  it('leaves COMPLETED and FAILED to the calc’s exit marker', () => {
    expect(finalStateFailure('COMPLETED', false)).toEqual({ timedOut: false });
    expect(finalStateFailure('FAILED', false)).toEqual({ timedOut: false });
  });

  it('reports a time limit as a timeout', () => {
    expect(finalStateFailure('TIMEOUT', false)).toEqual({
      failure: { class: 'timeout', message: 'SLURM stopped the job at its time limit' },
      timedOut: true,
    });
    expect(finalStateFailure('DEADLINE', false)).toMatchObject({
      failure: { class: 'timeout' },
      timedOut: true,
    });
  });

  it('reports running out of memory', () => {
    expect(finalStateFailure('OUT_OF_MEMORY', false)).toMatchObject({
      failure: { class: 'out_of_memory' },
      timedOut: false,
    });
  });

  it('reports failed nodes, preemption and unknown states as lost, naming the state', () => {
    expect(finalStateFailure('NODE_FAIL', false)).toEqual({
      failure: { class: 'lost', message: 'the node failed (NODE_FAIL); the calc will be retried' },
      timedOut: false,
    });
    expect(finalStateFailure('BOOT_FAIL', false).failure).toMatchObject({
      class: 'lost',
      message: expect.stringContaining('BOOT_FAIL') as unknown,
    });
    expect(finalStateFailure('PREEMPTED', false).failure).toMatchObject({
      class: 'lost',
      message: expect.stringContaining('PREEMPTED') as unknown,
    });
    expect(finalStateFailure('REVOKED', false).failure?.class).toBe('lost');
    expect(finalStateFailure('UNKNOWN', false).failure).toEqual({
      class: 'lost',
      message: 'SLURM ended the job in state UNKNOWN; the calc will be retried',
    });
  });

  it('says who cancelled', () => {
    expect(finalStateFailure('CANCELLED', true)).toEqual({
      failure: { class: 'cancelled', message: 'cancelled by retort' },
      timedOut: false,
    });
    expect(finalStateFailure('CANCELLED by 0', false)).toEqual({
      failure: {
        class: 'cancelled',
        message: 'cancelled outside retort (scancel or an administrator)',
      },
      timedOut: false,
    });
  });

  it('throws on a state that is not final', () => {
    expect(() => finalStateFailure('RUNNING', false)).toThrow(/not final/);
    expect(() => finalStateFailure('PENDING', true)).toThrow(/not final/);
  });
});
