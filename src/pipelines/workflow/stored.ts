import type { Campaign } from '../../runtime/campaign.js';
import type { InstanceItem } from './export.js';
import type { StepDrawState } from './graph/index.js';
import { INSTANCE_CODEC, shapeFactKey, type WorkflowShape } from './workflow-item.js';
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

/** A step's state in each instance, as drawn (graph/): a success from the store is `cached`. */
export function stepDrawStates(instances: readonly InstanceItem[], step: string): StepDrawState[] {
  return instances.map((item) => {
    const record = item.result?.steps[step];
    if (record === undefined || record.state === 'pending' || record.state === 'not_run') {
      return 'pending';
    }
    if (record.state === 'succeeded') return record.cached ? 'cached' : 'succeeded';
    return record.state;
  });
}
