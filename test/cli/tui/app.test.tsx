import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../../../src/cli/tui/app.js';
import { KEY, settle, tuiFixture, type TuiFixture } from './tui-fixture.js';

let f: TuiFixture;
beforeEach(() => {
  f = tuiFixture();
});
afterEach(() => {
  f.close();
});

const open = (view?: 'Overview' | 'Calcs' | 'Batches' | 'Hosts' | 'Logs') =>
  render(<App monitor={f.monitor} actions={f.actions} refreshMs={10_000} initialView={view} />);

describe('the terminal UI', () => {
  it('opens on the overview: the run, its totals and the store as status counts them', () => {
    const ui = open();
    const frame = ui.lastFrame() ?? '';
    expect(frame).toContain('run-1');
    expect(frame).toContain('2/4 50%');
    expect(frame).toContain('1 succeeded');
    expect(frame).toContain('1 failed');
    // The runner of status.json (pid 999999) is not alive: the UI says the run was interrupted.
    expect(frame).toContain('runner gone');
    expect(frame).toContain('crash benzene (mopac): it broke');
    ui.unmount();
  });

  it('switches views with the digit keys and Tab', async () => {
    const ui = open();
    ui.stdin.write('2');
    await settle();
    expect(ui.lastFrame()).toContain('Calcs 1–4 of 4');
    ui.stdin.write(KEY.tab);
    await settle();
    expect(ui.lastFrame()).toContain('Batches (0)');
    ui.stdin.write('4');
    await settle();
    expect(ui.lastFrame()).toContain('this machine');
    ui.stdin.write('5');
    await settle();
    expect(ui.lastFrame()).toContain('No run log yet');
    ui.unmount();
  });

  it('shows the keys on ? and closes the help on any key', async () => {
    const ui = open();
    ui.stdin.write('?');
    await settle();
    expect(ui.lastFrame()).toContain('stop gracefully');
    ui.stdin.write('x');
    await settle();
    expect(ui.lastFrame()).not.toContain('stop gracefully');
    ui.unmount();
  });

  it('stops the run gracefully only after y, and not after n', async () => {
    const ui = open();
    ui.stdin.write('S');
    await settle();
    expect(ui.lastFrame()).toContain('Stop the run gracefully');
    expect(f.actions.calls).toEqual([]);
    ui.stdin.write('y');
    await settle();
    expect(f.actions.calls).toEqual(['stop drain']);
    expect(ui.lastFrame()).toContain('stop drain asked');
    ui.stdin.write('K');
    await settle();
    ui.stdin.write('n');
    await settle();
    expect(f.actions.calls).toEqual(['stop drain']);
    expect(ui.lastFrame()).toContain('cancelled');
    ui.unmount();
  });

  it('starts the last run again, or again with --retry-failed', async () => {
    const ui = open();
    ui.stdin.write('R');
    await settle();
    ui.stdin.write('y');
    await settle();
    ui.stdin.write('F');
    await settle();
    ui.stdin.write('y');
    await settle();
    expect(f.actions.calls).toEqual(['relaunch run-1', 'relaunch run-1 --retry-failed']);
    ui.unmount();
  });
});

async function press(ui: { stdin: { write: (s: string) => void } }, ...keys: string[]) {
  for (const key of keys) {
    ui.stdin.write(key);
    await settle(30);
  }
}

describe('the calcs view', () => {
  it('filters by state with f and by text with /, and opens a calc with Enter', async () => {
    const ui = open('Calcs');
    expect(ui.lastFrame()).toContain('benzene');
    ui.stdin.write('f');
    await settle();
    let frame = ui.lastFrame() ?? '';
    expect(frame).toContain('state: running+submitted');
    expect(frame).toContain('water');
    expect(frame).not.toContain('benzene');
    ui.stdin.write('f');
    await settle();
    expect(ui.lastFrame()).toContain('benzene');
    expect(ui.lastFrame()).not.toContain('water');
    // Back to all states, then the text filter (keys one at a time, as typed).
    // Case-insensitive: 'NOL' finds ethanol ('ethan' would find methane too).
    await press(ui, 'f', 'f', 'f', '/', 'N', 'O', 'L', KEY.enter);
    frame = ui.lastFrame() ?? '';
    expect(frame).toContain('1–1 of 1');
    expect(frame).toContain('ethanol');
    ui.stdin.write(KEY.enter);
    await settle();
    frame = ui.lastFrame() ?? '';
    expect(frame).toContain('Calc k1 succeeded');
    expect(frame).toContain('#1 succeeded local');
    expect(frame).toContain('energy=-1.5');
    ui.stdin.write(KEY.escape);
    await settle();
    expect(ui.lastFrame()).toContain('1–1 of 1');
    ui.unmount();
  });
});

describe('the hosts view', () => {
  it('lists this machine with its calcs', () => {
    const ui = open('Hosts');
    const frame = ui.lastFrame() ?? '';
    expect(frame).toMatch(/local\s+this machine\s+1\s+1\s+1/);
    ui.unmount();
  });
});
