import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { dagToDot, STATE_COLOURS } from '../../../../src/pipelines/workflow/graph/index.js';
import { bands, edgeSet } from './examples.js';

interface GraphvizJson {
  objects: { _gvid: number; name: string; label?: string; fillcolor?: string; color?: string }[];
  edges?: { tail: number; head: number }[];
}

/**
 * The graph as Graphviz itself reads it (dot -Tjson), each node named by its label's first line
 * (dot's escapes \n, \\ and \" decoded).
 */
function graphviz(text: string): GraphvizJson {
  const g = JSON.parse(execFileSync('dot', ['-Tjson'], { input: text }).toString()) as GraphvizJson;
  const decode = (raw: string) => raw.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  return {
    ...g,
    objects: g.objects.map((o) => {
      const label = decode(o.label ?? '');
      return { ...o, label, name: label.split('\n')[0] ?? '' };
    }),
  };
}

describe('the DAG as Graphviz dot', () => {
  it('is read by Graphviz with every step, name and edge intact, awkward characters included', () => {
    const g = graphviz(dagToDot(bands));
    expect(g.objects.map((o) => o.name).sort()).toEqual(bands.steps.map((s) => s.name).sort());
    const names = new Map(g.objects.map((o) => [o._gvid, o.name]));
    expect(
      (g.edges ?? []).map((e) => `${names.get(e.tail) ?? ''} → ${names.get(e.head) ?? ''}`).sort(),
    ).toEqual(edgeSet(bands));
  });

  it('fills each box with its state colour', () => {
    const g = graphviz(dagToDot(bands));
    for (const step of bands.steps) {
      const o = g.objects.find((x) => x.name === step.name);
      expect(o?.fillcolor).toBe(STATE_COLOURS[step.state ?? 'plain'].fill);
      expect(o?.color).toBe(STATE_COLOURS[step.state ?? 'plain'].stroke);
    }
  });

  it('writes the label under the name', () => {
    const g = graphviz(dagToDot(bands));
    expect(g.objects.find((x) => x.name === 'relax')?.label).toBe('relax\nqe relax');
  });

  it('draws plain boxes for steps without a state', () => {
    const text = dagToDot({
      steps: [
        { name: 'a', needs: [] },
        { name: 'b', needs: ['a'] },
      ],
    });
    expect(text).toContain(`fillcolor="${STATE_COLOURS.plain.fill}"`);
    expect(text).toContain('s0 -> s1;');
  });
});
