/**
 * The one timer of an executor that polls: `schedule(ms)` asks for a poll in `ms` unless one is
 * due sooner already; `schedule(0)` brings it forward to now. `stop()` ends it for good.
 */
export class PollTimer {
  readonly #poll: () => void;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(poll: () => void) {
    this.#poll = poll;
  }

  schedule(delayMs: number): void {
    if (this.#stopped) return;
    if (this.#timer !== undefined) {
      if (delayMs > 0) return;
      clearTimeout(this.#timer);
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#poll();
    }, delayMs);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
