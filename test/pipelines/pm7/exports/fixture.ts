import { join } from 'node:path';
import type { MoleculeDetail } from '../../../../src/pipelines/pm7/molecule-detail.js';
import { initCampaign, openCampaign, type Campaign } from '../../../../src/runtime/campaign.js';
import type { NewPm7Batch } from '../../../../src/pipelines/pm7/molecule-item.js';
import { moleculesOf, type NewMolecule } from '../../../../src/pipelines/pm7/molecules.js';
import { tempDir } from '../../../helpers/temp-dir.js';

/** A fresh campaign in a temporary directory. */
export function tempCampaign(): { campaign: Campaign; remove: () => void } {
  const tmp = tempDir('retort-exports-');
  const root = join(tmp.dir, 'c');
  initCampaign(root);
  const campaign = openCampaign(root);
  return {
    campaign,
    remove: () => {
      campaign.close();
      tmp.remove();
    },
  };
}

export function molecule(molId: string, overrides: Partial<NewMolecule> = {}): NewMolecule {
  return {
    mol_id: molId,
    smiles: 'CCO',
    charge: 0,
    multiplicity: 1,
    nheavy: 3,
    nrotbonds: 0,
    tpsa: 20.23,
    aromatic_rings: 0,
    has_heteroatoms: true,
    reference: {},
    status: 'Pending',
    skip_reason: null,
    ...overrides,
  };
}

export const BATCH: NewPm7Batch = {
  size: 100,
  strategy: 'by_nheavy',
  seed: null,
  policy: 'partial_ok',
  max_retries: 3,
  workers: 2,
  settings: { crest_timeout_min: 30, mopac_timeout_min: 12.5, max_conformers: 5 },
};

export function detail(
  molId: string,
  batchId: string | null,
  overrides: Partial<MoleculeDetail> = {},
): MoleculeDetail {
  return {
    mol_id: molId,
    smiles: 'CCO',
    charge: 0,
    multiplicity: 1,
    batch_id: batchId,
    status: 'OK',
    retry_count: 0,
    conformer_search: {
      method: 'crest',
      status: 'SUCCESS',
      conformers_generated: 4,
      time_s: 424.274097,
      error: null,
      output_directory: 'work/ab/abcdef',
      ensemble_file: 'work/ab/abcdef/crest_conformers.xyz',
      timeout_min: 30,
      timeout_used_min: 30,
    },
    num_conformers_selected: 2,
    conformers: [
      {
        index: 1,
        search_status: 'OK',
        search_energy_hartree: -11.3,
        geometry_file: 'work/ab/abcdef/conf1.xyz',
        mopac_status: 'SUCCESS',
        mopac_calc_key: 'cd'.repeat(32),
        mopac_output_file: 'work/cd/cdcd/mol.out',
        execution_time_s: 1.25,
        timeout_used_min: 12.5,
        error_message: null,
        energy_hof: -56.12345,
        hof_confidence: 'HIGH',
        hof_extraction_method: 'FINAL_HEAT_OF_FORMATION',
        is_successful: true,
      },
      {
        index: 2,
        search_status: 'OK',
        search_energy_hartree: -11.29,
        geometry_file: 'work/ab/abcdef/conf2.xyz',
        mopac_status: 'SUCCESS',
        mopac_calc_key: 'ef'.repeat(32),
        mopac_output_file: 'work/ef/efef/mol.out',
        execution_time_s: 1.5,
        timeout_used_min: 12.5,
        error_message: null,
        energy_hof: -55.0,
        hof_confidence: 'HIGH',
        hof_extraction_method: 'FINAL_HEAT_OF_FORMATION',
        is_successful: true,
      },
    ],
    most_stable_hof: -56.12345,
    delta_e_12: 1.12345,
    delta_e_13: null,
    delta_e_15: null,
    quality_grade: 'A',
    issues: [],
    decisions: [
      {
        decision: 'kept 2 conformers',
        reason: 'energy window 5 kcal/mol',
        confidence: 0.9,
        timestamp: '2026-01-20T19:45:59.818Z',
      },
    ],
    error_message: null,
    total_execution_time_s: 425.424184,
    mopac_timeout_min: 12.5,
    actual_crest_timeout_used_min: 7.07,
    actual_mopac_timeout_used_min: 0.045833,
    started_at: '2026-01-20T19:38:54.000Z',
    ended_at: '2026-01-20T19:45:59.818Z',
    ...overrides,
  };
}

/** Runs a selected molecule to OK with `d` as its detail (the no-op pipeline). */
export function finishOk(campaign: Campaign, d: MoleculeDetail): void {
  moleculesOf(campaign).setStatus(d.mol_id, 'Running', { phase: 'mopac' });
  moleculesOf(campaign).setStatus(d.mol_id, 'OK', {
    phase: 'done',
    result: { detail: d, most_stable_hof_kcal_mol: d.most_stable_hof },
  });
}

/** Runs a selected molecule to Rerun with a failed detail. */
export function finishRerun(campaign: Campaign, molId: string, batchId: string): void {
  moleculesOf(campaign).setStatus(molId, 'Running', { phase: 'conformers' });
  const failed = detail(molId, batchId, {
    status: 'Rerun',
    conformer_search: {
      method: 'crest',
      status: 'TIMEOUT',
      conformers_generated: 0,
      time_s: 1800,
      error: 'crest timed out after 30 min',
      output_directory: 'work/12/1234',
      ensemble_file: null,
      timeout_min: 30,
      timeout_used_min: 30,
    },
    conformers: [],
    num_conformers_selected: 0,
    most_stable_hof: null,
    delta_e_12: null,
    quality_grade: 'FAILED',
    error_message: 'conformer search timed out',
  });
  moleculesOf(campaign).setStatus(molId, 'Rerun', {
    phase: 'done',
    retry_count: 1,
    last_error_message: 'conformer search timed out',
    result: { detail: failed, most_stable_hof_kcal_mol: null },
  });
}
