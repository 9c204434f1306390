import { getEngine } from '../../engines/registry.js';
import type { CalcSpec, JsonValue, Resources } from '../../core/calc-spec.js';
import { InputError } from '../../core/errors.js';
import type { Failure } from '../../core/failure.js';
import type { CalcLine } from '../../pipelines/calc-list/calc-line.js';
import { lineToSpec } from '../../pipelines/calc-list/line-to-spec.js';
import type { CalcRunner } from '../../runtime/calc-request.js';

/** What became of one line of a calc list. */
export interface LineResult {
  readonly where: string;
  readonly label: string | undefined;
  readonly program: string;
  readonly task: string;
  readonly status: 'succeeded' | 'failed' | 'not_run' | 'invalid';
  readonly key: string | undefined;
  readonly cached: boolean;
  readonly result: Readonly<Record<string, JsonValue>> | undefined;
  readonly failure: Failure | undefined;
  readonly message: string | undefined;
  readonly notes: readonly string[];
}

/**
 * Checks what can be checked before anything runs: every line whose geometry is at hand is
 * turned into its spec and prepared by its engine, so a mistake is reported (naming the line
 * and field) before a single calc is recorded. Lines with a SMILES are checked after their
 * geometry exists.
 */
export async function validateLines(
  lines: readonly { line: CalcLine; where: string }[],
  baseDir: string,
  defaults: Resources,
): Promise<void> {
  for (const { line, where } of lines) {
    if (line.smiles !== undefined && line.program !== 'obabel') {
      getEngine(line.program);
      continue;
    }
    const resolved = await lineToSpec(line, where, baseDir, defaults, () =>
      Promise.reject(new Error('no request in validation')),
    );
    if (resolved.ok) atLine(where, () => getEngine(resolved.spec.program).prepare(resolved.spec));
  }
}

/** Runs every line through the runner, all at once (the runner keeps to its workers). */
export function runLines(
  runner: CalcRunner,
  lines: readonly { line: CalcLine; where: string }[],
  baseDir: string,
  defaults: Resources,
): Promise<LineResult[]> {
  const request = (spec: CalcSpec) => runner.request(spec);
  return Promise.all(
    lines.map(async ({ line, where }): Promise<LineResult> => {
      const base = {
        where,
        label: line.label,
        program: line.program,
        task: line.task ?? (line.program === 'command' ? 'run' : 'energy'),
      };
      try {
        const resolved = await lineToSpec(line, where, baseDir, defaults, request);
        if (!resolved.ok) {
          return {
            ...base,
            status: resolved.failure === undefined ? 'not_run' : 'failed',
            key: undefined,
            cached: false,
            result: undefined,
            failure: resolved.failure,
            message: resolved.reason,
            notes: [],
          };
        }
        const outcome = await atLine(where, () => runner.request(resolved.spec));
        const common = {
          ...base,
          task: resolved.spec.task,
          key: outcome.key,
          notes: resolved.notes,
        };
        switch (outcome.status) {
          case 'succeeded':
            return {
              ...common,
              status: 'succeeded',
              cached: outcome.cached,
              result: outcome.result,
              failure: undefined,
              message: undefined,
            };
          case 'failed':
            return {
              ...common,
              status: 'failed',
              cached: outcome.cached,
              result: undefined,
              failure: outcome.failure,
              message: outcome.failure.message,
            };
          case 'not_run':
            return {
              ...common,
              status: 'not_run',
              cached: false,
              result: undefined,
              failure: undefined,
              message: outcome.reason,
            };
        }
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        return {
          ...base,
          status: 'invalid',
          key: undefined,
          cached: false,
          result: undefined,
          failure: undefined,
          message: error.message,
          notes: [],
        };
      }
    }),
  );
}

/** Runs `fn`, prefixing the line's location to an InputError that names only a field. */
export function atLine<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof InputError && !error.message.startsWith(where)) {
      throw new InputError(where, error.message, { cause: error });
    }
    throw error;
  }
}
