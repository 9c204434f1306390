/** A slot taken from a {@link Semaphore}; releasing it twice is harmless. */
export interface Permit {
  release(): void;
}

/** At most `size` holders at once; waiters are served in order. */
export class Semaphore {
  #free: number;
  readonly #waiters: ((permit: Permit) => void)[] = [];

  constructor(size: number) {
    this.#free = Math.max(1, Math.floor(size));
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  tryAcquire(): Permit | undefined {
    if (this.#free === 0 || this.#waiters.length > 0) return undefined;
    this.#free--;
    return this.#permit();
  }

  acquire(): Promise<Permit> {
    const permit = this.tryAcquire();
    if (permit !== undefined) return Promise.resolve(permit);
    return new Promise<Permit>((resolve) => this.#waiters.push(resolve));
  }

  #permit(): Permit {
    let held = true;
    return {
      release: () => {
        if (!held) return;
        held = false;
        const next = this.#waiters.shift();
        if (next === undefined) this.#free++;
        else next(this.#permit());
      },
    };
  }
}
