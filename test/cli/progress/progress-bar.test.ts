import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { progressBar, type BarStream } from '../../../src/cli/progress/progress-bar.js';
import type { RunState } from '../../../src/core/run-state.js';
import type { StatusSnapshot } from '../../../src/runtime/control/status-file.js';
import type { CalcEvent } from '../../../src/runtime/run-observer.js';

/** A stand-in for process.stderr on a terminal: records writes, fires `resize` on demand. */
class FakeTerminal implements BarStream {
  out = '';
  private listener: (() => void) | undefined;
  constructor(public columns: number) {}
  write(text: string): boolean {
    this.out += text;
    return true;
  }
  on(_event: 'resize', listener: () => void): void {
    this.listener = listener;
  }
  off(): void {
    this.listener = undefined;
  }
  resize(columns: number): void {
    this.columns = columns;
    this.listener?.();
  }
  /** The screen the writes leave, as lines (a small VT100 subset: \r \n EL ED CUU, autowrap). */
  screen(): string[] {
    const rows: string[] = [''];
    let y = 0;
    let x = 0;
    // eslint-disable-next-line no-control-regex
    const re = /\r|\n|\x1b\[2K|\x1b\[J|\x1b\[(\d+)A|[^\r\n\x1b]/g;
    for (const [token, up] of this.out.matchAll(re)) {
      if (token === '\r') x = 0;
      else if (token === '\n') [y, x] = [y + 1, 0];
      else if (token === '\x1b[2K') rows[y] = '';
      else if (token === '\x1b[J') rows.splice(y, rows.length, (rows[y] ?? '').slice(0, x));
      else if (up !== undefined) y = Math.max(0, y - Number(up));
      else {
        if (x === this.columns) [y, x] = [y + 1, 0];
        const row = (rows[y] ?? '').padEnd(x);
        rows[y] = row.slice(0, x) + token + row.slice(x + 1);
        x++;
      }
      while (rows.length <= y) rows.push('');
    }
    return rows.filter((row, i) => row !== '' || i < y);
  }
}

function snapshot(done: number, failed: number, state: RunState = 'running'): StatusSnapshot {
  return {
    run_id: 'r1',
    pid: 1,
    command: 'retort run calcs.jsonl',
    executor: 'local',
    workers: 2,
    state,
    started_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:01.000Z',
    totals: {
      total: 30,
      completed: done,
      succeeded: done - failed,
      failed,
      failed_earlier: 0,
      cached: 0,
      running: state === 'running' ? 2 : 0,
      queued: 28 - done,
    },
    current: [],
    recent_failures: [],
    rolling_avg_s: 0.6,
    eta_s: 5.5,
    eta_at: null,
    message: null,
  };
}

function failedEvent(n: number, message = 'sh exited with status 3'): CalcEvent {
  return {
    key: `k${n}`,
    label: `calc-${n}`,
    program: 'command',
    outcome: 'failed',
    failure: { class: 'exit_nonzero', message },
    durationS: 0.2,
    done: n,
    total: 30,
  };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('progressBar', () => {
  it('draws one line with the counts, redrawn in place', () => {
    const term = new FakeTerminal(100);
    const bar = progressBar(term);
    bar.status?.(snapshot(6, 1));
    vi.advanceTimersByTime(150);
    bar.status?.(snapshot(12, 2));
    expect(term.out).not.toContain('\n');
    expect(term.screen()).toEqual([
      '[############------------------] 12/30 ok 10 failed 2 running 2 ETA 5.5s',
    ]);
  });

  it("counts a pipeline's items instead of the runner's calcs once it reports them", () => {
    const term = new FakeTerminal(100);
    const bar = progressBar(term, { calcLines: false });
    bar.status?.(snapshot(6, 1));
    vi.advanceTimersByTime(150);
    bar.items({ noun: 'molecules', total: 50, done: 3, ok: 2, failed: 1, running: 2, eta_s: 94 });
    vi.advanceTimersByTime(150);
    bar.status?.(snapshot(12, 2));
    vi.advanceTimersByTime(150);
    expect(term.screen()).toEqual([
      '[##----------------------------] 3/50 molecules ok 2 failed 1 running 2 ETA 1m34s',
    ]);
  });

  it('prints failures and notices above the bar, where they stay', () => {
    const term = new FakeTerminal(100);
    const bar = progressBar(term);
    bar.status?.(snapshot(4, 0));
    bar.calcFinished?.(failedEvent(5));
    bar.calcFinished?.({ ...failedEvent(6), outcome: 'succeeded' });
    bar.notice('took over a stale lock');
    vi.advanceTimersByTime(150);
    bar.status?.(snapshot(6, 1));
    expect(term.screen()).toEqual([
      '[5/30] calc-5 FAILED exit_nonzero: sh exited with status 3',
      'note: took over a stale lock',
      '[######------------------------] 6/30 ok 5 failed 1 running 2 ETA 5.5s',
    ]);
  });

  it('fits the bar to a narrow terminal, dropping the graph before any count', () => {
    const term = new FakeTerminal(40);
    const bar = progressBar(term);
    bar.status?.(snapshot(12, 2));
    expect(term.screen()).toEqual(['12/30 ok 10 failed 2 running 2 ETA']);
    const tiny = new FakeTerminal(20);
    progressBar(tiny).status?.(snapshot(12, 2));
    expect(tiny.screen()).toEqual(['12/30 ok 10']);
    for (const row of [...term.screen(), ...tiny.screen()]) expect(row.length).toBeLessThan(38);
  });

  it('leaves no stale copy of a wider bar when the terminal shrinks', () => {
    const term = new FakeTerminal(100);
    const bar = progressBar(term);
    bar.status?.(snapshot(12, 2));
    term.resize(40);
    // The fake wraps everything at the new width, as a reflowing terminal rewraps the old
    // 72-character bar onto two rows: the bar must go back up one row to erase it.
    expect(term.out).toContain('\r\x1b[1A\x1b[J');
    expect(term.screen()).toEqual(['12/30 ok 10 failed 2 running 2 ETA']);
  });

  it('shows the state instead of the ETA once the run is stopping', () => {
    const term = new FakeTerminal(100);
    const bar = progressBar(term);
    bar.stateChanged?.('stopping', 'SIGINT received: finishing the running calcs');
    bar.status?.(snapshot(12, 2, 'stopping')); // within 100 ms of the last draw: deferred
    vi.advanceTimersByTime(100);
    expect(term.screen()).toEqual([
      'stopping: SIGINT received: finishing the running calcs',
      '[############------------------] stopping 12/30 ok 10 failed 2 running 0',
    ]);
  });

  it('prints control characters of a failure message as spaces', () => {
    const term = new FakeTerminal(100);
    progressBar(term).calcFinished?.(failedEvent(3, 'progress 10%\rdone\x1b[31m'));
    expect(term.out).toContain('[3/30] calc-3 FAILED exit_nonzero: progress 10% done [31m\n');
  });

  it('draws the last state on close, ends the line once and writes nothing after', () => {
    const term = new FakeTerminal(100);
    const bar = progressBar(term);
    bar.status?.(snapshot(29, 4));
    bar.status?.(snapshot(30, 4, 'complete')); // throttled: would draw 100 ms later
    bar.close();
    bar.close();
    expect(term.out.endsWith('complete 30/30 ok 26 failed 4 running 0\n')).toBe(true);
    const closed = term.out;
    vi.advanceTimersByTime(500);
    bar.status?.(snapshot(30, 4, 'complete'));
    bar.calcFinished?.(failedEvent(7));
    term.resize(50);
    expect(term.out).toBe(closed);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('writes nothing on close when no bar was drawn', () => {
    const term = new FakeTerminal(100);
    progressBar(term).close();
    expect(term.out).toBe('');
  });
});
