import { STEP_DRAW_STATES, type StepDrawState } from './drawing.js';

/**
 * One box for a step across all instances of a sweep: the state that most needs attention
 * (failed, then running, then pending; skipped only when every instance skipped; succeeded when
 * any instance computed it, else cached) and, for more than one instance, the counts in legend
 * order (`7 succeeded · 2 cached · 1 failed`). Undefined for no instances: the box is drawn plain.
 */
export function summarizeStates(
  states: readonly StepDrawState[],
): { state: StepDrawState; label: string | undefined } | undefined {
  if (states.length === 0) return undefined;
  const counts = new Map<StepDrawState, number>();
  for (const s of states) counts.set(s, (counts.get(s) ?? 0) + 1);
  const has = (s: StepDrawState) => counts.has(s);
  const state: StepDrawState = has('failed')
    ? 'failed'
    : has('running')
      ? 'running'
      : has('pending')
        ? 'pending'
        : counts.size === 1 && has('skipped')
          ? 'skipped'
          : has('succeeded')
            ? 'succeeded'
            : 'cached';
  const label =
    states.length === 1
      ? undefined
      : STEP_DRAW_STATES.flatMap((s) => {
          const n = counts.get(s);
          return n === undefined ? [] : [`${n} ${s}`];
        }).join(' · ');
  return { state, label };
}
