import { describe, expect, it } from 'vitest';
import { FAILURE_CLASSES } from '../../../src/core/failure.js';
import {
  MOPAC_STATUS_OF_FAILURE,
  mopacFailure,
  mopacHof,
  notRunDetail,
  outcomeDecisions,
  type ConformerDetail,
} from '../../../src/pipelines/pm7/molecule-detail.js';

function conformer(index: number, ok: boolean): ConformerDetail {
  return {
    index,
    search_status: 'OK',
    search_energy_hartree: -11.3,
    geometry_file: null,
    mopac_status: ok ? 'SUCCESS' : 'SCF_FAILED',
    mopac_calc_key: null,
    mopac_output_file: null,
    execution_time_s: 1,
    timeout_used_min: 1,
    error_message: ok ? null : 'scf_not_converged: MOPAC: UNABLE TO ACHIEVE SELF-CONSISTENCE',
    energy_hof: ok ? -50 : null,
    hof_confidence: ok ? 'HIGH' : null,
    hof_extraction_method: ok ? 'FINAL_HEAT_OF_FORMATION' : null,
    is_successful: ok,
  };
}

describe('the PM7 molecule detail', () => {
  it('classes a MOPAC failure by its failure class, with an issue code beside the text', () => {
    const scf = mopacFailure(2, {
      class: 'scf_not_converged',
      message: 'MOPAC: UNABLE TO ACHIEVE SELF-CONSISTENCE (check the geometry)',
    });
    expect(scf).toEqual({
      mopac_status: 'SCF_FAILED',
      error_message:
        'scf_not_converged: MOPAC: UNABLE TO ACHIEVE SELF-CONSISTENCE (check the geometry)',
      issue: {
        code: 'MOPAC_SCF_FAILED',
        message:
          'conformer 2: PM7 SCF_FAILED: MOPAC: UNABLE TO ACHIEVE SELF-CONSISTENCE (check the geometry)',
      },
    });
    expect(mopacFailure(1, { class: 'geometry_error', message: 'x' }).issue.code).toBe(
      'MOPAC_GEOMETRY_ERROR',
    );
    expect(mopacFailure(1, { class: 'timeout', message: 'x' }).mopac_status).toBe('TIMEOUT');
    expect(Object.keys(MOPAC_STATUS_OF_FAILURE).sort()).toEqual([...FAILURE_CLASSES].sort());
  });

  it('reads the heat of formation with its method, and trusts it less when the gradient stayed large', () => {
    expect(
      mopacHof({ heat_of_formation_kcal_mol: -57.83, gradient_norm_kcal_mol_angstrom: 0.88 }),
    ).toEqual({
      energy_hof: -57.83,
      hof_confidence: 'HIGH',
      hof_extraction_method: 'FINAL_HEAT_OF_FORMATION',
    });
    expect(
      mopacHof({ heat_of_formation_kcal_mol: -57.8, gradient_norm_kcal_mol_angstrom: 4.2 })
        .hof_confidence,
    ).toBe('MEDIUM');
    expect(mopacHof({})).toEqual({
      energy_hof: null,
      hof_confidence: null,
      hof_extraction_method: null,
    });
  });

  it('decides partial_success or all_conformers_failed from the conformers', () => {
    expect(outcomeDecisions([conformer(1, true), conformer(2, true)])).toEqual([]);
    expect(outcomeDecisions([])).toEqual([]);
    expect(
      outcomeDecisions([conformer(1, true), conformer(2, false), conformer(3, false)]),
    ).toEqual([
      expect.objectContaining({
        decision: 'partial_success',
        reason: '1/3 conformers succeeded in MOPAC',
      }),
    ]);
    expect(outcomeDecisions([conformer(1, false)])).toEqual([
      expect.objectContaining({
        decision: 'all_conformers_failed',
        reason: '0/1 conformers succeeded in MOPAC',
        confidence: 1,
      }),
    ]);
  });

  it('describes a molecule that never ran: no conformer, grade FAILED, the reason as error and issue', () => {
    const d = notRunDetail(
      { mol_id: 'M1', smiles: 'CC(=O)[O-]', charge: 0, multiplicity: 1 },
      {
        code: 'INVALID_INPUT',
        message: 'charge 0 contradicts the SMILES',
        batch_id: 'batch_0001',
        method: 'builtin',
        crest_timeout_min: 10,
        mopac_timeout_min: 30,
        started_at: new Date().toISOString(),
      },
    );
    expect(d).toMatchObject({
      batch_id: 'batch_0001',
      quality_grade: 'FAILED',
      conformers: [],
      most_stable_hof: null,
      error_message: 'charge 0 contradicts the SMILES',
      issues: [{ code: 'INVALID_INPUT', message: 'charge 0 contradicts the SMILES' }],
      conformer_search: { status: 'NOT_ATTEMPTED', timeout_min: 10 },
      mopac_timeout_min: 30,
    });
  });
});
