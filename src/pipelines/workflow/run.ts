import type { JsonValue } from '../../core/calc-spec.js';
import { InputError } from '../../core/errors.js';
import { within } from '../../core/fields/within.js';
import { getEngine } from '../../engines/registry.js';
import type { CalcRunner } from '../../runtime/calc-request.js';
import type { PipelineItems } from '../../store/item-store.js';
import type { CalcLine } from '../calc-list/calc-line.js';
import { interpolationReferences, parseInterpolation } from './expression/index.js';
import type { Instance } from './matrix.js';
import { evaluateSite, stepLine } from './step-line.js';
import { stepSpec } from './step-spec.js';
import { stepLabel, workflowShape, type CheckedWorkflow } from './workflow-check.js';
import type { StepDef } from './workflow-file.js';
import {
  instanceItemId,
  PENDING_STEP,
  shapeFactKey,
  type InstancePayload,
  type InstanceRecord,
  type StepRecord,
} from './workflow-item.js';

export type WorkflowItems = PipelineItems<InstancePayload, InstanceRecord>;

/** How an instance ended in this run: `ok` (every step succeeded or was skipped), `failed`, `stopped`. */
export interface InstanceOutcome {
  readonly instance: string;
  readonly status: 'ok' | 'failed' | 'stopped';
  readonly record: InstanceRecord;
}

/** What a run tells its display as it goes. */
export interface WorkflowProgress {
  step(instance: string, step: string, record: StepRecord): void;
  instance(outcome: InstanceOutcome): void;
}

/**
 * Runs every instance of a checked workflow at once through `runner` (which keeps to its
 * workers); within an instance a step starts when the steps it needs are done. Each instance is
 * a work item (`items`, added when first run): it is `Running` while its steps go, with every
 * step's record written to the store as it changes, then `OK`, `Rerun` (a step failed) or back
 * to `To run` (the run stopped first). Every step's calc is asked for again on every run, so a
 * finished one is answered from the calc store and a run killed half-way resumes where it was.
 *
 * - A step whose `when:` is false is `skipped`, and so are the steps that need it.
 * - A step whose calc failed (or that could not become a calc) is `failed`, and so are the
 *   steps that need it — unless their `when:` reads the failed step's `state`,
 *   `failure_class` or `reason`, which then decides. Other instances go on.
 * - `from: ${{ steps.NAME }}` gives the calc NAME's key as `options.parent`.
 */
export async function runWorkflow(
  workflow: CheckedWorkflow,
  runner: CalcRunner,
  items: WorkflowItems,
  progress: WorkflowProgress,
): Promise<InstanceOutcome[]> {
  registerInstances(workflow, items);
  return Promise.all(
    workflow.instances.map((instance) => runInstance(workflow, instance, runner, items, progress)),
  );
}

/** Adds the instances the store does not have yet and records the workflow's shape. */
function registerInstances(workflow: CheckedWorkflow, items: WorkflowItems): void {
  const { def } = workflow;
  const fresh = workflow.instances
    .filter((i) => items.get(instanceItemId(def.name, i.key)) === undefined)
    .map((i) => ({
      item_id: instanceItemId(def.name, i.key),
      payload: payloadOf(workflow, i),
      status: 'Pending' as const,
      skip_reason: null,
    }));
  items.add(fresh, { [shapeFactKey(def.name)]: JSON.stringify(workflowShape(def)) });
}

function payloadOf(workflow: CheckedWorkflow, instance: Instance): InstancePayload {
  return {
    workflow: workflow.def.name,
    file: workflow.def.file,
    instance: instance.key,
    matrix: instance.matrix,
    params: workflow.params,
  };
}

async function runInstance(
  workflow: CheckedWorkflow,
  instance: Instance,
  runner: CalcRunner,
  items: WorkflowItems,
  progress: WorkflowProgress,
): Promise<InstanceOutcome> {
  const { def } = workflow;
  const itemId = instanceItemId(def.name, instance.key);
  const records: Record<string, StepRecord> = Object.fromEntries(
    def.steps.map((s) => [s.name, PENDING_STEP]),
  );
  const save = (): void => {
    const running = def.steps.filter((s) => records[s.name]?.state === 'running');
    items.setStatus(itemId, 'Running', {
      phase: running.map((s) => s.name).join(',') || 'steps',
      result: { steps: { ...records } },
    });
  };
  const current = items.get(itemId)?.status;
  if (current === 'OK') items.setStatus(itemId, 'Pending');
  items.setStatus(itemId, 'To run', { payload: payloadOf(workflow, instance) });
  save();

  const done = new Map<string, Promise<StepRecord>>();
  const byName = new Map(def.steps.map((s) => [s.name, s]));
  for (const name of workflow.dag.order) {
    const step = byName.get(name);
    if (step === undefined) continue;
    done.set(
      name,
      (async () => {
        await Promise.all(step.needs.map((n) => done.get(n.name) ?? Promise.resolve(PENDING_STEP)));
        const set = (record: StepRecord): StepRecord => {
          records[name] = record;
          save();
          progress.step(instance.key, name, record);
          return record;
        };
        return runStep(workflow, instance, step, records, runner, itemId, set);
      })(),
    );
  }
  await Promise.all([...done.values()]);

  const states = def.steps.map((s) => records[s.name]?.state);
  const record: InstanceRecord = { steps: { ...records } };
  let status: InstanceOutcome['status'];
  if (states.includes('not_run')) {
    status = 'stopped';
    runner.workLeft();
    items.setStatus(itemId, 'To run', { phase: 'pending', result: record });
  } else if (states.includes('failed')) {
    status = 'failed';
    const first = def.steps.find((s) => records[s.name]?.state === 'failed');
    items.setStatus(itemId, 'Rerun', {
      phase: 'done',
      result: record,
      last_error_message: `${first?.name ?? ''}: ${records[first?.name ?? '']?.reason ?? ''}`,
    });
  } else {
    status = 'ok';
    items.setStatus(itemId, 'OK', { phase: 'done', result: record, last_error_message: null });
  }
  const outcome = { instance: instance.key, status, record };
  progress.instance(outcome);
  return outcome;
}

/** What `steps.NAME` holds in the expressions of later steps. */
function scopeOf(record: StepRecord): JsonValue {
  return {
    state: record.state,
    key: record.key,
    cached: record.cached,
    result: record.result === null ? null : { ...record.result },
    reason: record.reason,
    failure_class: record.failure_class,
  };
}

async function runStep(
  workflow: CheckedWorkflow,
  instance: Instance,
  step: StepDef,
  records: Readonly<Record<string, StepRecord>>,
  runner: CalcRunner,
  itemId: string,
  set: (record: StepRecord) => StepRecord,
): Promise<StepRecord> {
  const end = (state: 'failed' | 'skipped' | 'not_run', reason: string, failureClass?: string) =>
    set({ ...PENDING_STEP, state, reason, failure_class: failureClass ?? null });
  const decidedByWhen = whenReadsState(step);
  for (const need of step.needs) {
    const state = records[need.name]?.state;
    if (state === 'not_run') return end('not_run', `${need.name} did not run`);
    if (state === 'skipped') return end('skipped', `needs ${need.name}, which was skipped`);
    if (state === 'failed' && !decidedByWhen.has(need.name)) {
      return end('failed', `needs ${need.name}, which failed`, 'dependency_failed');
    }
  }
  if (runner.currentState !== 'running') return end('not_run', 'the run stopped first');
  const ancestors = workflow.dag.ancestors.get(step.name) ?? new Set<string>();
  const steps: Record<string, JsonValue> = {};
  for (const name of ancestors) {
    const record = records[name];
    if (record !== undefined) steps[name] = scopeOf(record);
  }
  const scope = { params: workflow.params, matrix: instance.matrix, steps };
  const request = (spec: Parameters<CalcRunner['request']>[0]) => runner.request(spec, itemId);
  let line: CalcLine;
  try {
    if (step.when !== undefined) {
      const when =
        typeof step.when.value === 'boolean'
          ? step.when.value
          : evaluateSite({ text: step.when.value, where: step.when.where }, scope);
      if (typeof when !== 'boolean') {
        throw new InputError(
          step.when.where,
          `expected true or false, found ${JSON.stringify(when)}`,
        );
      }
      if (!when) return end('skipped', `when: ${String(step.when.value)} is false`);
    }
    line = stepLine(step, scope, stepLabel(workflow.def, instance, step));
  } catch (error) {
    if (error instanceof InputError) return end('failed', error.message, 'input_error');
    throw error;
  }
  const where = `${step.place}: steps.${step.name}`;
  try {
    const resolved = await stepSpec(workflow, line, where, request);
    if (!resolved.ok) {
      return resolved.failure === undefined
        ? end('not_run', resolved.reason)
        : end('failed', resolved.reason, resolved.failure.class);
    }
    const { spec } = resolved;
    within(where, () => getEngine(spec.program).prepare(spec));
    const base = { ...PENDING_STEP, program: spec.program, task: spec.task };
    set({ ...base, state: 'running' });
    const outcome = await request(spec);
    switch (outcome.status) {
      case 'succeeded':
        return set({
          ...base,
          state: 'succeeded',
          key: outcome.key,
          cached: outcome.cached,
          result: outcome.result,
        });
      case 'failed':
        return set({
          ...base,
          state: 'failed',
          key: outcome.key,
          cached: outcome.cached,
          reason: outcome.failure.message,
          failure_class: outcome.failure.class,
        });
      case 'not_run':
        return set({ ...base, state: 'not_run', key: outcome.key, reason: outcome.reason });
    }
  } catch (error) {
    if (error instanceof InputError) return end('failed', error.message, 'input_error');
    throw error;
  }
}

/** The needed steps whose `state`, `failure_class` or `reason` a step's `when:` reads. */
function whenReadsState(step: StepDef): Set<string> {
  const out = new Set<string>();
  if (step.when === undefined || typeof step.when.value !== 'string') return out;
  const parsed = parseInterpolation(step.when.value, step.when.where);
  for (const [root, name, field] of interpolationReferences(parsed)) {
    if (root === 'steps' && typeof name === 'string') {
      if (field === 'state' || field === 'failure_class' || field === 'reason') out.add(name);
    }
  }
  return out;
}
