import { describe, expect, it } from 'vitest';
import {
  expandArrayTaskRange,
  parseSqueue,
  squeueArgs,
  SQUEUE_FORMAT,
} from '../../../src/executors/slurm/squeue.js';
import { slurmFixture } from './fixture.js';

describe('squeueArgs', () => {
  it('lists all of the user’s jobs, finished ones and array tasks included, in one call', () => {
    expect(squeueArgs()).toEqual([
      'squeue',
      '--noheader',
      '--me',
      '--states=all',
      '--array',
      '--format=%i|%F|%K|%T|%r|%j',
    ]);
    expect(SQUEUE_FORMAT).toBe('%i|%F|%K|%T|%r|%j');
  });
});

describe('parseSqueue', () => {
  it('reads real squeue output: jobs, array tasks, names with "|"', () => {
    const rows = parseSqueue(slurmFixture('retort_squeue_running_array.txt'));
    expect(rows).toHaveLength(19);
    expect(rows.find((r) => r.jobId === '10')).toEqual({
      jobId: '10',
      arrayJobId: '10',
      arrayTaskId: undefined,
      name: 'tlimit',
      state: 'RUNNING',
      reason: 'None',
    });
    expect(rows.find((r) => r.jobId === '15_1')).toEqual({
      jobId: '15_1',
      arrayJobId: '15',
      arrayTaskId: 1,
      name: 'arr|x',
      state: 'PENDING',
      reason: 'JobArrayTaskLimit',
    });
    expect(rows.find((r) => r.jobId === '16')).toMatchObject({
      state: 'PENDING',
      reason: 'JobHeldUser',
    });
    expect(rows.find((r) => r.jobId === '2_5')).toMatchObject({
      arrayJobId: '2',
      arrayTaskId: 5,
      state: 'COMPLETED',
    });
  });

  it('expands pending array ranges into one row per task', () => {
    const ranges = parseSqueue(slurmFixture('retort_squeue_running_ranges.txt'));
    // The same queue listed without --array: `15_[1-3%1]` becomes 15_1, 15_2, 15_3.
    expect(ranges).toEqual(parseSqueue(slurmFixture('retort_squeue_running_array.txt')));
    expect(parseSqueue('127_[0-3]|127|0-3|PENDING|Priority|arr\n').map((r) => r.jobId)).toEqual([
      '127_0',
      '127_1',
      '127_2',
      '127_3',
    ]);
  });

  it('reads every final state of the real queue', () => {
    const rows = parseSqueue(slurmFixture('retort_squeue_final_array.txt'));
    expect(new Set(rows.map((r) => r.state))).toEqual(
      new Set(['CANCELLED', 'NODE_FAIL', 'COMPLETED', 'FAILED', 'TIMEOUT']),
    );
    expect(rows.find((r) => r.jobId === '10')).toMatchObject({
      state: 'TIMEOUT',
      reason: 'TimeLimit',
    });
    expect(rows.find((r) => r.jobId === '11')).toMatchObject({
      state: 'NODE_FAIL',
      reason: 'NodeDown',
    });
    // An array cancelled before any task started is one row for the whole array.
    expect(rows.find((r) => r.jobId === '3')).toMatchObject({
      arrayJobId: '3',
      arrayTaskId: undefined,
      state: 'CANCELLED',
    });
  });

  it('ignores blank lines and gives nothing for an empty queue', () => {
    expect(parseSqueue('')).toEqual([]);
    expect(parseSqueue('\n  \n12|12|N/A|RUNNING|None|x\n\n')).toHaveLength(1);
  });

  it('throws on a line in another format, naming it', () => {
    expect(() => parseSqueue(slurmFixture('squeue_running.txt'))).toThrow(/unexpected squeue line/);
    expect(() => parseSqueue(slurmFixture('squeue_invalid.txt'))).toThrow(/slurm_load_jobs error/);
    expect(() => parseSqueue('12|12|N/A|RUNNING|None\n')).toThrow(/unexpected squeue line/);
    expect(() => parseSqueue('12_x|12|x|RUNNING|None|n\n')).toThrow(/unexpected squeue line/);
    expect(() => parseSqueue('12|13|N/A|RUNNING|None|n\n')).toThrow(/unexpected squeue line/);
  });
});

describe('expandArrayTaskRange', () => {
  it('expands SLURM task expressions', () => {
    expect(expandArrayTaskRange('3')).toEqual([3]);
    expect(expandArrayTaskRange('0-3')).toEqual([0, 1, 2, 3]);
    expect(expandArrayTaskRange('1,3,7-9')).toEqual([1, 3, 7, 8, 9]);
    expect(expandArrayTaskRange('[0-3%2]')).toEqual([0, 1, 2, 3]);
    expect(expandArrayTaskRange('1-3%1')).toEqual([1, 2, 3]);
    expect(expandArrayTaskRange('0-6:2')).toEqual([0, 2, 4, 6]);
  });

  it('throws on anything else', () => {
    for (const bad of ['', 'x', '3-1', '1,,2', '0-3:0', 'N/A']) {
      expect(() => expandArrayTaskRange(bad)).toThrow(/not an array task range/);
    }
  });
});
