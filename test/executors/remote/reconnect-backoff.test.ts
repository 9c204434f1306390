import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReconnectBackoff } from '../../../src/executors/remote/reconnect-backoff.js';

/** How long wait() takes on the fake clock, in ms, and the token it returns. */
async function waitTime(backoff: ReconnectBackoff): Promise<{ ms: number; epoch: number }> {
  const start = Date.now();
  const waiting = backoff.wait();
  await vi.runOnlyPendingTimersAsync();
  const epoch = await waiting;
  return { ms: Date.now() - start, epoch };
}

/** One failed attempt: wait, then fail; returns how long the wait was. */
async function failOnce(backoff: ReconnectBackoff): Promise<number> {
  const { ms, epoch } = await waitTime(backoff);
  backoff.failed(epoch);
  return ms;
}

describe('ReconnectBackoff', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('does not wait before any failure', async () => {
    const backoff = new ReconnectBackoff();
    expect((await waitTime(backoff)).ms).toBe(0);
  });

  it('waits 0.5 s after a failure, doubling up to 30 s', async () => {
    const backoff = new ReconnectBackoff();
    const waits: number[] = [];
    for (let i = 0; i < 10; i++) waits.push(await failOnce(backoff));
    expect(waits).toEqual([0, 500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('does not let an attempt start before the delay is over', async () => {
    const backoff = new ReconnectBackoff();
    backoff.failed(await backoff.wait());
    backoff.failed((await waitTime(backoff)).epoch);
    let started = false;
    void backoff.wait().then(() => {
      started = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(started).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(started).toBe(true);
  });

  it('waits only the rest of the delay when time has passed since the failure', async () => {
    const backoff = new ReconnectBackoff();
    backoff.failed(await backoff.wait());
    vi.setSystemTime(Date.now() + 300);
    expect((await waitTime(backoff)).ms).toBe(200);
  });

  it('is reset by a success', async () => {
    const backoff = new ReconnectBackoff();
    for (let i = 0; i < 5; i++) await failOnce(backoff);
    expect((await waitTime(backoff)).ms).toBe(8000);
    backoff.succeeded();
    expect((await waitTime(backoff)).ms).toBe(0);
    expect(await failOnce(backoff)).toBe(0);
    expect(await failOnce(backoff)).toBe(500);
    expect(await failOnce(backoff)).toBe(1000);
  });

  it('counts once the failures of attempts that started together', async () => {
    const backoff = new ReconnectBackoff();
    const [a, b, c] = await Promise.all([backoff.wait(), backoff.wait(), backoff.wait()]);
    backoff.failed(a);
    backoff.failed(b);
    backoff.failed(c);
    expect((await waitTime(backoff)).ms).toBe(500);
  });

  it('takes the first delay and the cap from its constructor', async () => {
    const backoff = new ReconnectBackoff(100, 250);
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) waits.push(await failOnce(backoff));
    expect(waits).toEqual([0, 100, 200, 250]);
  });
});
