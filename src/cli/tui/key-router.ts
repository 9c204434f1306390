import type { Key } from 'ink';
import { createContext, useContext, type RefObject } from 'react';

/** A view's keys: returns true when it took the key (the app's own keys then wait). */
export type ViewKeys = (input: string, key: Key) => boolean;

/**
 * Where the shown view leaves its key handler for the app. The app has the only stdin listener
 * and hands each key to the view first: a view assigns its handler while it renders, so the
 * handler that gets a key is always that of the last render, and a view that just appeared
 * takes keys at once (no listener set up in an effect that might run after the next key).
 */
export const KeyRouter = createContext<RefObject<ViewKeys | null> | null>(null);

/** Makes `handler` the keys of the shown view (while `active`). */
export function useViewKeys(handler: ViewKeys, active = true): void {
  const router = useContext(KeyRouter);
  if (router !== null && active) router.current = handler;
}
