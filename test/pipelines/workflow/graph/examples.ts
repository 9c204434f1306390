import type { DagDrawing } from '../../../../src/pipelines/workflow/graph/index.js';

/** relax → scf → bands, with a step needing two others and one with every awkward character. */
export const bands: DagDrawing = {
  title: 'si-bands <"&">',
  steps: [
    { name: 'relax', needs: [], state: 'succeeded', label: 'qe relax' },
    { name: 'scf', needs: ['relax'], state: 'cached' },
    { name: `bands "<&>'\\ #1`, needs: ['scf', 'relax'], state: 'failed' },
    { name: 'dos', needs: ['scf'], state: 'skipped' },
    { name: 'plot', needs: [`bands "<&>'\\ #1`, 'dos'], state: 'running' },
    { name: 'notes', needs: [], state: 'pending' },
  ],
};

/** Edges as `from → to` strings, for comparing sets. */
export function edgeSet(d: DagDrawing): string[] {
  return d.steps.flatMap((s) => s.needs.map((n) => `${n} → ${s.name}`)).sort();
}

/**
 * A wider DAG: 30 steps in five layers of six, each needing the step above it in reversed order
 * and, for every other step, a second one: in the file's order its edges cross a lot.
 */
export function wide(): DagDrawing {
  const steps = Array.from({ length: 30 }, (_, i) => {
    const [layer, j] = [Math.floor(i / 6), i % 6];
    const above = (k: number) => `s${(layer - 1) * 6 + k}`;
    const needs =
      layer === 0 ? [] : j % 2 === 0 ? [above(5 - j)] : [above(5 - j), above((5 - j + 1) % 6)];
    return { name: `s${i}`, needs };
  });
  return { steps };
}
