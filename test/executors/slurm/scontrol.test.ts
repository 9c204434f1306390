import { describe, expect, it } from 'vitest';
import {
  isInvalidJobId,
  parseKeyValues,
  parseScontrolJobs,
  parseSlurmDuration,
  parseTimeLimit,
  queueJobId,
  scontrolShowJobArgs,
} from '../../../src/executors/slurm/scontrol.js';
import { slurmFixture } from './fixture.js';

function only(name: string) {
  const jobs = parseScontrolJobs(slurmFixture(name));
  expect(jobs).toHaveLength(1);
  return jobs[0];
}

describe('scontrolShowJobArgs', () => {
  it('asks for one job by id, the only form scontrol 22.05 takes', () => {
    expect(scontrolShowJobArgs('124')).toEqual(['scontrol', '--oneliner', 'show', 'job', '124']);
    // two ids and comma lists are errors.
    expect(slurmFixture('retort_scontrol_two_ids.txt')).toContain('too many arguments');
    expect(slurmFixture('retort_scontrol_comma_list.txt')).toContain('Invalid job id');
  });
});

describe('parseScontrolJobs', () => {
  it('reads every final state of the real multi-line output', () => {
    expect(only('scontrol_show_job_final_122.txt')).toEqual({
      jobId: '122',
      name: 'ok',
      state: 'COMPLETED',
      reason: 'None',
      exitCode: 0,
      signal: null,
      runTimeS: 3,
      timeLimitS: null,
    });
    expect(only('scontrol_show_job_final_124.txt')).toMatchObject({
      state: 'CANCELLED',
      reason: 'Resources',
      exitCode: 0,
    });
    expect(only('scontrol_show_job_final_125.txt')).toMatchObject({
      name: 'fails',
      state: 'FAILED',
      reason: 'NonZeroExitCode',
      exitCode: 3,
      signal: null,
    });
    expect(only('scontrol_show_job_final_126_EXTERNAL_SIGTERM.txt')).toMatchObject({
      state: 'FAILED',
      exitCode: 143,
      signal: null,
      runTimeS: 34,
      timeLimitS: 60,
    });
    expect(only('scontrol_show_job_final_128.txt')).toMatchObject({
      state: 'CANCELLED',
      reason: 'JobHeldUser',
    });
    expect(only('scontrol_show_job_final_rejected_mem_129.txt')).toMatchObject({
      state: 'FAILED',
      reason: 'BadConstraints',
      exitCode: null,
      signal: 1,
    });
    expect(only('scontrol_show_job_final_timeout_133.txt')).toEqual({
      jobId: '133',
      name: 'tlimit',
      state: 'TIMEOUT',
      reason: 'TimeLimit',
      exitCode: null,
      signal: 15,
      runTimeS: 85,
      timeLimitS: 60,
    });
    expect(only('retort_scontrol_timeout.txt')).toMatchObject({ state: 'TIMEOUT', signal: 15 });
    expect(only('retort_scontrol_nodefail.txt')).toMatchObject({
      jobId: '11',
      state: 'NODE_FAIL',
      reason: 'NodeDown',
      exitCode: 143,
    });
    expect(only('retort_scontrol_cancelled_running.txt')).toMatchObject({
      state: 'CANCELLED',
      exitCode: null,
      signal: 15,
    });
  });

  it('reads jobs that have not ended', () => {
    expect(only('scontrol_show_job_running.txt')).toMatchObject({
      jobId: '122',
      state: 'RUNNING',
      runTimeS: 2,
      timeLimitS: null,
    });
    expect(only('scontrol_show_job_held.txt')).toMatchObject({
      state: 'PENDING',
      reason: 'JobHeldUser',
    });
  });

  it('gives each array task its own job, expanding pending ranges', () => {
    const finished = parseScontrolJobs(slurmFixture('scontrol_show_job_final_127.txt'));
    expect(finished.map((j) => [j.jobId, j.arrayJobId, j.arrayTaskId, j.state])).toEqual([
      ['127', '127', 3, 'COMPLETED'],
      ['132', '127', 2, 'COMPLETED'],
      ['131', '127', 1, 'COMPLETED'],
      ['130', '127', 0, 'COMPLETED'],
    ]);
    expect(finished.map(queueJobId)).toEqual(['127_3', '127_2', '127_1', '127_0']);

    const pending = parseScontrolJobs(slurmFixture('scontrol_show_job_array_running.txt'));
    expect(pending.map((j) => [j.jobId, j.arrayTaskId, j.state])).toEqual([
      ['127', 0, 'PENDING'],
      ['127', 1, 'PENDING'],
      ['127', 2, 'PENDING'],
      ['127', 3, 'PENDING'],
    ]);

    // `ArrayTaskId=1-3%1` (throttled) while task 0 runs as job 17
    const throttled = parseScontrolJobs(slurmFixture('retort_scontrol_array_pending.txt'));
    expect(throttled.map((j) => [queueJobId(j), j.jobId, j.state])).toEqual([
      ['15_1', '15', 'PENDING'],
      ['15_2', '15', 'PENDING'],
      ['15_3', '15', 'PENDING'],
      ['15_0', '17', 'RUNNING'],
    ]);
  });

  it('reads --oneliner output the same as the multi-line format', () => {
    const jobs = parseScontrolJobs(slurmFixture('scontrol_show_job_oneline_final.txt'));
    expect(jobs.map(queueJobId)).toEqual([
      '122',
      '124',
      '125',
      '126',
      '127_3',
      '127_2',
      '127_1',
      '127_0',
      '128',
    ]);
    for (const name of ['122', '124', '125', '126', '128']) {
      expect(jobs.find((j) => j.jobId === name)).toEqual(
        only(`scontrol_show_job_final_${name}${name === '126' ? '_EXTERNAL_SIGTERM' : ''}.txt`),
      );
    }
  });

  it('reads a whole real queue, an array cancelled before it started included', () => {
    const jobs = parseScontrolJobs(slurmFixture('retort_scontrol_all_final_oneline.txt'));
    expect(new Set(jobs.map((j) => j.state))).toEqual(
      new Set(['COMPLETED', 'CANCELLED', 'FAILED', 'TIMEOUT', 'NODE_FAIL']),
    );
    // ArrayTaskId=4294967294 (NO_VAL): the record stands for the whole array
    const wholeArray = jobs.find((j) => j.jobId === '3');
    expect(wholeArray).toMatchObject({ arrayJobId: '3', state: 'CANCELLED' });
    expect(wholeArray?.arrayTaskId).toBeUndefined();
    expect(queueJobId(wholeArray ?? { jobId: '' })).toBe('3');
  });

  it('gives no jobs for unknown ids and an empty system', () => {
    expect(parseScontrolJobs(slurmFixture('scontrol_show_job_invalid.txt'))).toEqual([]);
    expect(parseScontrolJobs(slurmFixture('retort_scontrol_task_not_found.txt'))).toEqual([]);
    expect(parseScontrolJobs('No jobs in the system\n')).toEqual([]);
    expect(parseScontrolJobs('')).toEqual([]);
  });

  it('throws on records it cannot read', () => {
    expect(() => parseScontrolJobs('JobId=1 JobName=x\n')).toThrow(/unexpected scontrol output/);
    expect(() => parseScontrolJobs('JobId=1 JobState=RUNNING ExitCode=x\n')).toThrow(/ExitCode/);
    expect(() => parseScontrolJobs('something else\n')).toThrow(/unexpected scontrol output/);
  });
});

describe('isInvalidJobId', () => {
  it('recognises the ways scontrol and squeue say a job is unknown', () => {
    expect(isInvalidJobId(slurmFixture('scontrol_show_job_invalid.txt'))).toBe(true);
    expect(isInvalidJobId(slurmFixture('squeue_invalid.txt'))).toBe(true);
    expect(isInvalidJobId(slurmFixture('retort_scontrol_task_not_found.txt'))).toBe(true);
    expect(isInvalidJobId(slurmFixture('scontrol_show_job_final_122.txt'))).toBe(false);
    expect(isInvalidJobId('')).toBe(false);
  });
});

describe('field parsing', () => {
  it('reads key=value text whose values contain spaces and "="', () => {
    const fields = parseKeyValues(
      'JobId=5 JobState=CANCELLED by 0 TRES=cpu=1,node=1 WorkDir=/a b/c ReqB:S:C:T=0:0:*:* Power=',
    );
    expect(Object.fromEntries(fields)).toEqual({
      JobId: '5',
      JobState: 'CANCELLED by 0',
      TRES: 'cpu=1,node=1',
      WorkDir: '/a b/c',
      'ReqB:S:C:T': '0:0:*:*',
      Power: '',
    });
  });

  it('reads SLURM durations and time limits', () => {
    expect(parseSlurmDuration('00:01:25')).toBe(85);
    expect(parseSlurmDuration('1:00')).toBe(60);
    expect(parseSlurmDuration('5')).toBe(300);
    expect(parseSlurmDuration('365-00:00:00')).toBe(365 * 86400);
    expect(parseSlurmDuration('1-02')).toBe(26 * 3600);
    expect(parseSlurmDuration('1-02:03')).toBe(26 * 3600 + 180);
    expect(parseSlurmDuration('N/A')).toBeUndefined();
    expect(parseTimeLimit('UNLIMITED')).toBeNull();
    expect(parseTimeLimit('INFINITE')).toBeNull();
    expect(parseTimeLimit('00:01:00')).toBe(60);
    expect(parseTimeLimit('Partition_Limit')).toBeUndefined();
  });
});
