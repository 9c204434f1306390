import { describe, expect, it } from 'vitest';
import { parseJobcomp } from '../../../src/executors/slurm/jobcomp.js';
import { slurmFixture } from './fixture.js';

describe('parseJobcomp', () => {
  it('reads every line of a real completion log', () => {
    const text = slurmFixture('jobcomp_filetxt.txt');
    const records = parseJobcomp(text);
    expect(records).toHaveLength(text.trimEnd().split('\n').length);
    const counts = new Map<string, number>();
    for (const r of records) counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({
      CANCELLED: 19,
      COMPLETED: 110,
      FAILED: 3,
      TIMEOUT: 2,
    });
    expect(records.find((r) => r.jobId === '132')).toEqual({
      jobId: '132',
      name: 'arr',
      state: 'COMPLETED',
      exitCode: 0,
      signal: null,
      arrayJobId: '127',
      arrayTaskId: 2,
      timeLimitS: null,
      runTimeS: 2,
      endTime: '2026-11-21T04:58:25',
    });
    expect(records.find((r) => r.jobId === '126')).toMatchObject({
      state: 'FAILED',
      exitCode: 143,
      timeLimitS: 60,
      runTimeS: 34,
    });
    expect(records.find((r) => r.jobId === '133')).toMatchObject({
      name: 'tlimit',
      state: 'TIMEOUT',
      timeLimitS: 60,
      runTimeS: 85,
    });
  });

  it('reads the states of retort’s own cluster log, NODE_FAIL included', () => {
    const records = parseJobcomp(slurmFixture('retort_jobcomp.txt'));
    expect(records.find((r) => r.jobId === '11')).toMatchObject({
      name: 'nodefail',
      state: 'NODE_FAIL',
    });
    expect(records.find((r) => r.jobId === '10')).toMatchObject({ state: 'TIMEOUT' });
    expect(records.find((r) => r.jobId === '14')).toMatchObject({ state: 'CANCELLED' });
    expect(records.find((r) => r.jobId === '18')).toMatchObject({
      name: 'arr|x',
      arrayJobId: '15',
      arrayTaskId: 1,
    });
    expect(parseJobcomp(slurmFixture('jobcomp_filetxt_timeout.txt')).map((r) => r.state)).toEqual([
      'TIMEOUT',
      'TIMEOUT',
    ]);
  });

  it('keeps only the state name of "CANCELLED by <uid>"', () => {
    const line = slurmFixture('jobcomp_filetxt.txt').split('\n')[0] ?? '';
    expect(line).toContain('JobState=CANCELLED Partition=');
    const [record] = parseJobcomp(
      `${line.replace('JobState=CANCELLED', 'JobState=CANCELLED by 0')}\n`,
    );
    expect(record).toMatchObject({ jobId: '2', name: 'cancelme', state: 'CANCELLED' });
  });

  it('ignores a last line still being written and damaged lines', () => {
    const lines = slurmFixture('jobcomp_filetxt_timeout.txt').split('\n');
    const [first = '', second = ''] = lines;
    expect(parseJobcomp(`${first}\n${second.slice(0, 80)}`).map((r) => r.jobId)).toEqual(['133']);
    expect(parseJobcomp(`garbage\nJobId=9 ExitCode=1:0\n${first}\n`).map((r) => r.jobId)).toEqual([
      '133',
    ]);
    expect(parseJobcomp('')).toEqual([]);
  });
});
