import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { calcWorkdir } from '../../../src/core/campaign-layout.js';
import type { CalcSpec, JsonValue } from '../../../src/core/calc-spec.js';
import { LocalExecutor } from '../../../src/executors/local/local-executor.js';
import { initCampaign, openCampaign, type Campaign } from '../../../src/runtime/campaign.js';
import { Runner } from '../../../src/runtime/runner/runner.js';
import { hasProgram } from '../../helpers/run-job-directly.js';
import { tempDir } from '../../helpers/temp-dir.js';

let tmp: ReturnType<typeof tempDir>;
let campaign: Campaign;

beforeEach(() => {
  tmp = tempDir();
  initCampaign(join(tmp.dir, 'c'));
  campaign = openCampaign(join(tmp.dir, 'c'));
});

afterEach(() => {
  campaign.close();
  tmp.remove();
});

const HALF = 5.43 / 2;

/** A qe calc of primitive silicon at the fixtures' small settings. */
function si(task: string, options: Readonly<Record<string, JsonValue>> = {}): CalcSpec {
  return {
    program: 'qe',
    task,
    structure: {
      lattice_angstrom: [
        [0, HALF, HALF],
        [HALF, 0, HALF],
        [HALF, HALF, 0],
      ],
      sites: [
        { element: 'Si', fractional: [0, 0, 0] },
        { element: 'Si', fractional: [0.25, 0.25, 0.25] },
      ],
    },
    options: { ecutwfc: 12, ...options },
    resources: { cores: 1, walltime_s: 300 },
  };
}

function start(programs: Readonly<Record<string, string>> = {}): Promise<Runner> {
  return Runner.start({
    campaign,
    executor: new LocalExecutor({ slots: 1, killGraceMs: 300 }),
    workers: 1,
    command: ['retort', 'test'],
    failureThreshold: 0,
    retries: 0,
    retryFailed: false,
    programs,
  });
}

const hasPw = hasProgram('pw.x');

describe('parent inputs', () => {
  it('fails a calc whose parent failed as input_error, without starting its program', async () => {
    const runner = await start({ 'pw.x': '/bin/false' });
    const scf = await runner.request(si('scf', { kpoints: [4, 4, 4] }));
    expect(scf.status).toBe('failed');
    const bands = await runner.request(si('bands', { parent: scf.key }));
    await runner.finish();
    expect(bands).toMatchObject({ status: 'failed' });
    if (bands.status !== 'failed') return;
    expect(bands.failure.class).toBe('input_error');
    expect(bands.failure.message).toBe(
      `parent calc ${scf.key.slice(0, 12)} has no successful result (it is failed: crash)`,
    );
    expect(campaign.calcs.latestAttempt(bands.key)?.startedAt).toBeNull();
  });

  it.skipIf(!hasPw)(
    "fails a calc whose parent's directory lacks the path as input_error (live pw.x)",
    async () => {
      const runner = await start();
      const scf = await runner.request(si('scf', { kpoints: [4, 4, 4] }));
      expect(scf.status).toBe('succeeded');
      const out = join(calcWorkdir(campaign.paths, scf.key), 'out');
      rmSync(out, { recursive: true });
      const bands = await runner.request(si('bands', { parent: scf.key, kpath_density: 5 }));
      await runner.finish();
      expect(bands.status === 'failed' ? bands.failure : undefined).toEqual({
        class: 'input_error',
        message: `parent calc ${scf.key.slice(0, 12)} succeeded but its directory has no out (${out}) to copy`,
      });
    },
    120_000,
  );
});
