import type { JsonValue } from '../../../../src/core/calc-spec.js';
import { InputError } from '../../../../src/core/errors.js';
import {
  evaluateExpression,
  parseExpression,
  type ExpressionScope,
} from '../../../../src/pipelines/workflow/expression/index.js';

/** A scope shaped like a workflow's: parameters, one matrix row, finished steps' results. */
export const scope: ExpressionScope = {
  params: { ecutwfc: 25, label: '', cores: 4, names: ['a', 'b'] },
  matrix: { structure: 'si.cif', row: 3 },
  steps: {
    relax: {
      result: {
        energy: -15.8,
        structure: { cell: [[5.43, 0, 0]], sites: [] },
        converged: true,
        files: { 'out.txt': ' 3.25\n', 'n.txt': '7' },
        exit_code: 0,
      },
    },
  },
};

/** The value of an expression in the scope above (or another). */
export function run(source: string, s: ExpressionScope = scope): JsonValue {
  return evaluateExpression(parseExpression(source, 'wf.yaml:4'), s, 'wf.yaml:4');
}

/** The message of the InputError that parsing or evaluating the expression throws. */
export function failure(source: string, s: ExpressionScope = scope): string {
  try {
    run(source, s);
  } catch (e) {
    if (e instanceof InputError) return e.message;
    throw e;
  }
  throw new Error(`expected ${source} to fail`);
}
