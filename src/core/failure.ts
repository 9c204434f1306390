/**
 * Why a calc failed: one closed list, each class saying whether running the same calc again
 * (unchanged) can help. Engines classify program output into these; executors add the classes
 * that come from the machinery (timeout, killed, lost, missing program).
 *
 * `retryable` is about repeating the calc as it is. A timeout is not retryable as is (the same
 * walltime will time out again) but is `retryableWithMoreTime`; the runner retries it only when
 * the user allows more time.
 */
export const FailureClass = {
  /** SCF did not converge. Deterministic for the same input. */
  scf_not_converged: { retryable: false, retryableWithMoreTime: false },
  /** A geometry optimisation ran out of cycles or did not converge. */
  opt_not_converged: { retryable: false, retryableWithMoreTime: false },
  /** The geometry is impossible (atoms on top of each other, no real atoms, …). */
  geometry_error: { retryable: false, retryableWithMoreTime: false },
  /** The program rejected its input: unknown keyword, bad basis, malformed file. */
  input_error: { retryable: false, retryableWithMoreTime: false },
  /** Charge and multiplicity are inconsistent with the number of electrons. */
  spin_charge: { retryable: false, retryableWithMoreTime: false },
  /** The calc ran past its walltime and was stopped. */
  timeout: { retryable: false, retryableWithMoreTime: true },
  /** The program died abnormally (crash, abort, non-zero exit the engine cannot explain). */
  crash: { retryable: false, retryableWithMoreTime: false },
  /** The program was killed by a signal it did not send itself (out of memory, an operator). */
  killed: { retryable: true, retryableWithMoreTime: false },
  /**
   * The program ran to its end, but its optimised geometry is bonded otherwise than its input
   * (a hydrogen moved to another atom, a bond broke or formed: see chem/bond-graph.ts): its
   * energy belongs to another species. Deterministic for the same input.
   */
  topology_changed: { retryable: false, retryableWithMoreTime: false },
  /** The program said it succeeded but its output cannot be understood. */
  parse_error: { retryable: false, retryableWithMoreTime: false },
  /** The program is not installed where the calc ran. */
  program_missing: { retryable: false, retryableWithMoreTime: false },
  /** The scheduler stopped the job for using more memory than it asked for. */
  out_of_memory: { retryable: false, retryableWithMoreTime: false },
  /** The executor lost track of the job (node failure, vanished process, preemption). */
  lost: { retryable: true, retryableWithMoreTime: false },
  /**
   * Someone cancelled it on purpose: the user (`retort cancel`, scancel) or a cluster's
   * administrator. Never repeated automatically, neither by a retry within the run nor by a later
   * run; `--retry-failed` runs it again.
   */
  cancelled: { retryable: false, retryableWithMoreTime: false },
  /** A generic command exited with a non-zero status. */
  exit_nonzero: { retryable: false, retryableWithMoreTime: false },
} as const;

export type FailureClass = keyof typeof FailureClass;

export const FAILURE_CLASSES = Object.keys(FailureClass) as FailureClass[];

export function isFailureClass(value: string): value is FailureClass {
  return Object.hasOwn(FailureClass, value);
}

/** A classified failure of one calc attempt. `message` is one line a chemist can act on. */
export interface Failure {
  readonly class: FailureClass;
  readonly message: string;
}

export function isRetryable(failure: Failure): boolean {
  return FailureClass[failure.class].retryable;
}
