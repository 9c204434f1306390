import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { FailureClass } from '../../src/core/failure.js';
import { machineryFailure } from '../../src/engines/common-failures.js';
import { exited } from './real-fixtures.js';

describe('machineryFailure', () => {
  it('says nothing about a program that exited by itself', () => {
    expect(machineryFailure(exited(0), 'xtb')).toBeUndefined();
    expect(machineryFailure(exited(1), 'xtb')).toBeUndefined();
  });

  it('passes on a failure the executor established', () => {
    const failure = { class: 'lost', message: 'node died' } as const;
    expect(machineryFailure({ ...exited(0), failure }, 'xtb')).toBe(failure);
  });

  it('reports a walltime stop as timeout with the walltime', () => {
    const f = machineryFailure(
      { ...exited(0), exitCode: null, signal: 'SIGTERM', timedOut: true },
      'mopac',
      120,
    );
    expect(f?.class).toBe('timeout');
    expect(f?.message).toContain('120 s');
  });

  it('reports a program the shell could not find as program_missing, telling how to fix it', () => {
    const f = machineryFailure(exited(127, { stderr: 'sh: 1: mopac: not found\n' }), 'mopac');
    expect(f?.class).toBe('program_missing');
    expect(f?.message).toContain('programs.mopac');
    expect(f?.message).toContain('retort.yaml');
  });

  it('reports a kill by a signal, from the signal or from a 128+N exit status', () => {
    expect(
      machineryFailure({ ...exited(0), exitCode: null, signal: 'SIGKILL' }, 'xtb')?.message,
    ).toContain('SIGKILL');
    const f = machineryFailure(exited(137), 'xtb');
    expect(f?.class).toBe('killed');
    expect(f?.message).toContain('SIGKILL');
  });

  it('reports a program that aborted or faulted by itself as crash, which no retry repeats', () => {
    // A real process that calls abort() on itself, as psi4's optimiser does.
    const child = spawnSync('sh', ['-c', 'kill -s ABRT $$']);
    expect(child.signal).toBe('SIGABRT');
    const f = machineryFailure({ ...exited(0), exitCode: null, signal: child.signal }, 'psi4');
    expect(f?.class).toBe('crash');
    expect(f?.message).toContain('SIGABRT');
    expect(FailureClass.crash.retryable).toBe(false);
    // Through a shell wrapper: 128 + 11.
    expect(machineryFailure(exited(139), 'nwchem')?.class).toBe('crash');
    expect(machineryFailure(exited(143), 'nwchem')?.class).toBe('killed');
  });
});
