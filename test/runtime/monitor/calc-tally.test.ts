import { describe, expect, it } from 'vitest';
import type { CalcState } from '../../../src/store/campaign-browse.js';
import { CalcTally } from '../../../src/runtime/monitor/calc-tally.js';

const at = (iso: string): number => Date.parse(iso);

/** A store of rows read as campaign-browse's calcStatesSince reads them. */
function store(rows: CalcState[]) {
  return (since: string): CalcState[] => rows.filter((r) => since === '' || r.updatedAt >= since);
}

const row = (key: string, status: CalcState['status'], updatedAt: string): CalcState => ({
  key,
  status,
  updatedAt,
  executor: 'local',
  jobId: null,
});

describe('a calc tally', () => {
  it('counts a row seen again once, by its latest status', () => {
    const tally = new CalcTally(
      () => new Map(),
      () => at('2026-12-03T12:00:10Z'),
    );
    tally.apply([row('a', 'queued', '2026-12-03T12:00:00.000Z')]);
    tally.apply([row('a', 'succeeded', '2026-12-03T12:00:01.000Z')]);
    expect(tally.counts()).toMatchObject({ queued: 0, succeeded: 1 });
  });

  it('reads from a little before the latest change it saw', () => {
    const tally = new CalcTally(
      () => new Map(),
      () => at('2026-12-03T12:01:00Z'),
    );
    tally.apply([row('a', 'queued', '2026-12-03T12:00:30.000Z')]);
    expect(tally.since()).toBe('2026-12-03T12:00:25.000Z');
  });

  it('still sees the calcs changed after the clock was set back below the latest change', () => {
    let clock = at('2026-12-03T13:00:00Z');
    const rows: CalcState[] = [row('a', 'queued', '2026-12-03T12:59:59.000Z')];
    const read = store(rows);
    const tally = new CalcTally(
      () => new Map(),
      () => clock,
    );
    tally.apply(read(tally.since()));
    // the clock steps back an hour; the runner then finishes calc a and queues b
    clock = at('2026-12-03T12:00:02Z');
    rows[0] = row('a', 'succeeded', '2026-12-03T12:00:00.000Z');
    rows.push(row('b', 'queued', '2026-12-03T12:00:01.000Z'));
    tally.apply(read(tally.since()));
    expect(tally.counts()).toMatchObject({ queued: 1, succeeded: 1 });
  });
});
