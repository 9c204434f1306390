import { useRef, useState, type RefObject } from 'react';

/**
 * State whose latest value is also in a ref, updated at once by the setter: a key handler
 * reading it sees the effect of the key before it even when React has not rendered in between
 * (keys typed or repeated faster than a render: down, then space, must mark the row moved to).
 */
export function useSyncedState<T>(
  initial: T,
): [T, (next: T | ((previous: T) => T)) => void, RefObject<T>] {
  const [value, setValue] = useState(initial);
  const ref = useRef(initial);
  const set = (next: T | ((previous: T) => T)): void => {
    ref.current = typeof next === 'function' ? (next as (previous: T) => T)(ref.current) : next;
    setValue(ref.current);
  };
  return [value, set, ref];
}
