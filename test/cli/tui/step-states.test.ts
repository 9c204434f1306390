import { describe, expect, it } from 'vitest';
import { dagOutline, STEP_MARKS } from '../../../src/cli/tui/step-states.js';

const step = (name: string, needs: string[] = []) => ({ name, needs, program: null, task: null });

describe('the DAG outline of the workflows view', () => {
  it('puts every step after what it needs, by layer, the file’s order within a layer', () => {
    const outline = dagOutline([
      step('report', ['dft', 'freq']),
      step('freq', ['opt']),
      step('opt'),
      step('dft', ['opt']),
      step('other'),
    ]);
    expect(outline.map((o) => `${o.depth} ${o.step.name}`)).toEqual([
      '0 opt',
      '0 other',
      '1 freq',
      '1 dft',
      '2 report',
    ]);
  });

  it('gives each state its own mark, readable without colours', () => {
    const marks = Object.values(STEP_MARKS).map((m) => m.mark);
    expect(new Set(marks).size).toBe(marks.length);
  });
});
