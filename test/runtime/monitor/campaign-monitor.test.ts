import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { calcWorkdir } from '../../../src/core/campaign-layout.js';
import type { Campaign } from '../../../src/runtime/campaign.js';
import { CampaignMonitor } from '../../../src/runtime/monitor/campaign-monitor.js';
import { addCalcs, seedCampaign } from '../../helpers/seed-campaign.js';
import { tempDir } from '../../helpers/temp-dir.js';

let tmp: ReturnType<typeof tempDir>;
let writer: Campaign;
let monitor: CampaignMonitor;

beforeEach(() => {
  tmp = tempDir();
  writer = seedCampaign(tmp.dir, [
    { key: 'k1', program: 'xtb', state: 'succeeded' },
    { key: 'k2', program: 'xtb', state: 'failed' },
    { key: 'k3', program: 'xtb', state: 'queued' },
  ]);
  monitor = CampaignMonitor.open(tmp.dir);
});

afterEach(() => {
  monitor.close();
  writer.close();
  tmp.remove();
});

describe('a campaign monitor', () => {
  it('shows the store as `retort status` counts it, with no runner alive and no run yet', () => {
    const s = monitor.snapshot();
    expect(s.counts).toMatchObject({ succeeded: 1, failed: 1, queued: 1 });
    expect(s.runner).toEqual({ alive: false, pid: null });
    expect(s.run).toBeUndefined();
    expect(s.executors.map((e) => e.executor)).toEqual(['local']);
    expect(s.completions).toHaveLength(30);
    expect(s.completions.at(-1)).toBe(2);
  });

  it('queries the store again only after another process committed', () => {
    const first = monitor.snapshot();
    const same = monitor.snapshot();
    expect(same.storeVersion).toBe(first.storeVersion);
    addCalcs(writer, [{ key: 'k4', program: 'mopac', state: 'succeeded' }]);
    const after = monitor.snapshot();
    expect(after.storeVersion).toBeGreaterThan(first.storeVersion);
    expect(after.counts.succeeded).toBe(2);
  });

  it('takes no lock and writes nothing while it watches', () => {
    monitor.snapshot();
    expect(existsSync(writer.paths.lock)).toBe(false);
    expect(existsSync(writer.paths.status)).toBe(false);
  });

  it('opens a calc with its attempts and the tails of its stdout and stderr', () => {
    const dir = calcWorkdir(writer.paths, 'k2');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'stdout'),
      Array.from({ length: 50 }, (_, i) => `line ${i + 1}`).join('\n'),
    );
    const detail = monitor.calcDetail('k2', 3);
    expect(detail?.calc.status).toBe('failed');
    expect(detail?.attempts.map((a) => a.status)).toEqual(['failed']);
    expect(detail?.stdoutTail).toBe('line 48\nline 49\nline 50');
    expect(detail?.stderrTail).toBe('');
    expect(monitor.calcDetail('nope')).toBeUndefined();
  });
});
