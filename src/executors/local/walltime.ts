/** setTimeout holds at most 2^31 - 1 ms (about 24.8 days); longer walltimes are chained. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** A cancellable timer for any delay, however long. Calls `onExpired` once. */
export class LongTimer {
  #timer: NodeJS.Timeout | undefined;

  constructor(delayMs: number, onExpired: () => void) {
    const deadline = Date.now() + Math.max(0, delayMs);
    const arm = (): void => {
      const left = deadline - Date.now();
      this.#timer = setTimeout(
        () => {
          if (left > MAX_TIMEOUT_MS) {
            arm();
          } else {
            this.#timer = undefined;
            onExpired();
          }
        },
        Math.min(Math.max(0, left), MAX_TIMEOUT_MS),
      );
    };
    arm();
  }

  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
