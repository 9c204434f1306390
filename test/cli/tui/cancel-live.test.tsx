import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { campaignActions } from '../../../src/cli/tui/actions.js';
import { App } from '../../../src/cli/tui/app.js';
import { CampaignMonitor } from '../../../src/runtime/monitor/campaign-monitor.js';
import {
  RETORT_BIN,
  cleanupTempDirs,
  commandLines,
  liveProcessesMatching,
  startCli,
  tempCampaign,
  waitFor,
  withStore,
} from '../../helpers/cli.js';
import { KEY, press, until } from './tui-fixture.js';

afterEach(async () => {
  cleanup();
  expect(await cleanupTempDirs()).toEqual([]);
});

describe('cancelling a calc from the terminal UI', () => {
  it('kills the running calc shown after x and y; the other calcs of the run finish', async () => {
    const dir = tempCampaign();
    const marker = `tui-cancel-${process.pid}-${Date.now()}`;
    writeFileSync(
      join(dir, 'calcs.jsonl'),
      commandLines(
        [
          ['long', 300],
          ['a', 1],
          ['b', 1],
        ].map(([label, s]) => ({
          label: String(label),
          argv: ['sh', '-c', `sleep ${String(s)}; echo done`, marker, String(label)],
          walltime_s: 600,
        })),
      ),
    );
    const run = startCli(['run', 'calcs.jsonl', '--workers', '2', '--headless'], { cwd: dir });
    const statusOf = (label: string): string | undefined =>
      withStore(
        dir,
        (db) =>
          db
            .prepare(
              "SELECT status || ' ' || COALESCE(failure_class, '') FROM calcs WHERE label = ?",
            )
            .pluck()
            .get(label) as string | undefined,
      )?.trim();
    await waitFor('the long calc to run', () =>
      statusOf('long') === 'running' ? true : undefined,
    );
    const monitor = CampaignMonitor.open(dir);
    try {
      const ui = render(
        <App
          monitor={monitor}
          actions={campaignActions(dir, RETORT_BIN)}
          refreshMs={200}
          initialView="Calcs"
        />,
      );
      // Sorted by label: a, b, long.
      await press(ui, 's', 's', 's', KEY.down, KEY.down, KEY.enter);
      await until(() => {
        expect(ui.lastFrame()).toMatch(/Calc [0-9a-f]{64} running · long/);
      });
      await press(ui, 'x', 'y');
      await until(() => {
        expect(ui.lastFrame()).toContain(`long: cancel requested; runner pid ${run.pid} kills it`);
      });
      const done = await run.exit;
      expect(done.status).toBe(1);
      await until(() => {
        expect(ui.lastFrame()).toContain('cancelled: cancelled by the user (retort cancel)');
      });
      ui.unmount();
    } finally {
      monitor.close();
    }
    expect(['long', 'a', 'b'].map(statusOf)).toEqual([
      'failed cancelled',
      'succeeded',
      'succeeded',
    ]);
    expect(liveProcessesMatching(marker)).toEqual([]);
  }, 120_000);
});
