/**
 * Exponential backoff between failed connection attempts: 0.5 s after the first failure,
 * doubling to 30 s, reset by a success. A failed attempt fails at once; the next one waits out
 * the rest of the delay. Failures of attempts that started together count once.
 */
export class ReconnectBackoff {
  readonly #firstMs: number;
  readonly #maxMs: number;
  #failures = 0;
  #notBefore = 0;
  #epoch = 0;

  constructor(firstMs = 500, maxMs = 30_000) {
    this.#firstMs = firstMs;
    this.#maxMs = maxMs;
  }

  /** Waits until an attempt may start; returns the token to pass to failed(). */
  async wait(): Promise<number> {
    const ms = this.#notBefore - Date.now();
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
    return this.#epoch;
  }

  failed(epoch: number): void {
    if (epoch !== this.#epoch) return;
    this.#epoch++;
    this.#failures++;
    this.#notBefore = Date.now() + Math.min(this.#maxMs, this.#firstMs * 2 ** (this.#failures - 1));
  }

  succeeded(): void {
    if (this.#failures === 0) return;
    this.#epoch++;
    this.#failures = 0;
    this.#notBefore = 0;
  }
}
