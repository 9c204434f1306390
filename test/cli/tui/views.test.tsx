import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../../../src/cli/tui/app.js';
import { KEY, press, tuiFixture, until, type TuiFixture } from './tui-fixture.js';

let f: TuiFixture;
beforeEach(() => {
  f = tuiFixture();
});
afterEach(() => {
  // Unmounts what a failed test left mounted, so that no refresh reads a closed store.
  cleanup();
  f.close();
});

type Ui = ReturnType<typeof render>;
const open = (view: 'Batches' | 'Hosts' | 'Logs'): Ui =>
  render(<App monitor={f.monitor} actions={f.actions} refreshMs={50} initialView={view} />);

/** A batch of four molecules: m1 OK, m2 Skip, m3 Rerun, m4 To run. */
function addBatch(): string {
  const decode = (v: unknown): unknown => v;
  const items = f.campaign.items.of({ pipeline: 'pm7', payload: decode, result: decode });
  items.add(
    ['m1', 'm2', 'm3', 'm4'].map((id) => ({
      item_id: id,
      payload: {},
      status: 'Pending' as const,
      skip_reason: null,
    })),
  );
  const { batch } = items.createBatch(
    f.campaign.batches.of('pm7', decode),
    {
      size: 4,
      strategy: 'random',
      seed: 1,
      policy: 'partial_ok',
      max_retries: 3,
      workers: 1,
      settings: {},
    },
    () => ['m1', 'm2', 'm3', 'm4'],
  );
  for (const [id, status] of [
    ['m1', 'OK'],
    ['m2', 'Skip'],
    ['m3', 'Rerun'],
  ] as const) {
    items.setStatus(id, 'Running');
    items.setStatus(id, status, status === 'Skip' ? { skip_reason: 'RETRIES_EXHAUSTED' } : {});
  }
  return batch.batch_id;
}

describe('the batches view', () => {
  it('lists batches with their counts and opens one on Enter', async () => {
    const id = addBatch();
    const ui = open('Batches');
    await until(() => {
      expect(ui.lastFrame()).toContain('OK 1 · Rerun 1 · Skip 1 · To run 1');
    });
    await press(ui, KEY.enter);
    const frame = ui.lastFrame() ?? '';
    expect(frame).toContain(`${id} (pm7) · 4 items · 0 marked`);
    expect(frame).toContain('RETRIES_EXHAUSTED');
    ui.unmount();
  });

  it('marks the failed items with a and requeues them after y', async () => {
    addBatch();
    const ui = open('Batches');
    await until(() => {
      expect(ui.lastFrame()).toContain('OK 1');
    });
    await press(ui, KEY.enter, 'a');
    await until(() => {
      expect(ui.lastFrame()).toContain('2 marked');
    });
    await press(ui, 'r');
    await until(() => {
      expect(ui.lastFrame()).toContain('Put 2 items');
    });
    await press(ui, 'y');
    await until(() => {
      expect(f.actions.calls).toEqual(['command batch requeue m2 m3']);
    });
    ui.unmount();
  });

  it('runs the items marked with space in a new batch', async () => {
    addBatch();
    const ui = open('Batches');
    await until(() => {
      expect(ui.lastFrame()).toContain('OK 1');
    });
    await press(ui, KEY.enter, ' ', KEY.down, ' ', KEY.down, ' ', KEY.up, ' ');
    // m1 and m3 stay marked (m2 was marked and unmarked).
    expect(ui.lastFrame()).toContain('2 marked');
    await press(ui, 'n');
    await until(() => {
      expect(ui.lastFrame()).toContain('in a new batch?');
    });
    await press(ui, 'y');
    await until(() => {
      expect(f.actions.calls).toEqual([
        'command batch requeue m1 m3',
        'detached batch run --molecules m1,m3',
      ]);
    });
    ui.unmount();
  });
});

describe('the hosts view', () => {
  it('checks the selected host with c and shows its lines', async () => {
    f.close();
    f = tuiFixture(
      'hosts:\n  cluster:\n    type: ssh\n    hostname: node1\n    scratch: /scratch\n',
    );
    const ui = open('Hosts');
    await until(() => {
      expect(ui.lastFrame()).toContain('ssh:cluster');
    });
    await press(ui, KEY.down, 'c');
    await until(() => {
      expect(f.actions.calls).toEqual(['check cluster']);
    });
    await until(() => {
      expect(ui.lastFrame()).toContain('ssh reachable');
    });
    ui.unmount();
  });
});

describe('the logs view', () => {
  it('follows the newest run log', async () => {
    mkdirSync(f.campaign.paths.logs, { recursive: true });
    const log = join(f.campaign.paths.logs, 'run-2026.log');
    writeFileSync(log, Array.from({ length: 100 }, (_, i) => `event ${i + 1}`).join('\n'));
    const ui = open('Logs');
    await until(() => {
      expect(ui.lastFrame()).toContain('event 100');
    });
    expect(ui.lastFrame()).not.toContain('event 1\n');
    await press(ui, KEY.up, KEY.up);
    await until(() => {
      expect(ui.lastFrame()).toContain('2 lines back');
    });
    expect(ui.lastFrame()).not.toContain('event 100');
    await press(ui, 'F');
    await until(() => {
      expect(ui.lastFrame()).toContain('(following)');
    });
    ui.unmount();
  });
});
