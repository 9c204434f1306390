import { InfrastructureError } from '../../../core/errors.js';

/**
 * Keeps an export a few seconds behind the store at most, without rewriting it on every
 * change: `markDirty()` after each change; the write function then runs at most once per
 * interval (default 3 s), coalescing every change made meanwhile. `flush()` writes at once if
 * anything changed since the last write (a batch ends, stops or is interrupted: the export is
 * exact); `close()` flushes and leaves no timer behind.
 *
 * A write that is slow for the interval stretches it: the pause after a write is at least
 * (1 − maxBusyShare) / maxBusyShare times as long as the write took (default share 0.1: a 0.6 s
 * rewrite of a 30,000-row CSV is followed by at least 5.4 s of other work), so that keeping the
 * export current never takes more than a tenth of the runner's time, whatever the dataset size.
 *
 * The first change after a quiet spell is written on the next turn of the event loop; later
 * ones wait until an interval has passed since the previous write. The timer is unref'd: the
 * exactness of the final state comes from flush()/close(), and a pending export never keeps a
 * finished process alive. A write that throws from the timer goes to `onError` (default: a
 * process warning) and the export stays dirty, so the next change or flush tries again; a write
 * that throws from flush() reaches its caller.
 */
export interface ThrottledExportOptions {
  /** Minimum time between two writes, ms (default 3,000). */
  readonly intervalMs?: number;
  /** Largest share of wall time spent writing (default 0.1); stretches the interval if needed. */
  readonly maxBusyShare?: number;
  readonly onError?: (error: unknown) => void;
}

export const DEFAULT_EXPORT_INTERVAL_MS = 3_000;

export class ThrottledExport {
  private readonly intervalMs: number;
  private readonly onError: (error: unknown) => void;
  private readonly pauseFactor: number;
  private dirty = false;
  private nextAllowed = Number.NEGATIVE_INFINITY;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private writes = 0;

  constructor(
    private readonly write: () => void,
    options: ThrottledExportOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? DEFAULT_EXPORT_INTERVAL_MS;
    const share = options.maxBusyShare ?? 0.1;
    this.pauseFactor = share > 0 && share < 1 ? (1 - share) / share : 0;
    this.onError =
      options.onError ??
      ((error: unknown) => {
        process.emitWarning(
          error instanceof Error ? error : new InfrastructureError(String(error)),
          {
            code: 'RETORT_EXPORT',
          },
        );
      });
  }

  /** How many times the write function has run. */
  get writeCount(): number {
    return this.writes;
  }

  /** Whether something changed since the last write. */
  get isDirty(): boolean {
    return this.dirty;
  }

  /** Something changed: write within one interval. Ignored after close(). */
  markDirty(): void {
    if (this.closed) return;
    this.dirty = true;
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.nextAllowed - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      try {
        this.writeNow();
      } catch (error) {
        this.onError(error);
      }
    }, wait);
    this.timer.unref();
  }

  /** Writes now if anything changed since the last write. */
  flush(): void {
    this.cancelTimer();
    if (this.dirty) this.writeNow();
  }

  /** Flushes, then stops: no timer is left and later changes are ignored. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.flush();
  }

  private writeNow(): void {
    this.dirty = false;
    const start = Date.now();
    try {
      this.write();
      this.writes++;
    } catch (error) {
      this.dirty = true;
      throw error;
    } finally {
      const end = Date.now();
      this.nextAllowed = Math.max(start + this.intervalMs, end + (end - start) * this.pauseFactor);
    }
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
