import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCsv } from '../../../../src/chem/csv.js';
import {
  BATCH_CSV_COLUMNS,
  batchCsvRows,
  formatNumber,
  PM7_MINUS_REFERENCE_COLUMN,
  writeBatchCsv,
} from '../../../../src/pipelines/pm7/exports/batch-csv.js';
import type { Campaign } from '../../../../src/runtime/campaign.js';
import { BATCH, detail, finishOk, finishRerun, molecule, tempCampaign } from './fixture.js';
import { moleculesOf } from '../../../../src/pipelines/pm7/molecules.js';

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

function setup(): Campaign {
  const { campaign, remove } = tempCampaign();
  cleanup = remove;
  moleculesOf(campaign).insertMany([
    molecule('MOL00001', { reference: { H298_cbs: '-56.0', source: 'ThermoCBS' } }),
    molecule('MOL00002', { smiles: 'C(Cl)Cl', nheavy: 3, reference: { H298_cbs: '-22.8' } }),
    molecule('MOL00003', { smiles: 'CC(=O)O', nheavy: 4, reference: { H298_cbs: '' } }),
    molecule('MOL00004', {
      smiles: 'C1CC1,weird',
      nheavy: null,
      nrotbonds: null,
      tpsa: null,
      aromatic_rings: null,
      has_heteroatoms: null,
      status: 'Skip',
      skip_reason: 'INVALID_SMILES',
    }),
  ]);
  moleculesOf(campaign).setFact('reference_column', 'H298_cbs');
  return campaign;
}

function read(campaign: Campaign, withReference = false): Record<string, string>[] {
  const text = readFileSync(writeBatchCsv(campaign, { withReference }), 'utf8');
  const table = parseCsv(text);
  return table.rows.map((r) =>
    Object.fromEntries(table.header.map((h, i) => [h, r.cells[i] ?? '<missing>'])),
  );
}

describe('the tracking CSV', () => {
  it('has exactly the 36 columns of the issue, in order', () => {
    expect(BATCH_CSV_COLUMNS).toHaveLength(36);
    const campaign = setup();
    const text = readFileSync(writeBatchCsv(campaign), 'utf8');
    expect(text.split('\n')[0]).toBe(
      'mol_id,smiles,timestamp,phase,nheavy,nrotbonds,tpsa,aromatic_rings,has_heteroatoms,status,retry_count,max_retries,last_error_message,crest_status,crest_conformers_generated,crest_time,crest_error,crest_output_directory,crest_ensemble_file,crest_timeout_max_minutes,mopac_timeout_max_minutes,num_conformers_selected,most_stable_hof,quality_grade,success,error_message,total_execution_time,actual_crest_timeout_used,actual_mopac_timeout_used,delta_e_12,delta_e_13,delta_e_15,batch_id,batch_order,batch_sorting_strategy,batch_failure_policy',
    );
  });

  it('has one row per molecule, in import order, each with 36 cells', () => {
    const campaign = setup();
    const text = readFileSync(writeBatchCsv(campaign), 'utf8');
    const table = parseCsv(text);
    expect(table.rows.map((r) => r.cells[0])).toEqual([
      'MOL00001',
      'MOL00002',
      'MOL00003',
      'MOL00004',
    ]);
    for (const r of table.rows) expect(r.cells).toHaveLength(36);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('maps a finished molecule from its detail, its row and its batch', () => {
    const campaign = setup();
    const { batch } = moleculesOf(campaign).createBatch({ ...BATCH, strategy: 'by_nrotbonds' });
    finishOk(campaign, detail('MOL00001', batch.batch_id, { quality_grade: 'B' }));
    const row = read(campaign).find((r) => r.mol_id === 'MOL00001');
    const stored = moleculesOf(campaign).get('MOL00001');
    expect(row).toMatchObject({
      smiles: 'CCO',
      timestamp: stored?.updated_at,
      phase: 'done',
      nheavy: '3',
      tpsa: '20.23',
      has_heteroatoms: 'true',
      status: 'OK',
      retry_count: '0',
      max_retries: '3',
      last_error_message: '',
      crest_status: 'SUCCESS',
      crest_conformers_generated: '4',
      crest_time: '424.274097',
      crest_error: '',
      crest_output_directory: 'work/ab/abcdef',
      crest_ensemble_file: 'work/ab/abcdef/crest_conformers.xyz',
      crest_timeout_max_minutes: '30',
      mopac_timeout_max_minutes: '12.5',
      num_conformers_selected: '2',
      most_stable_hof: '-56.12345',
      quality_grade: 'B',
      success: 'true',
      error_message: '',
      total_execution_time: '425.424184',
      actual_crest_timeout_used: '7.07',
      actual_mopac_timeout_used: '0.045833',
      delta_e_12: '1.12345',
      delta_e_13: '',
      delta_e_15: '',
      batch_id: batch.batch_id,
      batch_sorting_strategy: 'by_nrotbonds',
      batch_failure_policy: 'partial_ok',
    });
    expect(Number(row?.batch_order)).toBeGreaterThanOrEqual(1);
  });

  it('writes a failed attempt as success false with its crest status and error', () => {
    const campaign = setup();
    const { batch } = moleculesOf(campaign).createBatch(BATCH);
    finishRerun(campaign, 'MOL00002', batch.batch_id);
    const row = read(campaign).find((r) => r.mol_id === 'MOL00002');
    expect(row).toMatchObject({
      status: 'Rerun',
      retry_count: '1',
      last_error_message: 'conformer search timed out',
      crest_status: 'TIMEOUT',
      crest_error: 'crest timed out after 30 min',
      most_stable_hof: '',
      quality_grade: 'FAILED',
      success: 'false',
    });
  });

  it('leaves the run columns empty for a molecule that never ran', () => {
    const campaign = setup();
    const row = read(campaign).find((r) => r.mol_id === 'MOL00003');
    expect(row?.status).toBe('Pending');
    const runColumns = BATCH_CSV_COLUMNS.slice(BATCH_CSV_COLUMNS.indexOf('crest_status'));
    for (const c of runColumns) expect(row?.[c], c).toBe('');
  });

  it('leaves the descriptors empty for an invalid SMILES', () => {
    const campaign = setup();
    const row = read(campaign).find((r) => r.mol_id === 'MOL00004');
    expect(row).toMatchObject({ status: 'Skip', nheavy: '', tpsa: '', has_heteroatoms: '' });
  });

  it('quotes a SMILES holding a comma, so the row keeps its 36 cells', () => {
    const campaign = setup();
    const text = readFileSync(writeBatchCsv(campaign), 'utf8');
    expect(text).toContain('MOL00004,"C1CC1,weird",');
    expect(read(campaign).find((r) => r.mol_id === 'MOL00004')?.smiles).toBe('C1CC1,weird');
  });

  it('adds the reference columns and PM7 − reference with --with-reference', () => {
    const campaign = setup();
    const { batch } = moleculesOf(campaign).createBatch(BATCH);
    finishOk(campaign, detail('MOL00001', batch.batch_id, { most_stable_hof: -57.5 }));
    finishOk(campaign, detail('MOL00003', batch.batch_id, { most_stable_hof: -100 }));
    const text = readFileSync(writeBatchCsv(campaign, { withReference: true }), 'utf8');
    const header = parseCsv(text).header;
    expect(header.slice(0, 36)).toEqual([...BATCH_CSV_COLUMNS]);
    expect(header.slice(36)).toEqual(['H298_cbs', 'source', PM7_MINUS_REFERENCE_COLUMN]);
    const rows = read(campaign, true);
    expect(rows[0]).toMatchObject({ H298_cbs: '-56.0', source: 'ThermoCBS' });
    expect(rows[0]?.[PM7_MINUS_REFERENCE_COLUMN]).toBe('-1.5');
    // No reference value, or no PM7 value: no difference.
    expect(rows[2]?.[PM7_MINUS_REFERENCE_COLUMN]).toBe('');
    expect(rows[1]?.[PM7_MINUS_REFERENCE_COLUMN]).toBe('');
    expect(read(campaign, false)[0]).not.toHaveProperty('H298_cbs');
  });

  it("keeps the import's order of the reference columns when it recorded one", () => {
    const campaign = setup();
    moleculesOf(campaign).setFact('reference_columns', JSON.stringify(['source', 'H298_cbs']));
    const text = readFileSync(writeBatchCsv(campaign, { withReference: true }), 'utf8');
    expect(parseCsv(text).header.slice(36)).toEqual([
      'source',
      'H298_cbs',
      PM7_MINUS_REFERENCE_COLUMN,
    ]);
  });

  it('renames a reference column that clashes with one of the 36', () => {
    const table = batchCsvRows([], new Map(), { withReference: true });
    expect(table.columns).toHaveLength(37);
    const { campaign, remove } = tempCampaign();
    try {
      moleculesOf(campaign).insertMany([molecule('M1', { reference: { status: 'x', H: '1' } })]);
      const t = batchCsvRows(moleculesOf(campaign).all(), new Map(), { withReference: true });
      expect(t.columns.slice(36)).toEqual(['reference_status', 'H', PM7_MINUS_REFERENCE_COLUMN]);
      expect(t.rows[0]?.slice(36)).toEqual(['x', '1', '']);
    } finally {
      remove();
    }
  });

  it('writes numbers with at most 6 decimals and no exponent', () => {
    expect(formatNumber(1 / 3)).toBe('0.333333');
    expect(formatNumber(-56.1)).toBe('-56.1');
    expect(formatNumber(30)).toBe('30');
    expect(formatNumber(1e-7)).toBe('1e-7');
    expect(formatNumber(-0.0000001 + 0.0000001)).toBe('0');
    expect(formatNumber(123456789.123)).toBe('123456789.123');
    expect(formatNumber(Number.NaN)).toBe('');
  });

  it('is written atomically, leaving no temporary file behind', () => {
    const campaign = setup();
    writeBatchCsv(campaign);
    writeBatchCsv(campaign, { withReference: true });
    expect(readdirSync(campaign.paths.exports)).toEqual(['crest_pm7_batch_status.csv']);
    expect(existsSync(`${campaign.paths.exports}/crest_pm7_batch_status.csv`)).toBe(true);
  });
});
