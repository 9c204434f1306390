import { errorMessage, ExecutorUnavailableError } from '../../core/errors.js';
import { whileUnreachable } from './retry.js';
import { unavailable } from './transport.js';

/**
 * Whether a remote executor's host answers, told to the user once per change: one notice when
 * it stops answering ("… retrying (running calcs go on there)"), one when it is back. Steps
 * that need the host go through `reach`, which waits while the host is unreachable (see
 * {@link whileUnreachable}, giving up after `giveUpMs`, 10 minutes by default); what it then
 * throws, or a connection refused for good (host key, authentication), is an
 * ExecutorUnavailableError naming the executor and the fix (see {@link unavailable}).
 */
export class Reachability {
  readonly #name: string;
  readonly #meanwhile: string;
  readonly #notice: ((line: string) => void) | undefined;
  readonly #giveUpMs: number;
  #unreachable = false;
  readonly #closing = new AbortController();

  constructor(options: {
    /** The executor, for the notices (`ssh:box`). */
    readonly name: string;
    /** What goes on while retort cannot reach the host, for the notice. */
    readonly meanwhile: string;
    readonly notice?: ((line: string) => void) | undefined;
    readonly giveUpMs?: number | undefined;
  }) {
    this.#name = options.name;
    this.#meanwhile = options.meanwhile;
    this.#notice = options.notice;
    this.#giveUpMs = options.giveUpMs ?? 600_000;
  }

  /** Runs a step that needs the host, waiting (with a notice) while it is unreachable. */
  reach<T>(operation: () => Promise<T>): Promise<T> {
    return whileUnreachable(operation, {
      giveUpMs: this.#giveUpMs,
      signal: this.#closing.signal,
      onWait: (error) => {
        this.lost(error);
      },
    }).then(
      (value) => {
        this.reachable();
        return value;
      },
      (error: unknown) => {
        throw unavailable(this.#name, error);
      },
    );
  }

  lost(error: unknown): void {
    if (this.#unreachable) return;
    this.#unreachable = true;
    // An ExecutorUnavailableError names the executor already.
    const said =
      error instanceof ExecutorUnavailableError
        ? errorMessage(error)
        : `${this.#name}: ${errorMessage(error)}`;
    this.#notice?.(`${said}; retrying (${this.#meanwhile})`);
  }

  /** Ends the waits under way and any later one: their steps fail with what kept them waiting. */
  close(): void {
    this.#closing.abort();
  }

  reachable(): void {
    if (!this.#unreachable) return;
    this.#unreachable = false;
    this.#notice?.(`${this.#name}: reachable again`);
  }
}
