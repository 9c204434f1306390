import { InfrastructureError } from '../../core/errors.js';
import type { Failure } from '../../core/failure.js';

/**
 * SLURM job states (squeue(1), JOB STATE CODES), split into those in which the job may still
 * run or run again, and final ones.
 *
 * Active: waiting (PENDING; REQUEUED, REQUEUE_HOLD, REQUEUE_FED on their way back to PENDING;
 * RESV_DEL_HOLD and SPECIAL_EXIT, held until released or cancelled), holding an allocation
 * (CONFIGURING, RUNNING, SUSPENDED, STOPPED, RESIZING, SIGNALING) or ending (COMPLETING,
 * STAGE_OUT: processes may still be alive). Final: the rest. REVOKED (a federated sibling
 * withdrawn because another cluster started the job) is final for this cluster.
 */
export const ACTIVE_STATES: readonly string[] = [
  'PENDING',
  'CONFIGURING',
  'RUNNING',
  'COMPLETING',
  'SUSPENDED',
  'STOPPED',
  'REQUEUED',
  'REQUEUE_HOLD',
  'REQUEUE_FED',
  'RESV_DEL_HOLD',
  'SPECIAL_EXIT',
  'RESIZING',
  'SIGNALING',
  'STAGE_OUT',
];

export const FINAL_STATES: readonly string[] = [
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TIMEOUT',
  'DEADLINE',
  'OUT_OF_MEMORY',
  'NODE_FAIL',
  'BOOT_FAIL',
  'PREEMPTED',
  'REVOKED',
];

/**
 * The bare state name: the first word, without decorations (`CANCELLED by 0` → `CANCELLED`,
 * `RUNNING+` → `RUNNING`), in upper case.
 */
export function normaliseState(state: string): string {
  const [first = ''] = state.trim().split(/\s+/);
  return first.toUpperCase().replace(/[^A-Z_]/g, '');
}

/** Whether a job in `state` may still run (see {@link ACTIVE_STATES}). */
export function isActiveState(state: string): boolean {
  return ACTIVE_STATES.includes(normaliseState(state));
}

/**
 * What a final state says about the calc(s) the job ran, before looking at their exit markers:
 *
 * - COMPLETED, FAILED: nothing; the calc's own exit marker decides (for FAILED without a marker
 *   the caller reports `crash`).
 * - TIMEOUT, DEADLINE: `timeout`, and `timedOut`.
 * - OUT_OF_MEMORY: `out_of_memory`.
 * - NODE_FAIL, BOOT_FAIL, PREEMPTED, REVOKED, and any state this list does not know: `lost`
 *   (retried).
 * - CANCELLED: `cancelled`, by retort (`cancelledByUs`) or by someone else.
 *
 * Throws on an active state: the job has not ended.
 */
export function finalStateFailure(
  state: string,
  cancelledByUs: boolean,
): { failure?: Failure; timedOut: boolean } {
  const name = normaliseState(state);
  if (ACTIVE_STATES.includes(name))
    throw new InfrastructureError(`SLURM job state ${name} is not final`, { retryable: false });
  const lost = (message: string) => ({
    failure: { class: 'lost', message } as const,
    timedOut: false,
  });
  switch (name) {
    case 'COMPLETED':
    case 'FAILED':
      return { timedOut: false };
    case 'TIMEOUT':
      return {
        failure: { class: 'timeout', message: 'SLURM stopped the job at its time limit' },
        timedOut: true,
      };
    case 'DEADLINE':
      return {
        failure: { class: 'timeout', message: 'SLURM stopped the job at its deadline (DEADLINE)' },
        timedOut: true,
      };
    case 'OUT_OF_MEMORY':
      return {
        failure: {
          class: 'out_of_memory',
          message: 'SLURM stopped the job for using more memory than it asked for (OUT_OF_MEMORY)',
        },
        timedOut: false,
      };
    case 'NODE_FAIL':
      return lost('the node failed (NODE_FAIL); the calc will be retried');
    case 'BOOT_FAIL':
      return lost('the node failed to boot (BOOT_FAIL); the calc will be retried');
    case 'PREEMPTED':
      return lost('SLURM preempted the job (PREEMPTED); the calc will be retried');
    case 'CANCELLED':
      return {
        failure: {
          class: 'cancelled',
          message: cancelledByUs
            ? 'cancelled by retort'
            : 'cancelled outside retort (scancel or an administrator)',
        },
        timedOut: false,
      };
    default:
      return lost(
        `SLURM ended the job in state ${name || JSON.stringify(state)}; the calc will be retried`,
      );
  }
}
