import { InputError } from '../../core/errors.js';
import type { CalcStore } from '../../store/calc-store.js';
import { openCampaign } from '../campaign.js';
import { acquireRunnerLock, lockHolderAlive } from '../runner-lock.js';
import { CANCELLED_BY_USER, requestCancel } from './cancel-request.js';

const HEX = /^[0-9a-f]{1,64}$/;

/**
 * Cancels the calcs whose keys start with `prefixes` (each must name exactly one calc), as
 * `retort cancel` and the terminal UI do. With a live runner each becomes a request it obeys
 * within a poll (cancel-request.ts). With none, a queued calc is recorded `failed`, class
 * `cancelled`, at once (under the runner lock, so that no runner starts meanwhile); one left in
 * flight by a runner that died gets a request, obeyed by the next run that re-adopts it.
 * A calc already finished is left as it is. Returns one line per calc; a prefix that names no
 * calc or several is an InputError before anything is done.
 */
export function cancelCalcs(root: string, prefixes: readonly string[], who: string): string[] {
  const view = openCampaign(root, { readonly: true });
  const { paths } = view;
  const reason = `cancel requested by ${who} (pid ${process.pid}) at ${new Date().toISOString()}`;
  let keys: string[];
  try {
    keys = prefixes.map((p) => resolveKey(view.calcs, p));
    const holder = lockHolderAlive(paths.lock);
    if (holder !== undefined) {
      return keys.map((key) => {
        const calc = view.calcs.get(key);
        const name = calc?.label ?? key.slice(0, 12);
        if (calc === undefined || calc.status === 'succeeded' || calc.status === 'failed')
          return `${name}: already ${calc?.status ?? 'gone'}; nothing to cancel`;
        requestCancel(paths.cancel, key, reason);
        return calc.status === 'queued'
          ? `${name}: cancel requested; runner pid ${holder.pid} will not start it`
          : `${name}: cancel requested; runner pid ${holder.pid} kills it (TERM, then KILL)`;
      });
    }
  } finally {
    view.close();
  }
  const lock = acquireRunnerLock(paths.lock, 'retort cancel');
  const writable = openCampaign(root);
  try {
    return keys.map((key) => {
      const calc = writable.calcs.get(key);
      const name = calc?.label ?? key.slice(0, 12);
      if (calc === undefined || calc.status === 'succeeded' || calc.status === 'failed')
        return `${name}: already ${calc?.status ?? 'gone'}; nothing to cancel`;
      if (calc.status === 'queued') {
        writable.calcs.cancelQueued(key, CANCELLED_BY_USER);
        return `${name}: cancelled (it was queued; no runner is running)`;
      }
      requestCancel(paths.cancel, key, reason);
      return `${name}: left ${calc.status} by a runner that ended; the next retort run re-adopts it and kills it`;
    });
  } finally {
    writable.close();
    lock.release();
  }
}

function resolveKey(calcs: CalcStore, prefix: string): string {
  const p = prefix.trim().toLowerCase();
  if (!HEX.test(p))
    throw new InputError(
      `calc key ${prefix}`,
      'expected a calc key or its first hexadecimal digits (as retort tui and the exports show them)',
    );
  const found = calcs.keysStartingWith(p, 2);
  const [first, second] = found;
  if (first === undefined) throw new InputError(`calc key ${prefix}`, 'no calc key starts with it');
  if (second !== undefined)
    throw new InputError(
      `calc key ${prefix}`,
      `ambiguous: ${first.slice(0, 16)}… and ${second.slice(0, 16)}… (at least) start with it; give more digits`,
    );
  return first;
}
