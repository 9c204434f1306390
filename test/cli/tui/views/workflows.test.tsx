import { stripVTControlCharacters } from 'node:util';
import { cleanup, render } from 'ink-testing-library';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../../../src/cli/tui/app.js';
import { STEP_MARKS } from '../../../../src/cli/tui/step-states.js';
import { CampaignMonitor } from '../../../../src/runtime/monitor/campaign-monitor.js';
import { cleanupTempDirs } from '../../../helpers/cli.js';
import { KEY, press, tuiFixture, until, type TuiFixture } from '../tui-fixture.js';
import { ranDiamond, type InstanceStatus } from './workflow-fixture.js';

// One real run of the diamond workflow (two `retort workflow run`s) for every test: read-only.
let dir: string;
let status: InstanceStatus[];
beforeAll(() => {
  ({ dir, status } = ranDiamond());
  return async () => {
    expect(await cleanupTempDirs()).toEqual([]);
  };
});

let monitor: CampaignMonitor | undefined;
let f: TuiFixture | undefined;
afterEach(() => {
  cleanup();
  monitor?.close();
  f?.close();
});

function open(view: 'Overview' | 'Workflows' = 'Workflows') {
  monitor = CampaignMonitor.open(dir);
  // The fixture's recording actions; its own campaign is not looked at.
  f = tuiFixture();
  return render(
    <App monitor={monitor} actions={f.actions} refreshMs={10_000} initialView={view} />,
  );
}

/** The marks of an instance's steps as retort workflow status --json gives its states. */
function marks(instance: InstanceStatus): string {
  return ['a', 'b', 'c', 'd']
    .map((step) => {
      const s = instance.steps[step];
      const state =
        s?.state === 'succeeded' ? (s.cached ? 'cached' : 'succeeded') : (s?.state ?? 'pending');
      const m = STEP_MARKS[state as keyof typeof STEP_MARKS];
      return `${m.mark} ${m.word}`;
    })
    .join(' ');
}

const squeeze = (line: string): string => line.replace(/\s+/g, ' ').trim();

describe('the workflows view', () => {
  it('shows each instance × step in the state retort workflow status reports', async () => {
    const ui = open('Overview');
    await press(ui, '6');
    await until(() => {
      expect(ui.lastFrame()).toContain('Workflow diamond · 3 instances · 4 steps · filter: all');
    });
    const lines = stripVTControlCharacters(ui.lastFrame() ?? '')
      .split('\n')
      .map(squeeze);
    expect(lines).toContain('instance status a b c d');
    for (const instance of status) {
      expect(lines).toContain(`${instance.instance} ${instance.status} ${marks(instance)}`);
    }
    // Each kind of outcome is in the grid (the fixture is built so).
    for (const word of ['✓ ok', '◆ cached', '✗ failed', '– skipped']) {
      expect(ui.lastFrame()).toContain(word);
    }
  });

  it('filters the instances by step state with f', async () => {
    const ui = open();
    await until(() => {
      expect(ui.lastFrame()).toContain('filter: all');
    });
    await press(ui, 'f');
    await until(() => {
      expect(ui.lastFrame()).toContain('filter: failed (1)');
    });
    const frame = ui.lastFrame() ?? '';
    expect(frame).toMatch(/n=3 +Rerun/);
    expect(frame).not.toMatch(/n=1 +OK/);
    await press(ui, 'f', 'f', 'f');
    await until(() => {
      expect(ui.lastFrame()).toContain('filter: skipped (1)');
    });
    expect(ui.lastFrame()).toMatch(/n=1 +OK/);
  });

  it('opens an instance’s DAG on Enter, and a step’s calc from there', async () => {
    const ui = open();
    await until(() => {
      expect(ui.lastFrame()).toContain('filter: all');
    });
    await press(ui, KEY.down, KEY.down, KEY.enter);
    await until(() => {
      expect(ui.lastFrame()).toContain('diamond / n=3 Rerun');
    });
    const lines = stripVTControlCharacters(ui.lastFrame() ?? '').split('\n');
    const failed = status[2];
    // The outline: a, then b and c one layer in, then d two layers in; each with its needs.
    expect(
      lines.some((l) => /^ {2}✗ a +failed +command run +sh exited with status 1/.test(l)),
    ).toBe(true);
    expect(lines.some((l) => /^ {4}✗ b ← a +failed .*needs a, which failed/.test(l))).toBe(true);
    expect(lines.some((l) => /^ {4}✗ c ← a +failed/.test(l))).toBe(true);
    expect(lines.some((l) => /^ {6}✗ d ← b, c +failed/.test(l))).toBe(true);
    // The selected step in full; the second run answered a's failure from the store.
    expect(failed?.steps.a?.cached).toBe(true);
    expect(lines.join(' ')).toContain(
      `a: calc ${failed?.steps.a?.key ?? 'no key'} (from the store) · exit_nonzero · sh exited`,
    );
    await press(ui, KEY.down);
    await until(() => {
      expect(ui.lastFrame()).toContain('b: no calc · dependency_failed · needs a, which failed');
    });
    await press(ui, KEY.up);
    await press(ui, KEY.enter);
    await until(() => {
      expect(ui.lastFrame()).toContain(`Calc ${failed?.steps.a?.key ?? 'no key'} failed`);
    });
    await press(ui, KEY.escape);
    await until(() => {
      expect(ui.lastFrame()).toContain('diamond / n=3');
    });
    await press(ui, KEY.escape);
    await until(() => {
      expect(ui.lastFrame()).toContain('filter: all');
    });
  });
});
