import type { ExecResult } from '../remote/transport.js';

/**
 * Cancels collected over 100 ms go out as one `scancel ID…` (a hard stop cancels every job of
 * the run at once). A failed scancel is reported (`failed`), not retried: the poll still sees
 * the job, and a stop asks again. `done` hears each scancel that was sent, so a poll can look
 * soon. `close` sends what is pending.
 */
export class ScancelBatch {
  readonly #exec: (argv: readonly string[]) => Promise<ExecResult>;
  readonly #failed: (error: unknown) => void;
  readonly #done: () => void;
  #ids = new Set<string>();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: {
    readonly exec: (argv: readonly string[]) => Promise<ExecResult>;
    readonly failed: (error: unknown) => void;
    readonly done: () => void;
  }) {
    this.#exec = options.exec;
    this.#failed = options.failed;
    this.#done = options.done;
  }

  /** Cancels a job (`123`) or an array task (`123_4`), within 100 ms. */
  add(id: string): void {
    this.#ids.add(id);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.#flush();
    }, 100);
  }

  async close(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#ids.size > 0) await this.#flush();
  }

  async #flush(): Promise<void> {
    const ids = [...this.#ids];
    this.#ids = new Set();
    if (ids.length === 0) return;
    await this.#exec(['scancel', ...ids]).catch((error: unknown) => {
      this.#failed(error);
    });
    this.#done();
  }
}
