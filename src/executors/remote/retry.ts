import { TransportError } from './transport.js';

/**
 * Repeats `operation` while it fails with a retryable {@link TransportError} (the host or the
 * connection is away), waiting 1 s, 2 s, 4 s … up to 30 s between tries, for at most
 * `giveUpMs`; then, or on any other error, rethrows. `onWait` hears each failure once, to say
 * why the run is waiting.
 */
export async function whileUnreachable<T>(
  operation: () => Promise<T>,
  options: { readonly giveUpMs: number; readonly onWait?: (error: TransportError) => void },
): Promise<T> {
  const deadline = Date.now() + options.giveUpMs;
  let delay = 1000;
  for (;;) {
    try {
      return await operation();
    } catch (error) {
      if (!(error instanceof TransportError) || !error.retryable || Date.now() > deadline) {
        throw error;
      }
      options.onWait?.(error);
      await new Promise((resolve) => setTimeout(resolve, Math.min(delay, deadline - Date.now())));
      delay = Math.min(delay * 2, 30_000);
    }
  }
}
