import { copyFileSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { csvLine, parseCsv } from '../../src/chem/csv.js';
import { exportAll } from '../../src/pipelines/pm7/exports/export-all.js';
import { moleculesOf } from '../../src/pipelines/pm7/molecules.js';
import { initCampaign, openCampaign, type Campaign } from '../../src/runtime/campaign.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

/** A campaign made by retort 0.1.0 (schema 3) and what that release exported from it. */
const V3 = join(REPO_ROOT, 'test', 'fixtures', 'campaigns', 'v3');

interface OldMolecule {
  readonly mol_id: string;
  readonly seq: number;
  readonly smiles: string;
  readonly charge: number;
  readonly multiplicity: number;
  readonly nheavy: number | null;
  readonly nrotbonds: number | null;
  readonly tpsa: number | null;
  readonly aromatic_rings: number | null;
  readonly has_heteroatoms: number | null;
  readonly reference_json: string;
  readonly status: string;
  readonly skip_reason: string | null;
  readonly phase: string;
  readonly retry_count: number;
  readonly max_retries: number;
  readonly last_error_message: string | null;
  readonly batch_id: string | null;
  readonly batch_order: number | null;
  readonly detail_json: string | null;
  readonly most_stable_hof_kcal_mol: number | null;
  readonly updated_at: string;
}

interface OldBatch {
  readonly batch_id: string;
  readonly seq: number;
  readonly status: string;
  readonly size: number;
  readonly strategy: string;
  readonly seed: number | null;
  readonly policy: string;
  readonly crest_timeout_min: number;
  readonly mopac_timeout_min: number;
  readonly max_retries: number;
  readonly workers: number;
  readonly max_conformers: number;
  readonly created_at: string;
  readonly started_at: string | null;
  readonly ended_at: string | null;
}

/** What the fixture's store holds, read straight from its old tables. */
function oldContents(): {
  molecules: OldMolecule[];
  batches: OldBatch[];
  dataset: Record<string, string>;
  calcs: number;
} {
  const db = new Database(join(V3, 'retort.db'), { readonly: true, fileMustExist: true });
  try {
    expect(db.pragma('user_version', { simple: true })).toBe(3);
    return {
      molecules: db.prepare<[], OldMolecule>('SELECT * FROM molecules ORDER BY seq').all(),
      batches: db.prepare<[], OldBatch>('SELECT * FROM batches ORDER BY seq').all(),
      dataset: Object.fromEntries(
        db
          .prepare<[], { key: string; value: string }>('SELECT key, value FROM dataset')
          .all()
          .map((r) => [r.key, r.value]),
      ),
      calcs: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM calcs').get()?.n ?? 0,
    };
  } finally {
    db.close();
  }
}

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

/** The fixture's store in a fresh campaign directory, opened (and so migrated) by this retort. */
function migrated(): { root: string; campaign: Campaign } {
  const tmp = tempDir('retort-migration-');
  const root = join(tmp.dir, 'c');
  initCampaign(root);
  copyFileSync(join(V3, 'retort.db'), join(root, 'retort.db'));
  const campaign = openCampaign(root);
  cleanup = () => {
    campaign.close();
    tmp.remove();
  };
  return { root, campaign };
}

describe('migration 4 (generic items) on a campaign made by retort 0.1.0', () => {
  it('carries every molecule over with every field, its detail and its status', () => {
    const old = oldContents();
    const { campaign } = migrated();
    const now = moleculesOf(campaign).all();
    expect(now.map((m) => m.mol_id)).toEqual(old.molecules.map((m) => m.mol_id));
    for (const o of old.molecules) {
      expect(moleculesOf(campaign).get(o.mol_id)).toEqual({
        mol_id: o.mol_id,
        seq: o.seq,
        smiles: o.smiles,
        charge: o.charge,
        multiplicity: o.multiplicity,
        nheavy: o.nheavy,
        nrotbonds: o.nrotbonds,
        tpsa: o.tpsa,
        aromatic_rings: o.aromatic_rings,
        has_heteroatoms: o.has_heteroatoms === null ? null : o.has_heteroatoms === 1,
        reference: JSON.parse(o.reference_json) as unknown,
        descriptors_error: null,
        status: o.status,
        skip_reason: o.skip_reason,
        phase: o.phase,
        priority: 0,
        retry_count: o.retry_count,
        max_retries: o.max_retries,
        last_error_message: o.last_error_message,
        batch_id: o.batch_id,
        batch_order: o.batch_order,
        detail: o.detail_json === null ? null : (JSON.parse(o.detail_json) as unknown),
        most_stable_hof_kcal_mol: o.most_stable_hof_kcal_mol,
        updated_at: o.updated_at,
      });
    }
    // The fixture covers every status, both skip reasons and a molecule left Running.
    expect(new Set(old.molecules.map((m) => m.status))).toEqual(
      new Set(['OK', 'Pending', 'Running', 'To run', 'Skip']),
    );
    expect(new Set(old.molecules.map((m) => m.skip_reason))).toEqual(
      new Set([null, 'INVALID_SMILES', 'RETRIES_EXHAUSTED']),
    );
  });

  it('carries every batch over with its settings, and the dataset facts', () => {
    const old = oldContents();
    const { campaign } = migrated();
    const store = moleculesOf(campaign);
    expect(store.batches()).toEqual(
      old.batches.map((b) => ({
        batch_id: b.batch_id,
        pipeline: 'pm7',
        seq: b.seq,
        status: b.status,
        size: b.size,
        strategy: b.strategy,
        seed: b.seed,
        policy: b.policy,
        max_retries: b.max_retries,
        workers: b.workers,
        settings: {
          crest_timeout_min: b.crest_timeout_min,
          mopac_timeout_min: b.mopac_timeout_min,
          max_conformers: b.max_conformers,
        },
        created_at: b.created_at,
        started_at: b.started_at,
        ended_at: b.ended_at,
      })),
    );
    expect(new Set(old.batches.map((b) => b.status))).toEqual(
      new Set(['Completed', 'Reset', 'Running']),
    );
    for (const [key, value] of Object.entries(old.dataset)) expect(store.fact(key)).toBe(value);
    expect(store.runningBatch()?.batch_id).toBe('batch_0004');
    const calcs = Object.values(campaign.calcs.counts()).reduce((a, b) => a + b, 0);
    expect(calcs).toBe(old.calcs);
  });

  it('exports byte for byte what retort 0.1.0 exported (but the times used it got wrong): both CSVs and the details; the parity plot shows the same points and title', async () => {
    const { root, campaign } = migrated();
    const paths = await exportAll(campaign, { withReference: true });
    expect(readFileSync(paths.csv, 'utf8')).toBe(
      withoutTimesUsed(readFileSync(join(V3, 'crest_pm7_batch_status.with-reference.csv'), 'utf8')),
    );
    // retort 0.1.0 drew the plot by hand, each point's text in a <title>; vega writes it as the
    // point's aria-label.
    const plot = readFileSync(paths.parity_plot ?? '', 'utf8');
    const [oldTitle, ...oldPoints] = [
      ...readFileSync(join(V3, 'pm7_vs_reference.svg'), 'utf8').matchAll(
        /<title>([^<]*)<\/title>/g,
      ),
    ].map((m) => m[1]);
    expect(plot).toContain(`>${oldTitle ?? '?'}</text>`);
    expect(
      [
        ...plot.matchAll(
          /aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="point"/g,
        ),
      ]
        .map((m) => m[1])
        .sort(),
    ).toEqual(oldPoints.sort());
    const oldDetails = readdirSync(join(V3, 'details')).sort();
    expect(
      readdirSync(join(root, 'details'))
        .filter((f) => f.endsWith('.json'))
        .sort(),
    ).toEqual(oldDetails);
    for (const f of oldDetails) {
      expect(readFileSync(join(root, 'details', f), 'utf8')).toBe(
        readFileSync(join(V3, 'details', f), 'utf8'),
      );
    }
    await exportAll(campaign);
    expect(readFileSync(paths.csv, 'utf8')).toBe(
      withoutTimesUsed(readFileSync(join(V3, 'crest_pm7_batch_status.csv'), 'utf8')),
    );
  });

  it('shows the same `retort batch status`, and resumes the batch its dead runner left Running', () => {
    const { root, campaign } = migrated();
    campaign.close();
    const status = runCli(['batch', 'status'], { cwd: root });
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toBe(readFileSync(join(V3, 'batch-status.txt'), 'utf8'));
    const again = openCampaign(root);
    try {
      const store = moleculesOf(again);
      expect(store.returnInterrupted('batch_0004')).toBe(1);
      expect(store.ofBatch('batch_0004').map((m) => m.status)).toEqual(['To run', 'To run']);
    } finally {
      again.close();
    }
  });
});

/**
 * The CSV with `actual_crest_timeout_used` and `actual_mopac_timeout_used` emptied: retort 0.1.0
 * wrote the budget and the granted walltimes there, which a detail of its own cannot turn into
 * the time used, so those cells are now empty for its molecules.
 */
function withoutTimesUsed(text: string): string {
  const { header, rows } = parseCsv(text);
  const blank = ['actual_crest_timeout_used', 'actual_mopac_timeout_used'].map((c) =>
    header.indexOf(c),
  );
  let out = csvLine(header);
  for (const row of rows) out += csvLine(row.cells.map((c, i) => (blank.includes(i) ? '' : c)));
  return out;
}

describe('migration 6 (retry backoff, predictions) on a campaign made by retort 0.1.0', () => {
  it('keeps every calc and attempt, none waiting for a retry, none with a prediction, and learns from their timings', () => {
    const old = oldContents();
    const { campaign } = migrated();
    const counts = campaign.calcs.counts();
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(old.calcs);
    expect(campaign.calcs.waitingRetries('0000')).toEqual([]);
    const timings = campaign.calcs.timings();
    expect(timings.length).toBeGreaterThan(0);
    expect(timings.every((t) => t.predictedS === null && t.durationS > 0)).toBe(true);
    const first = timings[0];
    expect(campaign.calcs.get(first?.key ?? '')?.retryNotBefore).toBeNull();
  });
});

describe('a store of an older release opened to be read', () => {
  it('is migrated first, so that status, exports and the terminal UI can read it', () => {
    const tmp = tempDir('retort-migration-');
    const root = join(tmp.dir, 'c');
    initCampaign(root);
    copyFileSync(join(V3, 'retort.db'), join(root, 'retort.db'));
    const reader = openCampaign(root, { readonly: true });
    cleanup = () => {
      reader.close();
      tmp.remove();
    };
    // Columns and indexes of the later migrations are there: these read them.
    expect(reader.calcs.timings().length).toBeGreaterThan(0);
    expect(reader.browse.count({ statuses: [], keys: null })).toBe(oldContents().calcs);
    expect(
      reader.browse.page({ statuses: [], keys: null, sort: 'updated', offset: 0, limit: 5 }),
    ).toHaveLength(Math.min(5, oldContents().calcs));
    const status = runCli(['status', '--json'], { cwd: root });
    expect(status.status, status.stderr).toBe(0);
  });
});
