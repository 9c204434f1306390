import { describe, expect, it } from 'vitest';
import {
  expressionReferences,
  parseExpression,
} from '../../../../src/pipelines/workflow/expression/index.js';

function refs(source: string) {
  return expressionReferences(parseExpression(source, 'w'));
}

describe('the paths an expression reads', () => {
  it('follows constant keys from a root name, however they are written', () => {
    expect(refs('steps.relax.result.structure')).toEqual([
      ['steps', 'relax', 'result', 'structure'],
    ]);
    expect(refs('steps["relax"].result.files["out.txt"]')).toEqual([
      ['steps', 'relax', 'result', 'files', 'out.txt'],
    ]);
    expect(refs('params.names[0] + params.names[-1]')).toEqual([
      ['params', 'names', 0],
      ['params', 'names', -1],
    ]);
    expect(refs('matrix')).toEqual([['matrix']]);
  });

  it('cuts a path at the first computed key and lists what the key reads', () => {
    expect(refs('steps.relax.result.files[params.file].size')).toEqual([
      ['steps', 'relax', 'result', 'files'],
      ['params', 'file'],
    ]);
    expect(refs('params.names[1 + 1]')).toEqual([['params', 'names']]);
  });

  it('looks inside operators, lists and function arguments, in order, without repeats', () => {
    expect(
      refs(
        'steps.scf.result.converged and float(steps.scf.result.energy) < params.limit or [matrix.x, steps.scf.result.converged]',
      ),
    ).toEqual([
      ['steps', 'scf', 'result', 'converged'],
      ['steps', 'scf', 'result', 'energy'],
      ['params', 'limit'],
      ['matrix', 'x'],
    ]);
  });

  it('reads nothing from literals or from keys of computed values', () => {
    expect(refs('1 + len("abc")')).toEqual([]);
    expect(refs('[params.a, 2][0]')).toEqual([['params', 'a']]);
  });
});
