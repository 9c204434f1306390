import type { JsonValue } from '../../core/calc-spec.js';
import { InfrastructureError } from '../../core/errors.js';
import type { ItemCodec } from '../../store/item-store.js';
import type { Decoder } from '../../store/stored-json.js';

/** The workflows' name in the store (`items.pipeline`). */
export const WORKFLOW_PIPELINE = 'workflow';

/**
 * A workflow instance as a work item (`items.payload_json`; item id `<workflow>/<instance>`):
 * the workflow's name and file (absolute), the instance's key and matrix values, and the
 * params of its last run.
 */
export interface InstancePayload {
  readonly workflow: string;
  readonly file: string;
  readonly instance: string;
  readonly matrix: Readonly<Record<string, JsonValue>>;
  readonly params: Readonly<Record<string, JsonValue>>;
}

/**
 * Where a step of an instance stands:
 * - `pending`: not started (its needs are not done);
 * - `running`: its calc was asked for;
 * - `succeeded`: its calc has a result (`cached` when the store had it);
 * - `failed`: its calc failed, or the step could not become a calc (an expression that cannot
 *   be evaluated, a spec the engine refuses), or a step it needs failed; `reason` says which;
 * - `skipped`: its `when:` was false, or a step it needs was skipped; `reason` says which;
 * - `not_run`: the run stopped before it (it runs on the next run).
 */
export const STEP_STATES = [
  'pending',
  'running',
  'succeeded',
  'failed',
  'skipped',
  'not_run',
] as const;
export type StepState = (typeof STEP_STATES)[number];

/**
 * One step of an instance in the store (in the instance's `items.result_json`), written as it
 * changes: state, the calc's program, task and key (once known), whether the store had it,
 * why it failed or was skipped, the failure's class, and the calc's result once succeeded.
 */
export interface StepRecord {
  readonly state: StepState;
  readonly program: string | null;
  readonly task: string | null;
  readonly key: string | null;
  readonly cached: boolean;
  readonly reason: string | null;
  readonly failure_class: string | null;
  readonly result: Readonly<Record<string, JsonValue>> | null;
}

/** An instance's item result: every step by name, in the workflow's order. */
export interface InstanceRecord {
  readonly steps: Readonly<Record<string, StepRecord>>;
}

export const PENDING_STEP: StepRecord = {
  state: 'pending',
  program: null,
  task: null,
  key: null,
  cached: false,
  reason: null,
  failure_class: null,
  result: null,
};

function objectOf<T>(what: string): Decoder<T> {
  return (value: unknown): T => {
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw new InfrastructureError(`expected a JSON object for ${what}`, { retryable: false });
    return value as T;
  };
}

export const INSTANCE_CODEC: ItemCodec<InstancePayload, InstanceRecord> = {
  pipeline: WORKFLOW_PIPELINE,
  payload: objectOf<InstancePayload>('a workflow instance'),
  result: objectOf<InstanceRecord>('a workflow instance record'),
};

/** The item id of an instance. */
export function instanceItemId(workflow: string, instance: string): string {
  return `${workflow}/${instance}`;
}

/**
 * What the store keeps of a workflow's shape (item fact `workflow:<name>`), for status and
 * graph without the file: its file and steps with their needs, program and task.
 */
export interface WorkflowShape {
  readonly file: string;
  readonly steps: readonly {
    readonly name: string;
    readonly needs: readonly string[];
    readonly program: string | null;
    readonly task: string | null;
  }[];
}

export function shapeFactKey(workflow: string): string {
  return `workflow:${workflow}`;
}
