import type { CalcEvent } from '../../runtime/run-observer.js';
import { formatDuration } from '../format.js';

/** One line for a calc reaching its outcome: `[3/50] ethanol OK 1.2s`. */
export function resultSummaryOfEvent(event: CalcEvent): string {
  const name = event.label ?? `${event.program} ${event.key.slice(0, 12)}`;
  const head = `[${event.done}/${event.total}] ${name}`;
  switch (event.outcome) {
    case 'succeeded':
      return `${head} OK ${formatDuration(event.durationS)}`;
    case 'cached':
      return `${head} OK (from the store)`;
    case 'failed':
      return `${head} FAILED ${event.failure?.class ?? ''}: ${event.failure?.message ?? ''}`;
    case 'cached_failure':
      return `${head} FAILED earlier ${event.failure?.class ?? ''}: ${event.failure?.message ?? ''} (use --retry-failed to run it again)`;
  }
}
