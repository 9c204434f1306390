import type { CalcSpec, JsonValue } from '../../core/calc-spec.js';
import { InputError } from '../../core/errors.js';
import type { JobSpec } from '../../core/job-spec.js';
import { refuseUnknownOptions, requireTask } from '../spec-checks.js';

export const COMMAND_TASKS = ['run'] as const;

/**
 * Any program, from `spec.command`: `argv` (non-empty strings, never a shell string), `files`
 * (relative name → text, written first), `outputs` (relative names brought back), `env`.
 * Names may not be absolute or contain `..`.
 */
export function prepareCommand(spec: CalcSpec): JobSpec {
  requireTask(spec, 'command', COMMAND_TASKS);
  refuseUnknownOptions(spec, []);
  const command = spec.command;
  if (command === undefined)
    throw new InputError('command', 'the command engine needs command.argv');
  const argv: unknown = command.argv;
  if (
    !Array.isArray(argv) ||
    argv.length === 0 ||
    !argv.every((a): a is string => typeof a === 'string') ||
    argv[0] === ''
  ) {
    throw new InputError(
      'argv',
      'expected a non-empty list of strings, program first (never a shell string)',
    );
  }
  const files = stringRecord(command.files ?? {}, 'files');
  for (const name of Object.keys(files)) checkName(name, 'files');
  const outputs: unknown = command.outputs ?? [];
  if (!Array.isArray(outputs) || !outputs.every((o): o is string => typeof o === 'string')) {
    throw new InputError('outputs', 'expected a list of file names');
  }
  for (const name of outputs) checkName(name, 'outputs');
  const env = stringRecord(command.env ?? {}, 'env');
  return { argv, files, env, outputs, captureStdout: 'tail', resources: spec.resources };
}

function stringRecord(value: unknown, field: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(field, 'expected a map of names to strings');
  }
  const record: Record<string, string> = {};
  for (const [key, v] of Object.entries(value as Record<string, JsonValue>)) {
    if (typeof v !== 'string')
      throw new InputError(`${field}.${key}`, `expected a string, got ${JSON.stringify(v)}`);
    record[key] = v;
  }
  return record;
}

function checkName(name: string, field: string): void {
  const parts = name.split(/[\\/]/);
  if (
    name === '' ||
    name.startsWith('/') ||
    /^[A-Za-z]:/.test(name) ||
    parts.includes('..') ||
    name.includes('\0')
  ) {
    throw new InputError(
      field,
      `"${name}" must be a relative file name inside the calc directory (no leading /, no ..)`,
    );
  }
}
