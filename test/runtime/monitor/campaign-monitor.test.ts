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

  it('keeps its counts per status and per executor equal to the store as calcs change', () => {
    const same = (): void => {
      const s = monitor.snapshot();
      expect(s.counts).toEqual(writer.calcs.counts());
      expect(s.executors).toEqual(writer.calcs.byExecutor());
    };
    same();
    const at = new Date().toISOString();
    const n = writer.calcs.submit('k3', {
      runId: 'seed',
      executor: 'slurm:dev',
      workdir: '/nonexistent/k3',
      argv: ['true'],
      env: {},
      inputs: {},
      resources: { cores: 1, walltime_s: 60 },
      submittedAt: at,
    });
    writer.calcs.started('k3', n, { job_id: '1234' }, at);
    same();
    expect(monitor.snapshot().executors.find((e) => e.executor === 'slurm:dev')?.job_ids).toEqual([
      '1234',
    ]);
    const end = { endedAt: at, startedAt: at, exitCode: 0, signal: null, programVersion: '1' };
    writer.calcs.succeeded('k3', n, { energy: -1 }, end);
    addCalcs(writer, [
      { key: 'k5', program: 'mopac', state: 'running', executor: 'ssh:box' },
      { key: 'k6', program: 'mopac', state: 'queued' },
    ]);
    same();
    expect(monitor.snapshot().counts).toMatchObject({ succeeded: 2, running: 1, queued: 1 });
  });

  it('filters a page by text in the key, label, program or method, case-insensitively', () => {
    addCalcs(writer, [
      { key: 'k7', program: 'mopac', method: 'PM7', label: 'Benzene', state: 'failed' },
      { key: 'k8', program: 'psi4', method: 'B3LYP', label: 'water', state: 'queued' },
    ]);
    const page = (text: string, statuses: ('queued' | 'failed')[] = []) =>
      monitor.calcPage({ statuses, text, sort: 'label', offset: 0, limit: 10 });
    expect(page('BENZ').rows.map((r) => r.key)).toEqual(['k7']);
    expect(page('b3lyp')).toMatchObject({ total: 1, rows: [{ key: 'k8', method: 'B3LYP' }] });
    expect(page('k').total).toBe(5);
    expect(page('xtb', ['queued']).rows.map((r) => r.key)).toEqual(['k3']);
    expect(page('nothing like it').total).toBe(0);
    expect(page('', ['queued', 'failed']).total).toBe(4);
    expect(page('').total).toBe(5);
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
