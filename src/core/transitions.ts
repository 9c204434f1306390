/**
 * A status machine: the allowed transitions of one status enum. Every status enum of retort
 * (calc, run, and later item and batch) is an `as const` object plus one of these tables, and
 * every change of status goes through {@link assertTransition}.
 */
export type TransitionTable<S extends string> = Readonly<Record<S, readonly S[]>>;

export class IllegalTransitionError extends Error {
  constructor(machine: string, from: string, to: string) {
    super(`${machine}: illegal transition ${from} → ${to}`);
    this.name = 'IllegalTransitionError';
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
