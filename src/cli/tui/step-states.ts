import type { StepDrawState } from '../../pipelines/workflow/graph/index.js';
import { layersOf } from '../../pipelines/workflow/graph/drawing.js';
import type { WorkflowBoard } from '../../pipelines/workflow/workflow-browse.js';

/**
 * A step state's mark and short word in the Workflows view: the mark tells the states apart
 * without colours (NO_COLOR), the word when a column is wide enough.
 */
export const STEP_MARKS: Readonly<Record<StepDrawState, { mark: string; word: string }>> = {
  succeeded: { mark: '✓', word: 'ok' },
  cached: { mark: '◆', word: 'cached' },
  failed: { mark: '✗', word: 'failed' },
  skipped: { mark: '–', word: 'skipped' },
  running: { mark: '▶', word: 'running' },
  pending: { mark: '·', word: 'pending' },
};

/**
 * The steps of a workflow as an outline of its DAG: every step after the steps it needs (by
 * layer, the longest path from a step that needs nothing; the file's order within a layer),
 * `depth` its layer.
 */
export function dagOutline(
  steps: WorkflowBoard['steps'],
): { readonly step: WorkflowBoard['steps'][number]; readonly depth: number }[] {
  const layers = layersOf({ steps: steps.map((s) => ({ name: s.name, needs: s.needs })) });
  return steps
    .map((step, i) => ({ step, depth: layers.get(step.name) ?? 0, i }))
    .sort((a, b) => a.depth - b.depth || a.i - b.i)
    .map(({ step, depth }) => ({ step, depth }));
}
