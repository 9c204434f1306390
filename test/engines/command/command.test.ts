import { describe, expect, it } from 'vitest';
import type { CalcSpec, CommandSpec } from '../../../src/core/calc-spec.js';
import { InputError } from '../../../src/core/errors.js';
import { parseCommand } from '../../../src/engines/command/parse.js';
import { prepareCommand } from '../../../src/engines/command/prepare.js';
import { exited, spec } from '../real-fixtures.js';

function commandSpec(command: CommandSpec): CalcSpec {
  return spec({ program: 'command', task: 'run', command });
}

function refusal(command: unknown): string | undefined {
  try {
    prepareCommand(commandSpec(command as CommandSpec));
  } catch (error) {
    if (error instanceof InputError) return error.where;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('the command engine', () => {
  it('prepares argv, files, outputs and env as given', () => {
    const job = prepareCommand(
      commandSpec({
        argv: ['sh', 'run.sh'],
        files: { 'run.sh': 'echo hi\n' },
        outputs: ['out/a.txt'],
        env: { A: '1' },
      }),
    );
    expect(job).toMatchObject({
      argv: ['sh', 'run.sh'],
      files: { 'run.sh': 'echo hi\n' },
      outputs: ['out/a.txt'],
      env: { A: '1' },
      captureStdout: 'tail',
    });
  });

  it('refuses empty or non-string argv, escaping names and non-string files', () => {
    expect(refusal({ argv: [] })).toBe('argv');
    expect(refusal({ argv: 'echo hi' })).toBe('argv');
    expect(refusal({ argv: ['echo', 3] })).toBe('argv');
    expect(refusal({ argv: ['cat'], files: { '../x': '' } })).toBe('files');
    expect(refusal({ argv: ['cat'], files: { '/etc/x': '' } })).toBe('files');
    expect(refusal({ argv: ['cat'], files: { a: 1 } })).toBe('files.a');
    expect(refusal({ argv: ['cat'], outputs: ['a/../../b'] })).toBe('outputs');
    expect(refusal(undefined)).toBe('command');
  });

  it('returns the exit code, the declared outputs present and the stdout tail', () => {
    const s = commandSpec({ argv: ['x'], outputs: ['a.txt', 'b.txt'] });
    const outcome = parseCommand(exited(0, { stdout: 'done\n', files: { 'a.txt': 'A' } }), s);
    expect(outcome).toEqual({
      ok: true,
      result: { exit_code: 0, files: { 'a.txt': 'A' }, stdout_tail: 'done\n' },
    });
  });

  it('fails as exit_nonzero quoting the last line of stderr', () => {
    const outcome = parseCommand(
      exited(2, { stderr: 'warming up\nno such table\n' }),
      commandSpec({ argv: ['sqlite3'] }),
    );
    expect(outcome).toEqual({
      ok: false,
      failure: { class: 'exit_nonzero', message: 'sqlite3 exited with status 2: no such table' },
    });
  });
});
