import type { RequestCalc } from '../../runtime/calc-request.js';
import { stepLine } from './step-line.js';
import { stepSpec } from './step-spec.js';
import { statedCalc, stepLabel, type CheckedWorkflow } from './workflow-check.js';

/**
 * One instance × step of a plan (`retort workflow plan`):
 * - `stored`: the store has the calc's result (a run takes it from there);
 * - `failed`: the store has the calc as failed (a run answers with that failure unless it is
 *   one a retry may fix, or --retry-failed);
 * - `new`: the calc is not in the store: a run computes it;
 * - `later`: its calc is known only once an earlier step is done (it reads `steps.*`), or its
 *   start geometry comes from a SMILES that has no stored 3D geometry yet.
 * `key` is the calc key when the calc is known.
 */
export interface PlanRow {
  readonly instance: string;
  readonly step: string;
  readonly program: string | null;
  readonly task: string | null;
  readonly state: 'stored' | 'failed' | 'new' | 'later';
  readonly key: string | null;
  readonly note: string | null;
}

/**
 * The plan of a checked workflow against the store: `lookup` answers a spec from the store
 * without running anything (a `succeeded` or `failed` resolution when the store has it,
 * `not_run` otherwise).
 */
export async function planWorkflow(
  workflow: CheckedWorkflow,
  lookup: RequestCalc,
): Promise<PlanRow[]> {
  const rows: PlanRow[] = [];
  for (const instance of workflow.instances) {
    for (const name of workflow.dag.order) {
      const step = workflow.def.steps.find((s) => s.name === name);
      if (step === undefined) continue;
      const stated = statedCalc(step);
      const base = {
        instance: instance.key,
        step: name,
        program: stated.program ?? null,
        task: stated.task ?? null,
      };
      if (workflow.dynamic.has(name)) {
        rows.push({ ...base, state: 'later', key: null, note: 'reads an earlier step' });
        continue;
      }
      const scope = { params: workflow.params, matrix: instance.matrix, steps: {} };
      const line = stepLine(step, scope, stepLabel(workflow.def, instance, step));
      const resolved = await stepSpec(workflow, line, `${step.place}: steps.${name}`, lookup);
      if (!resolved.ok) {
        rows.push({ ...base, state: 'later', key: null, note: 'after its 3D geometry' });
        continue;
      }
      const found = await lookup(resolved.spec);
      rows.push({
        ...base,
        program: resolved.spec.program,
        task: resolved.spec.task,
        state:
          found.status === 'succeeded' ? 'stored' : found.status === 'failed' ? 'failed' : 'new',
        key: found.key,
        note: found.status === 'failed' ? found.failure.message : null,
      });
    }
  }
  return rows;
}
