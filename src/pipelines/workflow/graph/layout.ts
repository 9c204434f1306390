import { layersOf, type DagDrawing, type DagStep } from './drawing.js';

/** A step's box: centre x, top y, size, and the text it shows (cut to fit). */
export interface PlacedStep {
  readonly step: DagStep;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly name: string;
  readonly label: string | undefined;
}

/** An edge from a needed step's box to its dependant's, through the layers in between. */
export interface PlacedEdge {
  readonly from: string;
  readonly to: string;
  readonly points: readonly { readonly x: number; readonly y: number }[];
}

export interface Layout {
  readonly steps: readonly PlacedStep[];
  readonly edges: readonly PlacedEdge[];
  readonly width: number;
  readonly height: number;
}

const CHAR_WIDTH = 7.2;
const MAX_CHARS = 32;
const BOX_PADDING = 24;
const MIN_BOX_WIDTH = 80;
const GAP_X = 28;
const GAP_Y = 46;
const DUMMY_WIDTH = 12;
const SWEEPS = 8;

/** A node of the layered graph: a step, or a point where an edge crosses a layer it skips. */
interface Node {
  readonly step: DagStep | undefined;
  readonly layer: number;
  readonly width: number;
  readonly up: Node[];
  readonly down: Node[];
  /** Centre x and top y, once placed. */
  x: number;
  y: number;
}

/**
 * Lays the DAG out in rows, top to bottom: a step's row is its longest path from a root; edges
 * that skip rows pass through placeholder points so they bend around boxes; the order within
 * each row is improved by barycentre sweeps, keeping the order with the fewest crossings.
 */
export function layoutDag(d: DagDrawing, top: number): Layout {
  const layerOf = layersOf(d);
  const rows: Node[][] = [];
  const node = (step: DagStep | undefined, layer: number, width: number): Node => {
    const created: Node = { step, layer, width, up: [], down: [], x: 0, y: 0 };
    (rows[layer] ??= []).push(created);
    return created;
  };
  const nodes = new Map<string, Node>();
  for (const step of d.steps) {
    const width = Math.max(
      MIN_BOX_WIDTH,
      cut(step.name).length * CHAR_WIDTH + BOX_PADDING,
      step.label === undefined ? 0 : cut(step.label).length * CHAR_WIDTH * 0.85 + BOX_PADDING,
    );
    nodes.set(step.name, node(step, layerOf.get(step.name) ?? 0, width));
  }
  const chains: { from: string; to: string; nodes: Node[] }[] = [];
  for (const step of d.steps) {
    const target = nodes.get(step.name);
    for (const need of step.needs) {
      const source = nodes.get(need);
      // layersOf has refused unknown names, so both ends exist.
      if (source === undefined || target === undefined) continue;
      const chain = [source];
      let previous = source;
      for (let layer = source.layer + 1; layer <= target.layer; layer++) {
        const next = layer === target.layer ? target : node(undefined, layer, DUMMY_WIDTH);
        previous.down.push(next);
        next.up.push(previous);
        chain.push(next);
        previous = next;
      }
      chains.push({ from: need, to: step.name, nodes: chain });
    }
  }
  const ordered = reduceCrossings(rows);

  const hasLabels = d.steps.some((step) => step.label !== undefined);
  const boxHeight = hasLabels ? 44 : 30;
  const rowWidths = ordered.map(
    (row) => row.reduce((sum, n) => sum + n.width, 0) + GAP_X * (row.length - 1),
  );
  const width = Math.max(0, ...rowWidths);
  ordered.forEach((row, layer) => {
    let x = (width - (rowWidths[layer] ?? 0)) / 2;
    for (const n of row) {
      n.x = x + n.width / 2;
      n.y = top + layer * (boxHeight + GAP_Y);
      x += n.width + GAP_X;
    }
  });
  const steps = d.steps.flatMap((step): PlacedStep[] => {
    const placed = nodes.get(step.name);
    if (placed === undefined) return [];
    return [
      {
        step,
        x: placed.x,
        y: placed.y,
        width: placed.width,
        height: boxHeight,
        name: cut(step.name),
        label: step.label === undefined ? undefined : cut(step.label),
      },
    ];
  });
  const edges = chains.map(({ from, to, nodes: chain }): PlacedEdge => {
    const points = chain.map((n, i) => {
      if (i === 0) return { x: n.x, y: n.y + boxHeight };
      return n.step === undefined ? { x: n.x, y: n.y + boxHeight / 2 } : { x: n.x, y: n.y };
    });
    return { from, to, points };
  });
  const height = top + Math.max(0, ordered.length * (boxHeight + GAP_Y) - GAP_Y);
  return { steps, edges, width, height };
}

/** Text cut to what a box shows; the full text stays in the box's tooltip. */
export function cut(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  const chars = Array.from(flat);
  return chars.length <= MAX_CHARS ? flat : chars.slice(0, MAX_CHARS - 1).join('') + '…';
}

/** Barycentre sweeps down and up; the order with the fewest crossings wins. */
function reduceCrossings(rows: Node[][]): Node[][] {
  let best = rows.map((row) => [...row]);
  let fewest = crossings(best);
  let current = best;
  for (let sweep = 0; sweep < SWEEPS && fewest > 0; sweep++) {
    const down = sweep % 2 === 0;
    current = current.map((row) => [...row]);
    const layers = down ? [...current.keys()].slice(1) : [...current.keys()].reverse().slice(1);
    for (const layer of layers) {
      const neighbourRow = current[down ? layer - 1 : layer + 1] ?? [];
      const position = new Map(neighbourRow.map((node, i) => [node, i]));
      const row = current[layer] ?? [];
      const keys = new Map(
        row.map((node, i) => {
          const near = (down ? node.up : node.down).map((n) => position.get(n) ?? 0);
          return [node, near.length === 0 ? i : near.reduce((a, b) => a + b, 0) / near.length];
        }),
      );
      row.sort((a, b) => (keys.get(a) ?? 0) - (keys.get(b) ?? 0));
    }
    const count = crossings(current);
    if (count < fewest) {
      fewest = count;
      best = current.map((row) => [...row]);
    }
  }
  return best;
}

/** Edge crossings between every pair of adjacent rows. */
function crossings(rows: readonly Node[][]): number {
  let count = 0;
  rows.forEach((row, layer) => {
    const lower = new Map((rows[layer + 1] ?? []).map((n, i) => [n, i]));
    const pairs = row.flatMap((n, i) => n.down.map((d) => [i, lower.get(d) ?? 0] as const));
    pairs.forEach(([a0, a1], a) => {
      for (const [b0, b1] of pairs.slice(a + 1)) if ((a0 - b0) * (a1 - b1) < 0) count++;
    });
  });
  return count;
}
