import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CPU_BUDGET,
  MAX_REFRESH_MS,
  nextDelay,
  sameView,
} from '../../../src/cli/tui/use-snapshot.js';
import { runCli } from '../../helpers/cli.js';
import { addCalcs } from '../../helpers/seed-campaign.js';
import { tuiFixture, type TuiFixture } from './tui-fixture.js';

let f: TuiFixture;
beforeEach(() => {
  f = tuiFixture();
});
afterEach(() => {
  f.close();
});

describe('the refresh of the terminal UI', () => {
  it('takes a snapshot of an unchanged campaign as the same view, and a changed one as new', () => {
    const first = f.monitor.snapshot();
    const again = f.monitor.snapshot(new Date(Date.now() + 500));
    expect(again.at).not.toBe(first.at);
    expect(sameView(first, again)).toBe(true);
    addCalcs(f.campaign, [{ key: 'k9', program: 'xtb', state: 'succeeded' }]);
    const changed = f.monitor.snapshot();
    expect(sameView(again, changed)).toBe(false);
    expect(sameView(changed, { ...changed, stopRequested: true })).toBe(false);
    expect(sameView(changed, { ...changed, runner: { alive: true, pid: 42 } })).toBe(false);
  });

  it('waits the interval asked while it costs little, longer as it costs more, up to a limit', () => {
    expect(nextDelay(200, 1)).toBe(200);
    // 20 ms of CPU per refresh within a 2 % budget: one refresh a second.
    expect(CPU_BUDGET).toBe(0.02);
    expect(nextDelay(200, 20)).toBe(1000);
    expect(nextDelay(200, 1000)).toBe(MAX_REFRESH_MS);
    // An interval asked longer than the limit is kept.
    expect(nextDelay(10_000, 1000)).toBe(10_000);
  });

  it('refuses a priority outside 0–19 in one line', () => {
    const r = runCli(['tui', '--nice', '25'], { cwd: f.campaign.paths.root });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('retort: --nice: expected a whole number from 0 to 19, got 25\n');
  });
});
