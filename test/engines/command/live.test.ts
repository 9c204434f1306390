import { describe, expect, it } from 'vitest';
import { commandEngine } from '../../../src/engines/command/index.js';
import { hasProgram, runJobDirectly } from '../../helpers/run-job-directly.js';
import { spec } from '../real-fixtures.js';

describe('the command engine, live', () => {
  it.skipIf(!hasProgram('sh'))('brings back a file the command wrote', () => {
    const s = spec({
      program: 'command',
      task: 'run',
      command: { argv: ['sh', '-c', 'echo hi > out.txt'], outputs: ['out.txt'] },
    });
    const outcome = commandEngine.parse(runJobDirectly(commandEngine.prepare(s)), s);
    expect(outcome).toEqual({ ok: true, result: { exit_code: 0, files: { 'out.txt': 'hi\n' } } });
  });

  it.skipIf(!hasProgram('sh'))('fails as exit_nonzero with the last stderr line', () => {
    const s = spec({
      program: 'command',
      task: 'run',
      command: { argv: ['sh', '-c', 'echo bad input >&2; exit 3'] },
    });
    const outcome = commandEngine.parse(runJobDirectly(commandEngine.prepare(s)), s);
    expect(outcome.ok ? undefined : outcome.failure).toEqual({
      class: 'exit_nonzero',
      message: 'sh exited with status 3: bad input',
    });
  });

  it('reports a program that does not exist as program_missing', () => {
    const s = spec({
      program: 'command',
      task: 'run',
      command: { argv: ['retort-no-such-program-xyz'] },
    });
    const outcome = commandEngine.parse(runJobDirectly(commandEngine.prepare(s)), s);
    expect(outcome.ok ? undefined : outcome.failure.class).toBe('program_missing');
  });
});
