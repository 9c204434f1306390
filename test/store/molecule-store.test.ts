import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../src/store/database.js';
import { MoleculeStore, type NewBatch, type NewMolecule } from '../../src/store/molecule-store.js';
import { IllegalTransitionError } from '../../src/core/transitions.js';
import { tempDir } from '../helpers/temp-dir.js';

let tmp: ReturnType<typeof tempDir>;
let db: Db;
let store: MoleculeStore;

function molecule(id: string, nheavy: number, nrotbonds = 0): NewMolecule {
  return {
    mol_id: id,
    smiles: 'C'.repeat(nheavy),
    charge: 0,
    multiplicity: 1,
    nheavy,
    nrotbonds,
    tpsa: 0,
    aromatic_rings: 0,
    has_heteroatoms: false,
    reference: { H298_cbs: String(-nheavy) },
    status: 'Pending',
    skip_reason: null,
  };
}

const batch: NewBatch = {
  size: 2,
  strategy: 'rerun_first_then_easy',
  seed: null,
  policy: 'partial_ok',
  crest_timeout_min: 10,
  mopac_timeout_min: 30,
  max_retries: 3,
  workers: 2,
  max_conformers: 5,
};

beforeEach(() => {
  tmp = tempDir();
  db = openDatabase(join(tmp.dir, 'retort.db'));
  store = new MoleculeStore(db);
  store.insertMany([
    molecule('MOL00001', 5, 3),
    molecule('MOL00002', 2, 0),
    molecule('MOL00008', 3, 6),
    molecule('MOL00009', 1, 1),
  ]);
});

afterEach(() => {
  db.close();
  tmp.remove();
});

/** Runs a batch's molecules to the given outcomes. */
function finishBatch(batchId: string, outcome: (id: string) => 'OK' | 'Rerun' | 'Skip'): void {
  for (const m of store.moleculesOfBatch(batchId)) {
    store.setStatus(m.mol_id, 'Running');
    store.setStatus(m.mol_id, outcome(m.mol_id), {
      retry_count: outcome(m.mol_id) === 'OK' ? m.retry_count : m.retry_count + 1,
    });
  }
  store.setBatchStatus(batchId, 'Completed');
}

describe('MoleculeStore', () => {
  it('imports molecules as Pending in file order and refuses ids it already has, inserting nothing', () => {
    expect(store.counts().Pending).toBe(4);
    const again = store.insertMany([molecule('MOL00100', 1), molecule('MOL00002', 1)]);
    expect(again.duplicates).toEqual(['MOL00002']);
    expect(store.get('MOL00100')).toBeUndefined();
    expect(store.all().map((m) => m.mol_id)).toEqual([
      'MOL00001',
      'MOL00002',
      'MOL00008',
      'MOL00009',
    ]);
  });

  it('selects the easiest molecules first, marks them To run with their order, and numbers batches', () => {
    const { batch: b, molecules } = store.createBatch(batch);
    expect(b.batch_id).toBe('batch_0001');
    expect(molecules.map((m) => [m.mol_id, m.status, m.batch_order])).toEqual([
      ['MOL00009', 'To run', 1],
      ['MOL00002', 'To run', 2],
    ]);
  });

  it('puts Rerun molecules before easier Pending ones', () => {
    const first = store.createBatch({ ...batch, size: 1, strategy: 'by_nrotbonds' }).batch;
    expect(store.moleculesOfBatch(first.batch_id)[0]?.mol_id).toBe('MOL00002');
    finishBatch(first.batch_id, () => 'Rerun');
    const second = store.createBatch(batch);
    expect(second.molecules.map((m) => m.mol_id)).toEqual(['MOL00002', 'MOL00009']);
    expect(second.batch.batch_id).toBe('batch_0002');
  });

  it('orders by heavy atoms', () => {
    const byHeavy = store.createBatch({ ...batch, size: 4, strategy: 'by_nheavy' });
    expect(byHeavy.molecules.map((m) => m.nheavy)).toEqual([1, 2, 3, 5]);
  });

  it('repeats a seeded random choice, and another seed gives another', () => {
    const pick = (seed: number, file: string): string[] => {
      const other = openDatabase(join(tmp.dir, file));
      try {
        const s = new MoleculeStore(other);
        s.insertMany(Array.from({ length: 50 }, (_, i) => molecule(`M${i}`, 1 + (i % 7))));
        return s
          .createBatch({ ...batch, size: 10, strategy: 'random', seed })
          .molecules.map((m) => m.mol_id);
      } finally {
        other.close();
      }
    };
    const a = pick(7, 'a.db');
    expect(pick(7, 'b.db')).toEqual(a);
    expect(pick(8, 'c.db')).not.toEqual(a);
  });

  it('refuses a second batch while one is Running', () => {
    store.createBatch(batch);
    expect(() => store.createBatch(batch)).toThrow('batch_0001 is still Running');
  });

  it('checks every status change against the molecule state machine', () => {
    expect(() => {
      store.setStatus('MOL00001', 'OK');
    }).toThrow(IllegalTransitionError);
    expect(store.get('MOL00001')?.status).toBe('Pending');
  });

  it('returns molecules interrupted while Running to To run', () => {
    const { batch: b } = store.createBatch(batch);
    store.setStatus('MOL00009', 'Running', { phase: 'mopac' });
    expect(store.returnInterrupted(b.batch_id)).toBe(1);
    expect(store.get('MOL00009')).toMatchObject({ status: 'To run', phase: 'pending' });
  });

  it('applies the all_or_nothing reset: OK back to Pending, batch cleared, retry counts kept', () => {
    const { batch: b } = store.createBatch({ ...batch, size: 3, policy: 'all_or_nothing' });
    finishBatch(b.batch_id, (id) => (id === 'MOL00008' ? 'Rerun' : 'OK'));
    expect(store.resetBatch(b.batch_id)).toBe(2);
    expect(store.get('MOL00009')).toMatchObject({ status: 'Pending', batch_id: null });
    expect(store.get('MOL00008')).toMatchObject({
      status: 'Rerun',
      batch_id: null,
      retry_count: 1,
    });
    expect(store.batch(b.batch_id)?.status).toBe('Reset');
  });

  it('counts molecules overall and per batch', () => {
    const { batch: b } = store.createBatch(batch);
    finishBatch(b.batch_id, (id) => (id === 'MOL00002' ? 'Skip' : 'OK'));
    expect(store.counts()).toMatchObject({ OK: 1, Skip: 1, Pending: 2 });
    expect(store.countsByBatch().get(b.batch_id)).toMatchObject({ OK: 1, Skip: 1 });
  });
});
