import { InputError } from '../../../core/errors.js';

/** Where a step of one workflow instance stands, as a drawing colours it. */
export type StepDrawState = 'pending' | 'running' | 'succeeded' | 'cached' | 'failed' | 'skipped';

/**
 * What the drawings of a workflow's DAG read: the steps in the file's order, each with the names
 * of the steps it needs; optionally its state in a run (absent: drawn plain, as before any run)
 * and a second line of text (`qe scf`, `3 of 10 ok`); optionally a title. Step names are any
 * text: every drawing escapes them.
 */
export interface DagDrawing {
  readonly steps: readonly DagStep[];
  readonly title?: string;
}

export interface DagStep {
  readonly name: string;
  readonly needs: readonly string[];
  readonly state?: StepDrawState;
  readonly label?: string;
}

/** Every state, in the order of a legend. */
export const STEP_DRAW_STATES: readonly StepDrawState[] = [
  'pending',
  'running',
  'succeeded',
  'cached',
  'failed',
  'skipped',
];

/** Fill and border colour of a box; `plain` is a step without a state. */
export const STATE_COLOURS: Readonly<
  Record<StepDrawState | 'plain', { fill: string; stroke: string }>
> = {
  plain: { fill: '#ffffff', stroke: '#374151' },
  pending: { fill: '#f3f4f6', stroke: '#9ca3af' },
  running: { fill: '#dbeafe', stroke: '#2563eb' },
  succeeded: { fill: '#dcfce7', stroke: '#16a34a' },
  cached: { fill: '#ccfbf1', stroke: '#0d9488' },
  failed: { fill: '#fee2e2', stroke: '#dc2626' },
  skipped: { fill: '#fef9c3', stroke: '#ca8a04' },
};

/** The edges `from → to` (from is needed by to), in the steps' order. */
export function edgesOf(d: DagDrawing): { from: string; to: string }[] {
  return d.steps.flatMap((step) => step.needs.map((need) => ({ from: need, to: step.name })));
}

/**
 * Each step's layer: 0 for a step that needs nothing, else one more than the deepest step it
 * needs (the longest path from a root). Refuses repeated names, unknown needs and cycles, which
 * the workflow reader reports first; a drawing must never loop on them.
 */
export function layersOf(d: DagDrawing): Map<string, number> {
  const where = d.title ?? 'workflow';
  const byName = new Map<string, DagStep>();
  for (const step of d.steps) {
    if (byName.has(step.name))
      throw new InputError(where, `two steps are named ${JSON.stringify(step.name)}`);
    byName.set(step.name, step);
  }
  for (const step of d.steps) {
    for (const need of step.needs) {
      if (!byName.has(need)) {
        throw new InputError(
          where,
          `step ${JSON.stringify(step.name)} needs ${JSON.stringify(need)}, which is not a step`,
        );
      }
    }
  }
  const layers = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (step: DagStep): number => {
    const known = layers.get(step.name);
    if (known !== undefined) return known;
    if (visiting.has(step.name)) {
      throw new InputError(where, `the steps form a cycle through ${JSON.stringify(step.name)}`);
    }
    visiting.add(step.name);
    let layer = 0;
    for (const need of step.needs) {
      const needed = byName.get(need);
      if (needed !== undefined) layer = Math.max(layer, visit(needed) + 1);
    }
    visiting.delete(step.name);
    layers.set(step.name, layer);
    return layer;
  };
  d.steps.forEach(visit);
  return layers;
}
