/**
 * bench/dataset-bookkeeping — what it costs to track a 30,000-molecule dataset.
 *
 * retort: the dataset lives in the store (SQLite, WAL); a run goes select → run → record per
 * molecule, here with a no-op pipeline stage: batches of 1,000 are created (createBatch selects
 * them), every molecule goes To run → Running → OK with a small detail, and the tracking
 * CSV (all 30,000 rows, 36 columns) is kept current by ThrottledExport (at most one rewrite per
 * 3 s, flushed exact when each batch ends). The loop yields to the event loop after each
 * molecule, as the real (asynchronous) runner does, so that the throttle's timer can fire.
 *
 * Baseline — the plan's original design: one CSV file of the whole dataset is the state; every
 * status change reads it whole, parses it, changes the row, serialises it and writes it whole
 * (2 changes per molecule: Running, then OK). Its cost per change grows with the dataset, so it
 * is timed for the first K molecules (default 300) and extrapolated linearly to N; the
 * extrapolation is printed as such. The baseline writes in place (no temp file + rename), which
 * only flatters it.
 *
 * Usage: npm run build && node dist/bench/dataset-bookkeeping.js [N] [--baseline K] [--dir DIR]
 * DIR (default: bench/.work in the checkout) holds the campaign and the baseline CSV.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { csvLine, parseCsv } from '../src/chem/csv.js';
import { STRATEGIES } from '../src/core/batch-status.js';
import {
  BATCH_CSV_COLUMNS,
  batchCsvRows,
  batchCsvText,
  writeBatchCsv,
} from '../src/pipelines/pm7/exports/batch-csv.js';
import { ThrottledExport } from '../src/pipelines/pm7/exports/csv-throttle.js';
import type { MoleculeDetail } from '../src/pipelines/pm7/molecule-detail.js';
import { initCampaign, openCampaign } from '../src/runtime/campaign.js';
import type { NewPm7Batch } from '../src/pipelines/pm7/molecule-item.js';
import { moleculesOf, type NewMolecule } from '../src/pipelines/pm7/molecules.js';
import { flagValue, repo } from './bench-env.js';

const args = process.argv.slice(2);
const n = Number(args.find((a, i) => /^\d+$/.test(a) && !args[i - 1]?.startsWith('--')) ?? 30_000);
const k = Math.min(n, Number(flagValue('--baseline') ?? 300));
const BATCH_SIZE = 1_000;
const base = resolve(flagValue('--dir') ?? join(repo, 'bench', '.work'), 'dataset-bookkeeping');

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function molecules(): NewMolecule[] {
  return Array.from({ length: n }, (_, i) => ({
    mol_id: `MOL${String(i + 1).padStart(5, '0')}`,
    smiles: `C${'C'.repeat(i % 17)}${i % 3 === 0 ? 'O' : 'N'}`,
    charge: 0,
    multiplicity: 1,
    nheavy: 2 + (i % 17),
    nrotbonds: i % 9,
    tpsa: 20.23 + (i % 7),
    aromatic_rings: i % 3,
    has_heteroatoms: true,
    reference: { H298_cbs: (-50 + (i % 100)).toFixed(6) },
    status: 'Pending',
    skip_reason: null,
  }));
}

function detail(molId: string, batchId: string, now: string): MoleculeDetail {
  const hof = -40 + (Number(molId.slice(3)) % 80);
  return {
    mol_id: molId,
    smiles: 'CCO',
    charge: 0,
    multiplicity: 1,
    batch_id: batchId,
    status: 'OK',
    retry_count: 0,
    conformer_search: {
      method: 'builtin',
      status: 'SUCCESS',
      conformers_generated: 3,
      time_s: 1.5,
      error: null,
      output_directory: `work/00/${molId}`,
      ensemble_file: `work/00/${molId}/ensemble.xyz`,
      timeout_min: 30,
      timeout_used_min: 30,
    },
    num_conformers_selected: 1,
    conformers: [
      {
        index: 1,
        search_status: 'OK',
        search_energy_hartree: -11.3,
        geometry_file: `work/00/${molId}/c1.xyz`,
        mopac_status: 'SUCCESS',
        mopac_calc_key: null,
        mopac_output_file: `work/01/${molId}/mol.out`,
        execution_time_s: 0.4,
        timeout_used_min: 30,
        error_message: null,
        energy_hof: hof,
        hof_confidence: 'HIGH',
        hof_extraction_method: 'FINAL_HEAT_OF_FORMATION',
        is_successful: true,
      },
    ],
    most_stable_hof: hof,
    delta_e_12: null,
    delta_e_13: null,
    delta_e_15: null,
    quality_grade: 'A',
    issues: [],
    decisions: [],
    error_message: null,
    total_execution_time_s: 1.9,
    mopac_timeout_min: 30,
    actual_crest_timeout_used_min: 0.025,
    actual_mopac_timeout_used_min: 0.006667,
    started_at: now,
    ended_at: now,
  };
}

const BATCH: NewPm7Batch = {
  size: BATCH_SIZE,
  strategy: 'rerun_first_then_easy',
  seed: null,
  policy: 'partial_ok',
  max_retries: 3,
  workers: 4,
  settings: { crest_timeout_min: 30, mopac_timeout_min: 30, max_conformers: 5 },
};

rmSync(base, { recursive: true, force: true });
mkdirSync(base, { recursive: true });
const root = join(base, 'campaign');
initCampaign(root);
const campaign = openCampaign(root);
const store = moleculesOf(campaign);

let start = process.hrtime.bigint();
store.insertMany(molecules());
const importS = seconds(start);

// Choosing one batch of 50 from the whole dataset, per strategy (target: ≤ 50 ms): the
// candidates are listed and ordered as createBatch does, without selecting them.
const selectMs: string[] = [];
for (const strategy of STRATEGIES) {
  const t = process.hrtime.bigint();
  store.choose(strategy, 50, 1);
  selectMs.push(`${strategy} ${(seconds(t) * 1000).toFixed(1)} ms`);
}

// The baseline's starting file: the same 36-column CSV of the freshly imported dataset.
const baselineCsv = join(base, 'original-design.csv');
writeFileSync(baselineCsv, batchCsvText(batchCsvRows(store.all(), new Map())));

// retort: select → run → record, throttled CSV.
let csvWriteS = 0;
const exporter = new ThrottledExport(() => {
  const t = process.hrtime.bigint();
  writeBatchCsv(campaign);
  csvWriteS += seconds(t);
});
start = process.hrtime.bigint();
let done = 0;
while (done < n) {
  const { batch, molecules: selected } = store.createBatch(BATCH);
  exporter.markDirty();
  for (const m of selected) {
    store.setStatus(m.mol_id, 'Running', { phase: 'conformers' });
    exporter.markDirty();
    const d = detail(m.mol_id, batch.batch_id, new Date().toISOString());
    store.setStatus(m.mol_id, 'OK', {
      phase: 'done',
      result: { detail: d, most_stable_hof_kcal_mol: d.most_stable_hof },
    });
    exporter.markDirty();
    await nextTurn();
  }
  store.setBatchStatus(batch.batch_id, 'Completed');
  exporter.markDirty();
  exporter.flush();
  done += selected.length;
}
exporter.close();
const retortS = seconds(start);
const counts = store.counts();
campaign.close();

// The original design: the CSV is the state, read and rewritten whole on every change.
function changeStatus(file: string, molId: string, status: string, phase: string): void {
  const table = parseCsv(readFileSync(file, 'utf8'), file);
  const statusAt = BATCH_CSV_COLUMNS.indexOf('status');
  const phaseAt = BATCH_CSV_COLUMNS.indexOf('phase');
  let text = csvLine(table.header);
  for (const r of table.rows) {
    const cells = [...r.cells];
    if (cells[0] === molId) {
      cells[statusAt] = status;
      cells[phaseAt] = phase;
    }
    text += csvLine(cells);
  }
  writeFileSync(file, text);
}
start = process.hrtime.bigint();
for (let i = 0; i < k; i++) {
  const molId = `MOL${String(i + 1).padStart(5, '0')}`;
  changeStatus(baselineCsv, molId, 'Running', 'conformers');
  changeStatus(baselineCsv, molId, 'OK', 'done');
}
const baselineMeasuredS = seconds(start);
const baselineS = (baselineMeasuredS * n) / k;

const ms = (s: number): string => `${(s * 1000).toFixed(0)} ms`;
const fmt = (s: number): string => (s >= 100 ? `${s.toFixed(0)} s` : `${s.toFixed(2)} s`);
console.log(
  `bench/dataset-bookkeeping: ${n.toLocaleString('en-US')} molecules, no-op pipeline stage`,
);
console.log(`  import (insertMany)                   ${fmt(importS)}`);
console.log(`  select a batch of 50 (target ≤ 50 ms): ${selectMs.join(', ')}`);
console.log(
  `  retort: select → run → record         ${fmt(retortS)}  (${((retortS / n) * 1e6).toFixed(0)} µs per molecule; ${exporter.writeCount} CSV rewrites, ${ms(csvWriteS / Math.max(1, exporter.writeCount))} each, ${fmt(csvWriteS)} in all; ${counts.OK} OK)`,
);
console.log(
  `    of which store transitions and selection ${fmt(retortS - csvWriteS)} (${(((retortS - csvWriteS) / n) * 1e6).toFixed(0)} µs per molecule)`,
);
console.log(
  `  original design: CSV read+rewritten   ${fmt(baselineS)}  (EXTRAPOLATED linearly from the first ${k} molecules: ${fmt(baselineMeasuredS)} for ${2 * k} changes, ${ms(baselineMeasuredS / (2 * k))} per change)`,
);
console.log(`  ratio original / retort: ${(baselineS / retortS).toFixed(1)}`);
