import { cleanup, render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../../../src/cli/tui/app.js';
import { KEY, press, tuiFixture, until, type TuiFixture } from './tui-fixture.js';

let f: TuiFixture;
beforeEach(() => {
  f = tuiFixture();
});
afterEach(() => {
  cleanup();
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
    await until(() => {
      expect(ui.lastFrame()).toContain('Calcs 1–4 of 4');
    });
    ui.stdin.write(KEY.tab);
    await until(() => {
      expect(ui.lastFrame()).toContain('Batches (0)');
    });
    ui.stdin.write('4');
    await until(() => {
      expect(ui.lastFrame()).toContain('this machine');
    });
    ui.stdin.write('5');
    await until(() => {
      expect(ui.lastFrame()).toContain('No run log yet');
    });
    ui.unmount();
  });

  it('shows the keys on ? and closes the help on any key', async () => {
    const ui = open();
    ui.stdin.write('?');
    await until(() => {
      expect(ui.lastFrame()).toContain('stop gracefully');
    });
    ui.stdin.write('x');
    await until(() => {
      expect(ui.lastFrame()).not.toContain('stop gracefully');
    });
    ui.unmount();
  });

  it('stops the run gracefully only after y, and not after n', async () => {
    const ui = open();
    ui.stdin.write('S');
    await until(() => {
      expect(ui.lastFrame()).toContain('Stop the run gracefully');
    });
    expect(f.actions.calls).toEqual([]);
    ui.stdin.write('y');
    await until(() => {
      expect(f.actions.calls).toEqual(['stop drain']);
    });
    await until(() => {
      expect(ui.lastFrame()).toContain('stop drain asked');
    });
    ui.stdin.write('K');
    await until(() => {
      expect(ui.lastFrame()).toContain('Stop NOW');
    });
    ui.stdin.write('n');
    await until(() => {
      expect(f.actions.calls).toEqual(['stop drain']);
    });
    await until(() => {
      expect(ui.lastFrame()).toContain('cancelled');
    });
    ui.unmount();
  });

  it('starts the last run again, or again with --retry-failed', async () => {
    const ui = open();
    ui.stdin.write('R');
    await until(() => {
      expect(ui.lastFrame()).toContain('Start the last run again');
    });
    ui.stdin.write('y');
    await until(() => {
      expect(f.actions.calls).toEqual(['relaunch run-1']);
    });
    ui.stdin.write('F');
    await until(() => {
      expect(ui.lastFrame()).toContain('again with --retry-failed');
    });
    ui.stdin.write('y');
    await until(() => {
      expect(f.actions.calls).toEqual(['relaunch run-1', 'relaunch run-1 --retry-failed']);
    });
    ui.unmount();
  });
});

describe('the calcs view', () => {
  it('filters by state with f and by text with /, and opens a calc with Enter', async () => {
    const ui = open('Calcs');
    expect(ui.lastFrame()).toContain('benzene');
    ui.stdin.write('f');
    await until(() => {
      expect(ui.lastFrame()).toContain('state: running+submitted');
    });
    let frame = ui.lastFrame() ?? '';
    expect(frame).toContain('water');
    expect(frame).not.toContain('benzene');
    ui.stdin.write('f');
    await until(() => {
      expect(ui.lastFrame()).toContain('benzene');
    });
    expect(ui.lastFrame()).not.toContain('water');
    // Back to all states, then the text filter (keys one at a time, as typed).
    // Case-insensitive: 'NOL' finds ethanol ('ethan' would find methane too).
    await press(ui, 'f', 'f', 'f', '/', 'N', 'O', 'L', KEY.enter);
    await until(() => {
      expect(ui.lastFrame()).toContain('1–1 of 1');
    });
    frame = ui.lastFrame() ?? '';
    expect(frame).toContain('ethanol');
    ui.stdin.write(KEY.enter);
    await until(() => {
      expect(ui.lastFrame()).toContain('Calc k1 succeeded');
    });
    frame = ui.lastFrame() ?? '';
    expect(frame).toContain('#1 succeeded local');
    expect(frame).toContain('energy=-1.5');
    ui.stdin.write(KEY.escape);
    await until(() => {
      expect(ui.lastFrame()).toContain('1–1 of 1');
    });
    ui.unmount();
  });
});

describe('the calc detail', () => {
  it('cancels the calc shown with x only after y, and offers no cancel for a finished calc', async () => {
    const ui = open('Calcs');
    // Sorted by label: benzene, ethanol, methane (queued), water (running).
    await press(ui, 's', 's', 's', KEY.down, KEY.down, KEY.down, KEY.enter);
    await until(() => {
      expect(ui.lastFrame()).toContain('Calc k3 running');
    });
    expect(ui.lastFrame()).toContain('x cancel this calc');
    await press(ui, 'x');
    await until(() => {
      expect(ui.lastFrame()).toContain('Cancel water');
    });
    await press(ui, 'n');
    expect(f.actions.calls).toEqual([]);
    await press(ui, 'x', 'y');
    await until(() => {
      expect(ui.lastFrame()).toContain('cancel k3 asked');
    });
    expect(f.actions.calls).toEqual(['cancel k3']);
    await press(ui, KEY.escape, KEY.up, KEY.up, KEY.up, KEY.enter);
    await until(() => {
      expect(ui.lastFrame()).toContain('Calc k2 failed');
    });
    expect(ui.lastFrame()).not.toContain('x cancel');
    await press(ui, 'x');
    expect(ui.lastFrame()).not.toContain('Cancel benzene');
    expect(f.actions.calls).toEqual(['cancel k3']);
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
