import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { dagToSvg, STATE_COLOURS } from '../../../../src/pipelines/workflow/graph/index.js';
import { bands, edgeSet, wide } from './examples.js';
import { allElements, parseXml } from './xml-check.js';

function svg(d = bands) {
  const text = dagToSvg(d);
  return { text, root: parseXml(text) };
}

describe('the DAG as SVG', () => {
  it('is well-formed XML whose root is an svg element with a size', () => {
    const { root } = svg();
    expect(root.name).toBe('svg');
    expect(root.attributes.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(Number(root.attributes.width)).toBeGreaterThan(0);
    expect(Number(root.attributes.height)).toBeGreaterThan(0);
  });

  it("parses with an independent XML parser (Python's) too", () => {
    const out = execFileSync(
      'python3',
      [
        '-c',
        'import sys, xml.etree.ElementTree as T; r = T.fromstring(sys.stdin.read()); print(len(r.findall(".//{http://www.w3.org/2000/svg}rect")))',
      ],
      {
        input: svg().text,
      },
    );
    expect(Number(out.toString())).toBeGreaterThanOrEqual(bands.steps.length);
  });

  it('draws one box per step with its full name, state and state colours', () => {
    const { root } = svg();
    const boxes = allElements(root).filter((e) => e.attributes.class?.startsWith('step '));
    expect(boxes.map((b) => b.attributes['data-step'])).toEqual(bands.steps.map((s) => s.name));
    for (const box of boxes) {
      const step = bands.steps.find((s) => s.name === box.attributes['data-step']);
      const state = step?.state ?? 'plain';
      expect(box.attributes.class).toBe(`step state-${step?.state ?? 'none'}`);
      const rect = box.children.find((c) => c.name === 'rect');
      expect(rect?.attributes.fill).toBe(STATE_COLOURS[state].fill);
      expect(rect?.attributes.stroke).toBe(STATE_COLOURS[state].stroke);
      expect(box.children.find((c) => c.name === 'title')?.text).toBe(
        `${step?.name ?? ''}: ${step?.state ?? ''}`,
      );
      expect(box.children.find((c) => c.name === 'text')?.text).toBe(step?.name);
    }
    const relax = boxes.find((b) => b.attributes['data-step'] === 'relax');
    expect(relax?.children.filter((c) => c.name === 'text').map((t) => t.text)).toEqual([
      'relax',
      'qe relax',
    ]);
  });

  it('draws every edge once, as an arrow', () => {
    const { root } = svg();
    const edges = allElements(root).filter((e) => e.attributes.class === 'edge');
    expect(
      edges
        .map((e) => `${e.attributes['data-from'] ?? ''} → ${e.attributes['data-to'] ?? ''}`)
        .sort(),
    ).toEqual(edgeSet(bands));
    for (const e of edges) {
      const [line, head] = e.children;
      expect(line?.attributes.d).toMatch(/^M[\d.-]+,[\d.-]+( C[\d.,\s-]+)+$/);
      expect(head?.attributes.d).toMatch(/^M[\d.-]+,[\d.-]+ L[\d.-]+,[\d.-]+ L[\d.-]+,[\d.-]+ z$/);
      // The line ends where the head points: at the top middle of the dependant's box.
      const end = /([\d.-]+),([\d.-]+)$/.exec(line?.attributes.d ?? '');
      const tip = /L([\d.-]+),([\d.-]+) z$/.exec(head?.attributes.d ?? '');
      expect(end?.slice(1)).toEqual(tip?.slice(1));
      const box = allElements(root).find(
        (b) => b.attributes['data-step'] === e.attributes['data-to'],
      );
      const rect = box?.children.find((c) => c.name === 'rect')?.attributes ?? {};
      expect(Number(end?.[1])).toBeCloseTo(Number(rect.x) + Number(rect.width) / 2, 0);
      expect(Number(end?.[2])).toBe(Number(rect.y));
    }
  });

  it('puts a step below every step it needs', () => {
    const { root } = svg();
    const top = new Map(
      allElements(root)
        .filter((e) => e.attributes.class?.startsWith('step '))
        .map((b) => [
          b.attributes['data-step'],
          Number(b.children.find((c) => c.name === 'rect')?.attributes.y),
        ]),
    );
    for (const step of bands.steps) {
      for (const need of step.needs)
        expect(top.get(step.name)).toBeGreaterThan(top.get(need) ?? Infinity);
    }
  });

  it('shows a legend of every state when the steps have states, none otherwise', () => {
    const legend = allElements(svg().root).filter((e) =>
      e.attributes.class?.startsWith('legend-item'),
    );
    expect(legend.map((e) => e.children.find((c) => c.name === 'text')?.text)).toEqual([
      'pending',
      'running',
      'succeeded',
      'cached',
      'failed',
      'skipped',
    ]);
    const plain = svg({ steps: [{ name: 'a', needs: [] }] });
    expect(allElements(plain.root).some((e) => e.attributes.class === 'legend')).toBe(false);
    expect(
      allElements(plain.root).find((e) => e.name === 'rect' && e.attributes.rx === '6')?.attributes
        .fill,
    ).toBe(STATE_COLOURS.plain.fill);
  });

  it('keeps a title and escapes it', () => {
    const { root } = svg();
    expect(root.children.find((c) => c.name === 'title')?.text).toBe('si-bands <"&">');
  });

  it('cuts a very long name in its box but keeps it whole in the tooltip', () => {
    const long = 'x'.repeat(80);
    const { root } = svg({ steps: [{ name: long, needs: [] }] });
    const box = allElements(root).find((e) => e.attributes['data-step'] === long);
    expect(box?.children.find((c) => c.name === 'text')?.text).toBe('x'.repeat(31) + '…');
    expect(box?.children.find((c) => c.name === 'title')?.text).toBe(long);
  });

  it('draws 30 steps with no two boxes overlapping', () => {
    const { root } = svg(wide());
    const rects = allElements(root)
      .filter((e) => e.attributes.class?.startsWith('step '))
      .map((b) => b.children.find((c) => c.name === 'rect')?.attributes ?? {})
      .map((a) => ({ x: Number(a.x), y: Number(a.y), w: Number(a.width), h: Number(a.height) }));
    expect(rects).toHaveLength(30);
    for (const [i, a] of rects.entries()) {
      for (const b of rects.slice(i + 1)) {
        const apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
        expect(apart).toBe(true);
      }
    }
  });

  it('draws an empty workflow as a small valid picture', () => {
    const { root } = svg({ steps: [], title: 'empty' });
    expect(Number(root.attributes.width)).toBeGreaterThan(0);
    expect(Number(root.attributes.height)).toBeGreaterThan(0);
  });

  it('replaces control characters XML cannot hold', () => {
    expect(() => parseXml(dagToSvg({ steps: [{ name: 'a\u0001b', needs: [] }] }))).not.toThrow();
  });
});
