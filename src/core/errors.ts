/**
 * Errors that say what went wrong and whether trying again can help.
 *
 * Every error retort raises on purpose is a {@link RetortError}. Two questions decide how it is
 * handled, and both are answered by the error itself:
 *
 * - `retryable`: can the same operation, repeated unchanged, succeed? (A dropped connection: yes.
 *   A misspelt keyword: no.)
 * - `userFacing`: is this the user's mistake, to be printed as one line naming the file, line or
 *   field and what was expected (the CLI prints the stack only with `--debug`)?
 *
 * The original error is kept as `cause` so that `--debug` can show the whole chain.
 */
export class RetortError extends Error {
  readonly retryable: boolean;
  readonly userFacing: boolean;

  constructor(
    message: string,
    options: { retryable?: boolean; userFacing?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retryable = options.retryable ?? false;
    this.userFacing = options.userFacing ?? false;
  }
}

/**
 * A mistake in what the user gave us: a file, a line of it, a field, a flag.
 * `where` names it (`runs.jsonl:3: field "walltime_s"`), the message says what was expected.
 */
export class InputError extends RetortError {
  readonly where: string | undefined;

  constructor(where: string | undefined, message: string, options: { cause?: unknown } = {}) {
    super(where === undefined ? message : `${where}: ${message}`, {
      ...options,
      userFacing: true,
    });
    this.where = where;
  }
}

/** The campaign is not in a state that allows the operation (no campaign here, locked, …). */
export class CampaignError extends RetortError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, userFacing: true });
  }
}

/** Something outside the user's input broke (a disk, a process, a connection). */
export class InfrastructureError extends RetortError {
  constructor(message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, { retryable: options.retryable ?? true, cause: options.cause });
  }
}

/**
 * The place calcs run is not usable as configured: a host whose key changed, refused
 * authentication, a cluster that does not answer, a scratch directory that cannot be written.
 * It is never a calc's failure: the runner returns the calc to the queue and pauses the run with
 * this one line, which names the executor (`ssh:NAME`, `slurm:NAME`) and what to do (`fix`).
 * `retryable` says whether waiting alone may help (a dropped link) or a person must act first
 * (a changed host key).
 */
export class ExecutorUnavailableError extends InfrastructureError {
  readonly executor: string;
  readonly fix: string;

  constructor(
    executor: string,
    problem: string,
    fix: string,
    options: { retryable?: boolean; cause?: unknown } = {},
  ) {
    super(`${executor}: ${problem}; ${fix}`, options);
    this.executor = executor;
    this.fix = fix;
  }
}

/** A short text for any thrown value, for logs and one-line messages. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
