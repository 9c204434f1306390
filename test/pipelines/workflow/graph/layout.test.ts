import { describe, expect, it } from 'vitest';
import { layoutDag } from '../../../../src/pipelines/workflow/graph/layout.js';
import { wide } from './examples.js';

/** Crossings between straight segments of the laid-out edges, counted pairwise. */
function crossings(layout: ReturnType<typeof layoutDag>): number {
  const segments = layout.edges.flatMap((e) =>
    e.points.slice(1).map((p, i) => [e.points[i] ?? p, p] as const),
  );
  let count = 0;
  for (const [i, [a, b]] of segments.entries()) {
    for (const [c, d] of segments.slice(i + 1)) {
      if (a.y !== c.y || b.y !== d.y) continue;
      if ((a.x - c.x) * (b.x - d.x) < 0) count++;
    }
  }
  return count;
}

describe('the layered layout', () => {
  it('routes an edge that skips layers through a point on each layer between', () => {
    const layout = layoutDag(
      {
        steps: [
          { name: 'a', needs: [] },
          { name: 'b', needs: ['a'] },
          { name: 'c', needs: ['b'] },
          { name: 'd', needs: ['a', 'c'] },
        ],
      },
      0,
    );
    expect(layout.edges.find((e) => e.from === 'a' && e.to === 'd')?.points).toHaveLength(4);
    expect(layout.edges.find((e) => e.from === 'c' && e.to === 'd')?.points).toHaveLength(2);
  });

  it('orders a crossed pair of chains so that they do not cross', () => {
    const layout = layoutDag(
      {
        steps: [
          { name: 'a', needs: [] },
          { name: 'b', needs: [] },
          { name: 'b2', needs: ['b'] },
          { name: 'a2', needs: ['a'] },
        ],
      },
      0,
    );
    expect(crossings(layout)).toBe(0);
  });

  it('has fewer crossings than the file order on a wide DAG', () => {
    const d = wide();
    const laid = crossings(layoutDag(d, 0));
    // The same DAG with every layer kept in file order: the sweeps must not make it worse.
    const rows = new Map<number, string[]>();
    d.steps.forEach((s, i) =>
      rows.set(Math.floor(i / 6), [...(rows.get(Math.floor(i / 6)) ?? []), s.name]),
    );
    const fileOrder = d.steps.flatMap((s) =>
      s.needs.map((n) => {
        const [from, to] = [Number(n.slice(1)), Number(s.name.slice(1))];
        return [from % 6, to % 6, Math.floor(to / 6)] as const;
      }),
    );
    let before = 0;
    for (const [i, [a0, a1, layer]] of fileOrder.entries()) {
      for (const [b0, b1, other] of fileOrder.slice(i + 1))
        if (layer === other && (a0 - b0) * (a1 - b1) < 0) before++;
    }
    expect(before).toBeGreaterThan(20);
    expect(laid).toBeLessThan(before / 4);
  });

  it('lays out an empty workflow as nothing', () => {
    expect(layoutDag({ steps: [] }, 10)).toEqual({ steps: [], edges: [], width: 0, height: 10 });
  });
});
