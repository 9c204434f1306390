import { afterEach, describe, expect, it } from 'vitest';
import { WorkflowBrowser } from '../../../src/pipelines/workflow/workflow-browse.js';
import { cleanupTempDirs, tempCampaign } from '../../helpers/cli.js';
import { ranDiamond } from '../../cli/tui/views/workflow-fixture.js';

afterEach(async () => {
  expect(await cleanupTempDirs()).toEqual([]);
});

describe('the workflow browser', () => {
  it('reads every instance × step of a real run as retort workflow status reports it', () => {
    const { dir, status } = ranDiamond();
    const browser = WorkflowBrowser.open(dir);
    try {
      const [board, ...others] = browser.boards();
      expect(others).toEqual([]);
      expect(board?.name).toBe('diamond');
      expect(board?.steps.map((s) => `${s.name}<${s.needs.join(',')}`)).toEqual([
        'a<',
        'b<a',
        'c<a',
        'd<b,c',
      ]);
      expect(board?.instances.map((i) => i.instance)).toEqual(status.map((s) => s.instance));
      for (const [i, row] of (board?.instances ?? []).entries()) {
        const want = status[i];
        expect(row.status).toBe(want?.status);
        // Drawn states: a success from the store is cached, not_run is pending.
        const drawn = ['a', 'b', 'c', 'd'].map((step) => {
          const s = want?.steps[step];
          if (s?.state === 'succeeded') return s.cached ? 'cached' : 'succeeded';
          return s?.state === 'not_run' ? 'pending' : s?.state;
        });
        expect(row.states).toEqual(drawn);
        expect(row.records.a?.key).toBe(want?.steps.a?.key);
      }
      // The diamond holds each kind of outcome once at least.
      const all = board?.instances.flatMap((i) => i.states) ?? [];
      for (const state of ['succeeded', 'cached', 'failed', 'skipped']) {
        expect(all).toContain(state);
      }
    } finally {
      browser.close();
    }
  });

  it('finds no workflow in a campaign that ran none', () => {
    const dir = tempCampaign();
    const browser = WorkflowBrowser.open(dir);
    expect(browser.boards()).toEqual([]);
    browser.close();
  });
});
