import { errorMessage } from '../../core/errors.js';
import { whileUnreachable } from './retry.js';

/**
 * Whether a remote executor's host answers, told to the user once per change: one notice when
 * it stops answering ("… retrying (running calcs go on there)"), one when it is back. Steps
 * that need the host go through `reach`, which waits while the host is unreachable (see
 * {@link whileUnreachable}, giving up after `giveUpMs`, 10 minutes by default).
 */
export class Reachability {
  readonly #name: string;
  readonly #meanwhile: string;
  readonly #notice: ((line: string) => void) | undefined;
  readonly #giveUpMs: number;
  #unreachable = false;

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
      onWait: (error) => {
        this.lost(error);
      },
    }).then((value) => {
      this.reachable();
      return value;
    });
  }

  lost(error: unknown): void {
    if (this.#unreachable) return;
    this.#unreachable = true;
    this.#notice?.(`${this.#name}: ${errorMessage(error)}; retrying (${this.#meanwhile})`);
  }

  reachable(): void {
    if (!this.#unreachable) return;
    this.#unreachable = false;
    this.#notice?.(`${this.#name}: reachable again`);
  }
}
