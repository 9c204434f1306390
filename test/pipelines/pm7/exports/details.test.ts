import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  detailPath,
  writeAllDetails,
  writeDetail,
} from '../../../../src/pipelines/pm7/exports/details.js';
import { BATCH, detail, finishOk, finishRerun, molecule, tempCampaign } from './fixture.js';
import { moleculesOf } from '../../../../src/pipelines/pm7/molecules.js';

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

describe('details/<mol_id>.json', () => {
  it('holds the molecule, its batch, conformers, decisions, issues and grade, as pretty JSON', () => {
    const { campaign, remove } = tempCampaign();
    cleanup = remove;
    const d = detail('MOL00007', 'batch_0001', {
      issues: [{ code: 'MOPAC_TIMEOUT', message: 'conformer 2: PM7 TIMEOUT: walltime 300 s' }],
    });
    const path = writeDetail(campaign.paths, d);
    expect(path).toBe(`${campaign.paths.details}/MOL00007.json`);
    const text = readFileSync(path, 'utf8');
    expect(text).toContain('\n  "mol_id": "MOL00007",\n');
    const back = JSON.parse(text) as typeof d;
    expect(back).toEqual(d);
    expect(back.batch_id).toBe('batch_0001');
    expect(back.conformers[0]).toMatchObject({
      index: 1,
      search_status: 'OK',
      geometry_file: 'work/ab/abcdef/conf1.xyz',
      mopac_status: 'SUCCESS',
      mopac_output_file: 'work/cd/cdcd/mol.out',
      execution_time_s: 1.25,
      timeout_used_min: 12.5,
      error_message: null,
      energy_hof: -56.12345,
      hof_confidence: 'HIGH',
      hof_extraction_method: 'FINAL_HEAT_OF_FORMATION',
      is_successful: true,
    });
    expect(back.decisions).toHaveLength(1);
    expect(back.issues).toEqual([
      { code: 'MOPAC_TIMEOUT', message: 'conformer 2: PM7 TIMEOUT: walltime 300 s' },
    ]);
    expect(back.quality_grade).toBe('A');
    expect(readdirSync(campaign.paths.details)).toEqual(['MOL00007.json']);
  });

  it('keeps a mol_id with a slash inside details/', () => {
    const { campaign, remove } = tempCampaign();
    cleanup = remove;
    expect(detailPath(campaign.paths, 'a/../b')).toBe(`${campaign.paths.details}/a%2F..%2Fb.json`);
    expect(detailPath(campaign.paths, '..')).toBe(`${campaign.paths.details}/%2E%2E.json`);
  });

  it('regenerates one file per molecule that ran, and removes one whose detail was cleared', () => {
    const { campaign, remove } = tempCampaign();
    cleanup = remove;
    moleculesOf(campaign).insertMany(['M1', 'M2', 'M3'].map((id) => molecule(id)));
    const { batch } = moleculesOf(campaign).createBatch({ ...BATCH, policy: 'all_or_nothing' });
    finishOk(campaign, detail('M1', batch.batch_id));
    finishRerun(campaign, 'M2', batch.batch_id);
    const paths = writeAllDetails(campaign);
    expect(paths.map((p) => p.slice(campaign.paths.details.length + 1))).toEqual([
      'M1.json',
      'M2.json',
    ]);
    expect(JSON.parse(readFileSync(paths[1] ?? '', 'utf8'))).toMatchObject({
      mol_id: 'M2',
      status: 'Rerun',
    });
    moleculesOf(campaign).setStatus('M3', 'Running');
    moleculesOf(campaign).setStatus('M3', 'OK', {
      result: { detail: detail('M3', null), most_stable_hof_kcal_mol: null },
    });
    moleculesOf(campaign).setBatchStatus(batch.batch_id, 'Completed');
    moleculesOf(campaign).resetBatch(batch.batch_id);
    expect(writeAllDetails(campaign)).toEqual([paths[1]]);
    expect(existsSync(paths[0] ?? '')).toBe(false);
    expect(readdirSync(campaign.paths.details)).toEqual(['M2.json']);
  });
});
