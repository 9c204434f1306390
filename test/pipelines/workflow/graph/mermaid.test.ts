import { describe, expect, it } from 'vitest';
import { dagToMermaid, STATE_COLOURS } from '../../../../src/pipelines/workflow/graph/index.js';
import { bands, edgeSet } from './examples.js';

/** Reads the flowchart back: node labels by id (entity codes decoded), edges, classes. */
function readBack(text: string) {
  const labels = new Map<string, string>();
  const classes = new Map<string, string>();
  const edges: string[] = [];
  const classDefs = new Map<string, string>();
  for (const line of text.split('\n')) {
    const node = /^ {2}(s\d+)\["([^"]*)"\](?::::(\w+))?$/.exec(line);
    if (node !== null) {
      labels.set(
        node[1] ?? '',
        (node[2] ?? '').replace(/#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))),
      );
      if (node[3] !== undefined) classes.set(node[1] ?? '', node[3]);
      continue;
    }
    const edge = /^ {2}(s\d+) --> (s\d+)$/.exec(line);
    if (edge !== null) {
      edges.push(`${edge[1] ?? ''} ${edge[2] ?? ''}`);
      continue;
    }
    const def = /^ {2}classDef (\w+) (.*)$/.exec(line);
    if (def !== null) {
      classDefs.set(def[1] ?? '', def[2] ?? '');
      continue;
    }
    if (!['flowchart TD', '---', ''].includes(line) && !line.startsWith('title: ')) {
      throw new Error(`an unexpected line: ${line}`);
    }
  }
  return { labels, classes, edges, classDefs };
}

describe('the DAG as a mermaid flowchart', () => {
  it('has every step and every edge, names decoded back exactly', () => {
    const text = dagToMermaid(bands);
    const { labels, edges } = readBack(text);
    const name = (id: string) => (labels.get(id) ?? '').split('<br/>')[0];
    expect([...labels.keys()].map(name)).toEqual(bands.steps.map((s) => s.name));
    expect(edges.map((e) => e.split(' ').map(name).join(' → ')).sort()).toEqual(edgeSet(bands));
  });

  it('leaves no character inside a label that mermaid would read as syntax', () => {
    for (const line of dagToMermaid(bands)
      .split('\n')
      .filter((l) => l.includes('["'))) {
      const inside = /\["(.*)"\]/.exec(line)?.[1] ?? '';
      expect(inside.replace('<br/>', '')).not.toMatch(/["<>`&]/);
    }
  });

  it('gives each step its state class, defined with the state colours', () => {
    const { labels, classes, classDefs } = readBack(dagToMermaid(bands));
    for (const [id, label] of labels) {
      const step = bands.steps.find((s) => label.startsWith(s.name));
      expect(classes.get(id)).toBe(step?.state);
    }
    const failed = STATE_COLOURS.failed;
    expect(classDefs.get('failed')).toBe(`fill:${failed.fill},stroke:${failed.stroke}`);
    expect(classDefs.size).toBe(6);
  });

  it('adds the title as front matter and no class for plain steps', () => {
    expect(
      dagToMermaid(bands).startsWith('---\ntitle: "si-bands <\\"&\\">"\n---\nflowchart TD\n'),
    ).toBe(true);
    const plain = dagToMermaid({ steps: [{ name: 'a', needs: [] }] });
    expect(plain).toBe('flowchart TD\n  s0["a"]\n');
  });
});
