import type { Campaign } from '../../runtime/campaign.js';
import type { InstanceItem } from './export.js';
import {
  INSTANCE_CODEC,
  shapeFactKey,
  type StepState,
  type WorkflowShape,
} from './workflow-item.js';
import type { WorkflowItems } from './run.js';

/** The workflow items of a campaign. */
export function workflowItems(campaign: Campaign): WorkflowItems {
  return campaign.items.of(INSTANCE_CODEC);
}

/** The names of the workflows the store has instances of, in order of first run. */
export function storedWorkflowNames(items: WorkflowItems): string[] {
  const names: string[] = [];
  for (const item of items.all()) {
    if (!names.includes(item.payload.workflow)) names.push(item.payload.workflow);
  }
  return names;
}

/** A workflow's instances in the store, in order of addition. */
export function storedInstances(items: WorkflowItems, workflow: string): InstanceItem[] {
  return items.all().filter((item) => item.payload.workflow === workflow);
}

/** A workflow's shape as its last run recorded it; undefined before any run. */
export function storedShape(items: WorkflowItems, workflow: string): WorkflowShape | undefined {
  const text = items.fact(shapeFactKey(workflow));
  return text === undefined ? undefined : (JSON.parse(text) as WorkflowShape);
}

/**
 * One state per step over all instances, for drawing: `running` if any instance runs it,
 * else `failed` if any failed, `pending` while any has not reached it, `skipped` when every
 * instance skipped it, `cached` when every success came from the store, else `succeeded`; with
 * the counts as a label (`3 ok, 1 failed`).
 */
export function stepSummary(
  instances: readonly InstanceItem[],
  step: string,
): {
  readonly state: 'pending' | 'running' | 'succeeded' | 'cached' | 'failed' | 'skipped';
  readonly label: string;
} {
  const counts = new Map<StepState, number>();
  let cached = 0;
  for (const item of instances) {
    const record = item.result?.steps[step];
    const state = record?.state ?? 'pending';
    counts.set(state, (counts.get(state) ?? 0) + 1);
    if (record?.state === 'succeeded' && record.cached) cached++;
  }
  const n = (s: StepState) => counts.get(s) ?? 0;
  const label = [...counts.entries()].map(([s, k]) => `${k} ${s}`).join(', ');
  const pending = n('pending') + n('not_run');
  const state =
    n('running') > 0
      ? 'running'
      : n('failed') > 0
        ? 'failed'
        : pending > 0
          ? 'pending'
          : n('succeeded') === 0
            ? 'skipped'
            : cached === n('succeeded')
              ? 'cached'
              : 'succeeded';
  return { state, label };
}
