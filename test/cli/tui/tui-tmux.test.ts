import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupTempDirs,
  RETORT_BIN,
  readStatusJson,
  runCli,
  startCli,
  tempCampaign,
  waitFor,
} from '../../helpers/cli.js';
import { hasProgram } from '../../helpers/run-job-directly.js';
import { ranDiamond } from './views/workflow-fixture.js';

// The whole terminal UI in a real terminal (tmux) against a live run of real calcs: what it
// shows equals `retort status --json`, and a stop typed in it ends the run gracefully.

const SESSION = `retort-tui-${process.pid}`;
const tmux = (...args: string[]): string => execFileSync('tmux', args, { encoding: 'utf8' });
const pane = (): string => tmux('capture-pane', '-p', '-t', SESSION);

afterEach(async () => {
  spawnSync('tmux', ['kill-session', '-t', SESSION]);
  expect(await cleanupTempDirs()).toEqual([]);
});

describe.skipIf(!hasProgram('tmux'))('retort tui in a terminal', () => {
  it('shows the live run as retort status does, and stops it gracefully from the keyboard', async () => {
    const dir = tempCampaign();
    // Eight calcs of 2 s, one at a time: the run lasts long enough to be watched and stopped.
    const lines = Array.from({ length: 8 }, (_, i) =>
      JSON.stringify({
        program: 'command',
        argv: ['sleep', '2'],
        label: `nap-${i}`,
        files: { 'n.txt': String(i) },
      }),
    );
    writeFileSync(join(dir, 'calcs.jsonl'), `${lines.join('\n')}\n`);
    const run = startCli(['run', 'calcs.jsonl', '--workers', '1', '--headless'], { cwd: dir });
    await waitFor('the run to start a calc', () =>
      (readStatusJson(dir)?.totals.running ?? 0) > 0 ? true : undefined,
    );
    tmux(
      'new-session',
      '-d',
      '-s',
      SESSION,
      '-x',
      '110',
      '-y',
      '30',
      process.execPath,
      RETORT_BIN,
      '--campaign',
      dir,
      'tui',
      '--refresh',
      '200',
    );
    await waitFor('the UI to show the live runner', () =>
      pane().includes(`runner pid ${run.pid}`) ? true : undefined,
    );
    expect(pane()).toContain('running');

    tmux('send-keys', '-t', SESSION, 'S');
    await waitFor('the stop question', () => (pane().includes('[y/N]') ? true : undefined));
    tmux('send-keys', '-t', SESSION, 'y');
    const ended = await run.exit;
    expect(ended.status).toBe(1);
    expect(readStatusJson(dir)?.state).toBe('stopped');

    // The run is over: the store no longer moves, so the UI must show exactly its counts.
    const status = JSON.parse(runCli(['status', '--json'], { cwd: dir }).stdout) as {
      store: Record<string, number>;
    };
    const expected = `Store ${status.store.succeeded} succeeded · ${status.store.failed} failed · ${status.store.queued} queued · 0 in flight`;
    await waitFor('the UI to show the final counts', () =>
      pane().includes(expected) && pane().includes('stopped') ? true : undefined,
    );
    expect(status.store.succeeded).toBeGreaterThan(0);
    expect(status.store.queued).toBeGreaterThan(0);

    tmux('send-keys', '-t', SESSION, '2');
    await waitFor('the calcs view', () => (pane().includes('Calcs 1–') ? true : undefined));
    expect(pane()).toMatch(/of 8/);
    tmux('send-keys', '-t', SESSION, 'q');
    await waitFor('the UI to quit', () =>
      spawnSync('tmux', ['has-session', '-t', SESSION]).status !== 0 ? true : undefined,
    );
  });

  it('shows a workflow run at 80×24 with the counts retort workflow status gives', async () => {
    const { dir, status } = ranDiamond();
    tmux(
      'new-session',
      '-d',
      '-s',
      SESSION,
      '-x',
      '80',
      '-y',
      '24',
      process.execPath,
      RETORT_BIN,
      '--campaign',
      dir,
      'tui',
    );
    await waitFor('the UI', () => (pane().includes('7 Templates') ? true : undefined));
    tmux('send-keys', '-t', SESSION, '6');
    await waitFor('the workflows view', () =>
      pane().includes(`Workflow diamond · ${status.length} instances · 4 steps`) ? true : undefined,
    );
    tmux('send-keys', '-t', SESSION, 'f');
    const failed = status.filter((i) => Object.values(i.steps).some((s) => s.state === 'failed'));
    await waitFor('the failed filter', () =>
      pane().includes(`filter: failed (${failed.length})`) ? true : undefined,
    );
    tmux('send-keys', '-t', SESSION, 'q');
    await waitFor('the UI to quit', () =>
      spawnSync('tmux', ['has-session', '-t', SESSION]).status !== 0 ? true : undefined,
    );
  });
});
