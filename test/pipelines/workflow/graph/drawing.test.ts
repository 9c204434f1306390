import { describe, expect, it } from 'vitest';
import { InputError } from '../../../../src/core/errors.js';
import { layersOf } from '../../../../src/pipelines/workflow/graph/drawing.js';
import {
  dagToDot,
  dagToMermaid,
  dagToSvg,
} from '../../../../src/pipelines/workflow/graph/index.js';

describe('the layers of a DAG', () => {
  it('puts each step one below the deepest step it needs', () => {
    const layers = layersOf({
      steps: [
        { name: 'plot', needs: ['bands', 'relax'] },
        { name: 'relax', needs: [] },
        { name: 'scf', needs: ['relax'] },
        { name: 'bands', needs: ['scf'] },
        { name: 'other', needs: [] },
      ],
    });
    expect(Object.fromEntries(layers)).toEqual({ relax: 0, scf: 1, bands: 2, plot: 3, other: 0 });
  });

  it.each([
    [
      [
        { name: 'a', needs: ['b'] },
        { name: 'b', needs: ['a'] },
      ],
      'the steps form a cycle',
    ],
    [[{ name: 'a', needs: ['a'] }], 'the steps form a cycle through "a"'],
    [[{ name: 'a', needs: ['ghost'] }], 'step "a" needs "ghost", which is not a step'],
    [
      [
        { name: 'a', needs: [] },
        { name: 'a', needs: [] },
      ],
      'two steps are named "a"',
    ],
  ])('refuses a drawing that is no DAG (%#) in every format', (steps, message) => {
    for (const draw of [dagToDot, dagToMermaid, dagToSvg]) {
      expect(() => draw({ steps, title: 'wf.yaml' })).toThrow(InputError);
      expect(() => draw({ steps, title: 'wf.yaml' })).toThrow(`wf.yaml: ${message}`);
    }
  });
});
