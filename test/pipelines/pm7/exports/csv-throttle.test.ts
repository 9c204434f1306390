import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ThrottledExport } from '../../../../src/pipelines/pm7/exports/csv-throttle.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ThrottledExport', () => {
  it('writes the first change on the next turn, then at most once per interval', () => {
    let writes = 0;
    const exp = new ThrottledExport(() => writes++, { intervalMs: 3000 });
    exp.markDirty();
    expect(writes).toBe(0);
    vi.advanceTimersByTime(0);
    expect(writes).toBe(1);
    // A burst of changes during 10 s: one write per 3 s at most.
    for (let t = 0; t < 10_000; t += 10) {
      exp.markDirty();
      vi.advanceTimersByTime(10);
    }
    expect(writes).toBeGreaterThanOrEqual(3);
    expect(writes).toBeLessThanOrEqual(1 + Math.ceil(10_000 / 3000));
    exp.close();
  });

  it('does not write when nothing changed', () => {
    let writes = 0;
    const exp = new ThrottledExport(() => writes++, { intervalMs: 1000 });
    vi.advanceTimersByTime(10_000);
    exp.flush();
    expect(writes).toBe(0);
    exp.markDirty();
    vi.advanceTimersByTime(0);
    expect(writes).toBe(1);
    vi.advanceTimersByTime(10_000);
    expect(writes).toBe(1);
    exp.close();
  });

  it('flush writes at once when something changed, and cancels the pending write', () => {
    let writes = 0;
    const exp = new ThrottledExport(() => writes++, { intervalMs: 3000 });
    exp.markDirty();
    vi.advanceTimersByTime(0);
    exp.markDirty();
    expect(writes).toBe(1);
    exp.flush();
    expect(writes).toBe(2);
    expect(exp.isDirty).toBe(false);
    vi.advanceTimersByTime(10_000);
    expect(writes).toBe(2);
    exp.close();
  });

  it('close flushes and leaves no timer behind; later changes are ignored', () => {
    let writes = 0;
    const exp = new ThrottledExport(() => writes++, { intervalMs: 3000 });
    exp.markDirty();
    vi.advanceTimersByTime(0);
    exp.markDirty();
    exp.close();
    expect(writes).toBe(2);
    expect(vi.getTimerCount()).toBe(0);
    exp.markDirty();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(10_000);
    expect(writes).toBe(2);
  });

  it('reports a failed timed write and stays dirty so that flush tries again', () => {
    const errors: unknown[] = [];
    let fail = true;
    let writes = 0;
    const exp = new ThrottledExport(
      () => {
        if (fail) throw new Error('disk full');
        writes++;
      },
      { intervalMs: 1000, onError: (e) => errors.push(e) },
    );
    exp.markDirty();
    vi.advanceTimersByTime(0);
    expect(errors).toHaveLength(1);
    expect(exp.isDirty).toBe(true);
    fail = false;
    exp.flush();
    expect(writes).toBe(1);
    exp.close();
  });
});

describe('ThrottledExport with a slow write', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('stretches the interval so that writing takes at most a tenth of the time', () => {
    const at: number[] = [];
    const exp = new ThrottledExport(
      () => {
        at.push(Date.now());
        vi.setSystemTime(Date.now() + 1000); // the write takes 1 s
      },
      { intervalMs: 3000 },
    );
    for (let t = 0; t < 40_000; t += 100) {
      exp.markDirty();
      vi.advanceTimersByTime(100);
    }
    exp.close();
    const gaps = at.slice(1).map((t, i) => t - (at[i] ?? 0));
    expect(gaps.length).toBeGreaterThanOrEqual(2);
    // 1 s of writing, then at least 9 s of pause.
    for (const g of gaps.slice(0, -1)) expect(g).toBeGreaterThanOrEqual(10_000);
  });
});
