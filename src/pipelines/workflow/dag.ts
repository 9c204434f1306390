import { InputError } from '../../core/errors.js';
import { didYouMean } from '../../core/fields/describe.js';
import type { StepDef } from './workflow-file.js';

/**
 * The steps of a workflow as a DAG: their order (every step after the steps it needs; among
 * ready steps, the order of the file) and each step's ancestors (the steps it needs,
 * transitively).
 */
export interface Dag {
  readonly order: readonly string[];
  readonly ancestors: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * Checks `needs` (every name a step of the file, no step needing itself, no cycle — named step
 * by step) and orders the steps.
 */
export function checkDag(steps: readonly StepDef[]): Dag {
  const names = steps.map((s) => s.name);
  const byName = new Map(steps.map((s) => [s.name, s]));
  for (const step of steps) {
    for (const need of step.needs) {
      if (!byName.has(need.name)) {
        throw new InputError(
          need.where,
          `no step "${need.name}"${didYouMean(need.name, names)}; the steps are ${names.join(', ')}`,
        );
      }
      if (need.name === step.name) throw new InputError(need.where, 'a step cannot need itself');
    }
  }
  const cycle = findCycle(steps, byName);
  if (cycle !== undefined) {
    const first = byName.get(cycle[0] ?? '');
    const links = cycle.slice(1).map((next, i) => `${cycle[i] ?? ''} needs ${next}`);
    throw new InputError(first?.where ?? '', `needs form a cycle: ${links.join(', ')}`);
  }
  const order: string[] = [];
  const done = new Set<string>();
  while (order.length < steps.length) {
    for (const step of steps) {
      if (done.has(step.name) || !step.needs.every((n) => done.has(n.name))) continue;
      order.push(step.name);
      done.add(step.name);
      break;
    }
  }
  const ancestors = new Map<string, Set<string>>();
  for (const name of order) {
    const set = new Set<string>();
    for (const need of byName.get(name)?.needs ?? []) {
      set.add(need.name);
      for (const a of ancestors.get(need.name) ?? []) set.add(a);
    }
    ancestors.set(name, set);
  }
  return { order, ancestors };
}

/** A cycle of needs as the names along it, the first repeated at the end; undefined if none. */
function findCycle(
  steps: readonly StepDef[],
  byName: ReadonlyMap<string, StepDef>,
): string[] | undefined {
  const state = new Map<string, 'open' | 'closed'>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    const s = state.get(name);
    if (s === 'closed') return undefined;
    if (s === 'open') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'open');
    path.push(name);
    for (const need of byName.get(name)?.needs ?? []) {
      const found = visit(need.name);
      if (found !== undefined) return found;
    }
    path.pop();
    state.set(name, 'closed');
    return undefined;
  };
  for (const step of steps) {
    const found = visit(step.name);
    if (found !== undefined) return found;
  }
  return undefined;
}
