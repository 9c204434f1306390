import { describe, expect, it } from 'vitest';
import { classifySbatchError, parseSbatchParsable } from '../../../src/executors/slurm/sbatch.js';
import { slurmFixture } from './fixture.js';

describe('parseSbatchParsable', () => {
  it('reads the job id, with or without the cluster', () => {
    expect(parseSbatchParsable('123\n')).toBe('123');
    expect(parseSbatchParsable('4567;cluster\n')).toBe('4567');
  });

  it('throws on anything else', () => {
    // what sbatch prints without --parsable
    expect(() => parseSbatchParsable(slurmFixture('sbatch_plain_stdout.txt'))).toThrow(
      /did not print a job id/,
    );
    for (const bad of ['', '12a', '12;', '1\n2\n', ';cluster']) {
      expect(() => parseSbatchParsable(bad)).toThrow(/did not print a job id/);
    }
  });
});

describe('classifySbatchError', () => {
  it('blames the host’s settings for a partition, account, QOS or option the cluster does not have', () => {
    expect(classifySbatchError(slurmFixture('sbatch_bad_partition.txt'))).toEqual({
      fault: 'settings',
      retryable: false,
      message:
        'invalid partition specified: nosuchpart; Batch job submission failed: Invalid partition name specified',
    });
    for (const reason of [
      'Invalid account or account/partition combination specified',
      'Invalid qos specification',
      'Node count specification invalid',
      'something retort has never seen',
    ]) {
      const stderr = `sbatch: error: Batch job submission failed: ${reason}\n`;
      expect(classifySbatchError(stderr)).toEqual({
        fault: 'settings',
        retryable: false,
        message: `Batch job submission failed: ${reason}`,
      });
    }
    expect(classifySbatchError('')).toEqual({
      fault: 'settings',
      retryable: false,
      message: 'sbatch failed without a message',
    });
  });

  it('blames the calc for resources the cluster cannot give', () => {
    expect(classifySbatchError(slurmFixture('sbatch_too_much_mem.txt'))).toEqual({
      fault: 'calc',
      retryable: false,
      message:
        'Memory specification can not be satisfied; Batch job submission failed: Requested node configuration is not available',
    });
    for (const reason of [
      'Requested time limit is invalid (missing or exceeds some limit)',
      'Requested node configuration is not available',
      'More processors requested than permitted',
    ]) {
      const stderr = `sbatch: error: Batch job submission failed: ${reason}\n`;
      expect(classifySbatchError(stderr).fault, reason).toBe('calc');
    }
  });

  it('retries when the controller is busy or away, or the submit limit is reached', () => {
    for (const stderr of [
      'sbatch: error: Batch job submission failed: Socket timed out on send/recv operation',
      'sbatch: error: Slurm temporarily unable to accept job, sleeping and retrying',
      'sbatch: error: Batch job submission failed: Resource temporarily unavailable',
      'sbatch: error: Batch job submission failed: Unable to contact slurm controller (connect failure)',
      'sbatch: error: Job submit/allocate failed: Resource temporarily unavailable',
      "sbatch: error: AssocMaxSubmitJobLimit\nsbatch: error: Batch job submission failed: Job violates accounting/QOS policy (job submit limit, user's size and/or time limits)",
      "sbatch: error: QOSMaxSubmitJobPerUserLimit\nsbatch: error: Batch job submission failed: Job violates accounting/QOS policy (job submit limit, user's size and/or time limits)",
    ]) {
      const verdict = classifySbatchError(`${stderr}\n`);
      expect(verdict.retryable, stderr).toBe(true);
      expect(verdict.fault, stderr).toBe('cluster');
      expect(verdict.message).not.toContain('sbatch: error:');
    }
  });
});
