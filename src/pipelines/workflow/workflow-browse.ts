import type { ItemStatus } from '../../core/item-status.js';
import { openCampaign, type Campaign } from '../../runtime/campaign.js';
import type { StepDrawState } from './graph/index.js';
import type { InstanceItem } from './export.js';
import { stepDrawStates, storedShape, workflowItems } from './stored.js';
import type { StepRecord, WorkflowShape } from './workflow-item.js';

/**
 * A workflow as a live view shows it (the terminal UI's Workflows view): its steps with their
 * needs, and every instance of the store with each step's state.
 *
 * - `steps`: the recorded shape's steps in the file's order (before a shape was recorded, the
 *   steps the instances' records name, needing nothing).
 * - `instances`: in order of addition; `states[i]` is the state of `steps[i]` as the DAG
 *   drawings colour it (a success from the store is `cached`, `not_run` is `pending`), and
 *   `records` each step's record as the run wrote it (calc key, reason, failure class).
 */
export interface WorkflowBoard {
  readonly name: string;
  readonly file: string;
  readonly steps: WorkflowShape['steps'];
  readonly instances: readonly InstanceRow[];
}

export interface InstanceRow {
  /** The item id, `<workflow>/<instance>`. */
  readonly id: string;
  readonly instance: string;
  readonly status: ItemStatus;
  readonly states: readonly StepDrawState[];
  readonly records: Readonly<Record<string, StepRecord>>;
}

/** The workflows of a campaign, read from its store opened read-only (never the runner's lock). */
export class WorkflowBrowser {
  private constructor(private readonly campaign: Campaign) {}

  static open(root: string): WorkflowBrowser {
    return new WorkflowBrowser(openCampaign(root, { readonly: true }));
  }

  /** Every workflow the store has instances of, in order of first run. */
  boards(): WorkflowBoard[] {
    const items = workflowItems(this.campaign);
    // One read of the items for all workflows (the view reads on every change of the store;
    // storedInstances would read them all again per workflow).
    const byWorkflow = new Map<string, InstanceItem[]>();
    for (const item of items.all()) {
      const list = byWorkflow.get(item.payload.workflow) ?? [];
      list.push(item);
      byWorkflow.set(item.payload.workflow, list);
    }
    return [...byWorkflow].map(([name, instances]) => {
      const shape = storedShape(items, name);
      const steps =
        shape?.steps ??
        [...new Set(instances.flatMap((i) => Object.keys(i.result?.steps ?? {})))].map((s) => ({
          name: s,
          needs: [],
          program: null,
          task: null,
        }));
      const byStep = steps.map((s) => stepDrawStates(instances, s.name));
      return {
        name,
        file: shape?.file ?? instances[0]?.payload.file ?? '',
        steps,
        instances: instances.map((item, i) => ({
          id: item.item_id,
          instance: item.payload.instance,
          status: item.status,
          states: byStep.map((states) => states[i] ?? 'pending'),
          records: item.result?.steps ?? {},
        })),
      };
    });
  }

  close(): void {
    this.campaign.close();
  }
}
