import type { ItemTotals } from '../../runtime/control/status-file.js';
import type { InstanceOutcome } from './run.js';
import type { StepRecord, StepState } from './workflow-item.js';

/** The counts of a workflow run as status.json carries them (`items`). */
export interface WorkflowTotals {
  readonly instances: ItemTotals;
  readonly steps: ItemTotals;
}

/**
 * Counts a workflow run's instances and steps as they change (runWorkflow's progress calls).
 * An instance is `running` once one of its steps started or ended, and done when it ended:
 * `failed` (a step failed), `skipped` (finished, a step skipped by its `when:`) or `succeeded`
 * (every step succeeded); one the run stopped before it finished is `pending` again. A step is
 * `running` while its calc is asked for, done when it succeeded, failed or was skipped, and
 * `pending` before it starts or when the run stopped first (`not_run`).
 */
export class WorkflowCounts {
  private readonly steps = new Map<string, StepState>();
  private readonly started = new Set<string>();
  private readonly ended = new Map<string, 'succeeded' | 'failed' | 'skipped'>();

  constructor(
    private readonly instanceCount: number,
    private readonly stepsPerInstance: number,
  ) {}

  step(instance: string, step: string, record: StepRecord): void {
    this.steps.set(`${instance}\u0000${step}`, record.state);
    this.started.add(instance);
  }

  instance(outcome: InstanceOutcome): void {
    if (outcome.status === 'stopped') {
      this.started.delete(outcome.instance);
      return;
    }
    const states = Object.values(outcome.record.steps).map((s) => s.state);
    this.ended.set(
      outcome.instance,
      outcome.status === 'failed' ? 'failed' : states.includes('skipped') ? 'skipped' : 'succeeded',
    );
  }

  totals(): WorkflowTotals {
    const instances = { succeeded: 0, failed: 0, skipped: 0 };
    for (const state of this.ended.values()) instances[state]++;
    const doneInstances = this.ended.size;
    const runningInstances = [...this.started].filter((i) => !this.ended.has(i)).length;
    const steps = { succeeded: 0, failed: 0, skipped: 0, running: 0 };
    for (const state of this.steps.values()) {
      if (state === 'succeeded' || state === 'failed' || state === 'skipped' || state === 'running')
        steps[state]++;
    }
    const stepTotal = this.instanceCount * this.stepsPerInstance;
    const doneSteps = steps.succeeded + steps.failed + steps.skipped;
    return {
      instances: {
        total: this.instanceCount,
        done: doneInstances,
        ...instances,
        running: runningInstances,
        pending: this.instanceCount - doneInstances - runningInstances,
      },
      steps: {
        total: stepTotal,
        done: doneSteps,
        succeeded: steps.succeeded,
        failed: steps.failed,
        skipped: steps.skipped,
        running: steps.running,
        pending: stepTotal - doneSteps - steps.running,
      },
    };
  }
}
