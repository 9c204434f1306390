import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PollTimer } from '../../../src/executors/remote/poll-timer.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('PollTimer', () => {
  it('keeps the sooner of two schedules and brings a poll forward with 0', () => {
    const poll = vi.fn();
    const timer = new PollTimer(poll);
    timer.schedule(1000);
    timer.schedule(5000); // a poll is due sooner already
    vi.advanceTimersByTime(999);
    expect(poll).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(poll).toHaveBeenCalledTimes(1);
    timer.schedule(1000);
    timer.schedule(0);
    vi.advanceTimersByTime(0);
    expect(poll).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(5000);
    expect(poll).toHaveBeenCalledTimes(2);
  });

  it('polls no more once stopped', () => {
    const poll = vi.fn();
    const timer = new PollTimer(poll);
    timer.schedule(10);
    timer.stop();
    timer.schedule(10);
    vi.advanceTimersByTime(100);
    expect(poll).not.toHaveBeenCalled();
  });
});
