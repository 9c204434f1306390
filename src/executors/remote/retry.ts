import { TransportError } from './transport.js';

/**
 * Repeats `operation` while it fails with a retryable {@link TransportError} (the host or the
 * connection is away), waiting 1 s, 2 s, 4 s … up to 30 s between tries, for at most
 * `giveUpMs`; then, or on any other error, or once `signal` is aborted (the executor is
 * closing: a wait under way ends at once), rethrows the last failure. `onWait` hears each
 * failure once, to say why the run is waiting.
 */
export async function whileUnreachable<T>(
  operation: () => Promise<T>,
  options: {
    readonly giveUpMs: number;
    readonly onWait?: (error: TransportError) => void;
    readonly signal?: AbortSignal;
  },
): Promise<T> {
  const deadline = Date.now() + options.giveUpMs;
  const { signal } = options;
  const aborted = (): boolean => signal?.aborted === true;
  let delay = 1000;
  for (;;) {
    try {
      return await operation();
    } catch (error) {
      const giveUp = Date.now() > deadline || aborted();
      if (!(error instanceof TransportError) || !error.retryable || giveUp) throw error;
      options.onWait?.(error);
      await pause(Math.min(delay, deadline - Date.now()), signal);
      if (aborted()) throw error;
      delay = Math.min(delay * 2, 30_000);
    }
  }
}

/** Waits `ms`, or less if `signal` is aborted meanwhile. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener('abort', done, { once: true });
  });
}
