import { RetortError } from './errors.js';

/**
 * A status machine: the allowed transitions of one status enum. Every status enum of retort
 * (calc, attempt, run, item, batch) is an `as const` object plus one of these tables, and
 * every change of status goes through {@link assertTransition}.
 */
export type TransitionTable<S extends string> = Readonly<Record<S, readonly S[]>>;

/**
 * A change of status the machine's table does not allow: a bug in retort or a store changed
 * behind its back, never the user's input; repeating the same operation cannot help.
 */
export class IllegalTransitionError extends RetortError {
  constructor(machine: string, from: string, to: string) {
    super(`${machine}: illegal transition ${from} → ${to}`);
  }
}

export function canTransition<S extends string>(
  table: TransitionTable<S>,
  from: S,
  to: S,
): boolean {
  return table[from].includes(to);
}

export function assertTransition<S extends string>(
  machine: string,
  table: TransitionTable<S>,
  from: S,
  to: S,
): void {
  if (!canTransition(table, from, to)) throw new IllegalTransitionError(machine, from, to);
}
