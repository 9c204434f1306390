import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalExecutor } from '../../../src/executors/local/local-executor.js';
import { runBatch, type MoleculeEvent } from '../../../src/pipelines/pm7/batch-run.js';
import { moleculesOf } from '../../../src/pipelines/pm7/molecules.js';
import { initCampaign, openCampaign, type Campaign } from '../../../src/runtime/campaign.js';
import { Runner } from '../../../src/runtime/runner/runner.js';
import { hasProgram } from '../../helpers/run-job-directly.js';
import { killAll, survivors } from '../../helpers/processes.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { BATCH, molecule } from './exports/fixture.js';

const live = hasProgram('obabel') && hasProgram('xtb') && hasProgram('mopac');

let tmp: ReturnType<typeof tempDir>;
let campaign: Campaign;
let runner: Runner | undefined;

beforeEach(() => {
  tmp = tempDir('retort-batchrun-');
  initCampaign(join(tmp.dir, 'c'));
  campaign = openCampaign(join(tmp.dir, 'c'));
});

afterEach(async () => {
  if (runner?.currentState === 'running') runner.kill('test ended');
  if (runner !== undefined) await runner.finish();
  runner = undefined;
  campaign.close();
  const left = await survivors(tmp.dir);
  killAll(left);
  tmp.remove();
  expect(left).toEqual([]);
});

async function startRunner(): Promise<Runner> {
  runner = await Runner.start({
    campaign,
    executor: new LocalExecutor({ slots: 2, killGraceMs: 300 }),
    workers: 1,
    command: ['retort', 'test'],
    failureThreshold: 0,
    retries: 0,
    retryFailed: false,
    stopPollMs: 50,
  });
  return runner;
}

/** Seconds the latest attempts of `program`'s calcs of a molecule took, in the store. */
function attemptSeconds(
  program: string,
  molId: string,
): { readonly calcs: number; readonly seconds: number } {
  const db = new Database(join(campaign.paths.root, 'retort.db'), { readonly: true });
  try {
    const rows = db
      .prepare<[string, string], { duration_s: number }>(
        `SELECT a.duration_s FROM calcs c JOIN attempts a ON a.calc_key = c.key
         WHERE c.program = ? AND c.task != 'gen3d' AND c.label LIKE ? AND a.attempt = c.attempts`,
      )
      .all(program, `${molId} %`);
    return { calcs: rows.length, seconds: rows.reduce((s, r) => s + r.duration_s, 0) };
  } finally {
    db.close();
  }
}

describe('a PM7 batch run (live)', () => {
  it.skipIf(!live)(
    'skips a molecule whose charge contradicts its SMILES and goes on; records the times the calcs used and the MOPAC status classes',
    async () => {
      const store = moleculesOf(campaign);
      store.insertMany([
        molecule('acetate', { smiles: 'CC(=O)[O-]', charge: 0, nheavy: 1 }),
        molecule('methane', { smiles: 'C', nheavy: 2, nrotbonds: 0 }),
      ]);
      const { batch } = store.createBatch({
        ...BATCH,
        settings: { crest_timeout_min: 2, mopac_timeout_min: 2, max_conformers: 1 },
      });
      const events: MoleculeEvent[] = [];
      const result = await runBatch({
        campaign,
        runner: await startRunner(),
        batch,
        workers: 1,
        crest: false,
        cores: 1,
        failureThreshold: 0,
        onMolecule: (e) => events.push(e),
        onChange: () => undefined,
      });
      expect(result).toEqual({ interrupted: false, ran: 2 });
      expect(events.map((e) => [e.mol_id, e.status])).toEqual([
        ['acetate', 'Skip'],
        ['methane', 'OK'],
      ]);

      // 1. The contradiction ends Skip at once (no retry helps), with the reason.
      const acetate = store.get('acetate');
      expect(acetate).toMatchObject({ status: 'Skip', skip_reason: 'INVALID_INPUT' });
      expect(acetate?.last_error_message).toContain(
        'the SMILES CC(=O)[O-] has formal charge -1, but charge is 0',
      );
      expect(acetate?.detail?.issues.map((i) => i.code)).toEqual(['INVALID_INPUT']);

      // 4. Times used are the attempts' durations, not the walltimes granted (2 min each).
      const methane = store.get('methane')?.detail;
      const mopac = attemptSeconds('mopac', 'methane');
      const xtb = attemptSeconds('xtb', 'methane');
      const obabel = attemptSeconds('obabel', 'methane');
      expect([mopac.calcs, obabel.calcs]).toEqual([1, 1]);
      expect(xtb.calcs).toBeGreaterThan(0);
      expect(methane?.mopac_timeout_min).toBe(2);
      expect(methane?.actual_mopac_timeout_used_min).toBeCloseTo(mopac.seconds / 60, 5);
      expect(methane?.actual_crest_timeout_used_min).toBeCloseTo(
        (xtb.seconds + obabel.seconds) / 60,
        5,
      );

      // 6. What the detail records about the MOPAC run and the choices.
      expect(methane?.conformers[0]).toMatchObject({
        mopac_status: 'SUCCESS',
        hof_confidence: 'HIGH',
        hof_extraction_method: 'FINAL_HEAT_OF_FORMATION',
        is_successful: true,
      });
      expect(methane?.decisions.map((d) => d.decision)).toContain('used_fixed_crest_timeout');
    },
    300_000,
  );
});
