import type { CalcSpec, JsonValue } from '../../core/calc-spec.js';
import type { JobOutputs, Outcome } from '../../core/job-spec.js';
import { lastLine, machineryFailure } from '../common-failures.js';

/**
 * A command's result: `exit_code` (0), `files` (declared output name → its text, only those the
 * command wrote) and `stdout_tail` (the last 2000 characters of stdout, when there is any).
 */
export interface CommandResult {
  readonly exit_code: number;
  readonly files: Readonly<Record<string, string>>;
  readonly stdout_tail?: string;
}

const STDOUT_TAIL_CHARS = 2000;

/** The outcome of one command: exit status 0 is success, anything else `exit_nonzero`. */
export function parseCommand(outputs: JobOutputs, spec: CalcSpec): Outcome {
  const program = spec.command?.argv[0] ?? 'command';
  const machinery = machineryFailure(outputs, program, spec.resources.walltime_s);
  if (machinery !== undefined) return { ok: false, failure: machinery };
  if (outputs.exitCode !== 0) {
    const why = lastLine(outputs.stderr);
    return {
      ok: false,
      failure: {
        class: 'exit_nonzero',
        message: `${program} exited with status ${String(outputs.exitCode)}${why === '' ? '' : `: ${why}`}`,
      },
    };
  }
  const files: Record<string, JsonValue> = {};
  for (const name of spec.command?.outputs ?? []) {
    const content = outputs.files[name];
    if (content !== undefined) files[name] = content;
  }
  const result: Record<string, JsonValue> = { exit_code: 0, files };
  if (outputs.stdout !== '') result.stdout_tail = outputs.stdout.slice(-STDOUT_TAIL_CHARS);
  return { ok: true, result };
}
