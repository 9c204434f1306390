/**
 * bench/batch-estimate — how well `retort estimate --batch` predicts a batch of larger molecules
 * from a campaign's smaller ones: the optimisations each molecule runs and the batch's wall time.
 *
 * In DIR (made once, reused when there): a PM7 campaign on `examples/sample-dataset.csv`, its
 * first two batches run (12 and 24 molecules, easiest first, as `retort batch run` picks them:
 * small and mostly rigid), then a third batch of 24 selected and not run (the larger and more
 * flexible rest). That batch is estimated by this build's `retort estimate --batch` (and, with
 * `--before BIN`, by another build's `bin/retort.js`, e.g. one from before the per-molecule
 * counts), then run with `retort batch resume`, and the predictions are compared with what ran:
 * the batch's wall time, and per molecule its GFN2-xTB and MOPAC optimisations (counted by the
 * pipeline's calc labels, `<mol_id> conformer <n> xtb opt`, and `<mol_id> conformer <n>` with
 * `<mol_id> X–H rotamer <n>`, straight from the store).
 *
 * It also prints the batch's calc time per program against the cost model's predictions of each
 * calc (the runner records them as it starts a calc): the error that is left once the counts
 * are right. The estimates and the run's wall time are kept in DIR (estimates.json, run.json):
 * a second call only reports.
 *
 * Then, on the campaign (and on every CAMPAIGN named), leave-one-out: each finished molecule's
 * optimisations predicted from all the others' — per shape (optimisation-counts.ts) and by one
 * campaign-wide mean (the rule before) — as the mean absolute error per molecule.
 *
 * Usage: npm run build && node dist/bench/batch-estimate.js --dir DIR [--before BIN] [CAMPAIGN…]
 * Needs obabel, xtb and mopac; about 10 minutes on 2 cores.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { loadRdkit } from '../src/chem/descriptors.js';
import { smilesAtoms } from '../src/chem/smiles-atoms.js';
import { startBatch } from '../src/pipelines/pm7/batch-lifecycle.js';
import { moleculesOf } from '../src/pipelines/pm7/molecules.js';
import {
  moleculeShape,
  OptimisationCounts,
  ranOptimisations,
  type CountSample,
} from '../src/pipelines/pm7/optimisation-counts.js';
import { openCampaign } from '../src/runtime/campaign.js';
import { flagValue, repo, retortBin } from './bench-env.js';

const args = process.argv.slice(2);
const dirFlag = flagValue('--dir');
const beforeBin = flagValue('--before');
const others = args.filter(
  (a, i) => !a.startsWith('--') && !['--dir', '--before'].includes(args[i - 1] ?? ''),
);
if (dirFlag === undefined) {
  console.log('usage: node dist/bench/batch-estimate.js --dir DIR [--before BIN]');
  process.exit(2);
}
const dir = resolve(dirFlag);
const campaignDir = join(dir, 'pm7');
const BATCH = 'batch_0003';
const TIMEOUTS = ['--crest-timeout', '5', '--mopac-timeout', '10'];

function retort(bin: string, ...argv: string[]): string {
  const r = spawnSync(process.execPath, [bin, ...argv], { cwd: campaignDir, encoding: 'utf8' });
  if (r.status !== 0) {
    console.log(`bench/batch-estimate: retort ${argv.join(' ')} failed:\n${r.stderr}`);
    process.exit(1);
  }
  return r.stdout;
}

interface EstimateJson {
  readonly rows: { label: string; program: string; calcs: number }[];
  readonly wall_s: number;
}

/** Per molecule, the optimisations an estimate's rows stand for. */
function predictedCounts(e: EstimateJson): Map<string, { xtb: number; mopac: number }> {
  const out = new Map<string, { xtb: number; mopac: number }>();
  for (const row of e.rows) {
    const id = row.label.split(' ')[0] ?? '';
    const c = out.get(id) ?? { xtb: 0, mopac: 0 };
    if (row.program === 'xtb') c.xtb += row.calcs;
    if (row.program === 'mopac') c.mopac += row.calcs;
    out.set(id, c);
  }
  return out;
}

if (!existsSync(campaignDir)) {
  mkdirSync(dir, { recursive: true });
  const init = spawnSync(process.execPath, [retortBin, 'init', campaignDir], { encoding: 'utf8' });
  if (init.status !== 0) process.exit(1);
  retort(retortBin, 'import', join(repo, 'examples', 'sample-dataset.csv'));
  for (const size of ['12', '24']) {
    retort(retortBin, 'batch', 'run', '--size', size, '--workers', '2', '--headless', ...TIMEOUTS);
  }
  const campaign = openCampaign(campaignDir, {});
  try {
    await startBatch(campaign, {
      size: 24,
      strategy: 'rerun_first_then_easy',
      seed: 1,
      policy: 'partial_ok',
      max_retries: 3,
      workers: 2,
      crest_timeout_min: 5,
      mopac_timeout_min: 10,
      max_conformers: 5,
    });
  } finally {
    campaign.close();
  }
}

// The estimates and the run are kept in DIR, so that a second call only reports.
const estimatesFile = join(dir, 'estimates.json');
if (!existsSync(estimatesFile)) {
  const made: [string, EstimateJson][] = [];
  if (beforeBin !== undefined) {
    made.push([
      'before',
      JSON.parse(
        retort(resolve(beforeBin), 'estimate', '--batch', BATCH, '--json'),
      ) as EstimateJson,
    ]);
  }
  made.push([
    'after',
    JSON.parse(retort(retortBin, 'estimate', '--batch', BATCH, '--json')) as EstimateJson,
  ]);
  writeFileSync(estimatesFile, JSON.stringify(made));
}
const estimates = JSON.parse(readFileSync(estimatesFile, 'utf8')) as [string, EstimateJson][];
const runFile = join(dir, 'run.json');
if (!existsSync(runFile)) {
  const began = Date.now();
  retort(retortBin, 'batch', 'resume', BATCH, '--headless');
  writeFileSync(runFile, JSON.stringify({ wall_s: (Date.now() - began) / 1000 }));
}
const wallS = (JSON.parse(readFileSync(runFile, 'utf8')) as { wall_s: number }).wall_s;

const db = new Database(join(campaignDir, 'retort.db'), { readonly: true });
const ids = (
  db
    .prepare('SELECT item_id FROM items WHERE batch_id = ? ORDER BY batch_order')
    .pluck()
    .all(BATCH) as string[]
).filter((id) => estimates.some(([, e]) => predictedCounts(e).has(id)));
const count = db.prepare(
  `SELECT COUNT(DISTINCT c.key) FROM calcs c JOIN attempts a ON a.calc_key = c.key
    WHERE a.status = 'succeeded' AND c.program = ? AND c.task = 'optimize' AND c.label GLOB ?`,
);
const actual = new Map(
  ids.map((id) => [
    id,
    {
      xtb: count.pluck().get('xtb', `${id} conformer [0-9]* xtb opt`) as number,
      mopac:
        (count.pluck().get('mopac', `${id} conformer [0-9]*`) as number) +
        (count.pluck().get('mopac', `${id} X–H rotamer [0-9]*`) as number),
    },
  ]),
);
const smiles = new Map(
  (
    db
      .prepare(
        `SELECT item_id, json_extract(payload_json, '$.smiles') AS smiles,
                json_extract(payload_json, '$.nrotbonds') AS nrot FROM items WHERE batch_id = ?`,
      )
      .all(BATCH) as { item_id: string; smiles: string; nrot: number }[]
  ).map((r) => [r.item_id, `${r.smiles} (${r.nrot})`]),
);
// The calc time of the batch by program, against what the cost model predicted for each calc
// when the runner started it (learned from every calc that had ended by then).
const byProgram = db
  .prepare(
    `SELECT c.program, COUNT(*) AS calcs, SUM(a.duration_s) AS actual_s, SUM(a.predicted_s) AS predicted_s
       FROM calcs c JOIN attempts a ON a.calc_key = c.key
       JOIN items i ON i.batch_id = ? AND c.label GLOB i.item_id || ' *'
      WHERE a.status = 'succeeded' GROUP BY c.program ORDER BY c.program`,
  )
  .all(BATCH) as { program: string; calcs: number; actual_s: number; predicted_s: number | null }[];
db.close();

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
console.log(`${BATCH}: ${ids.length} molecules, run on 2 workers in ${wallS.toFixed(0)} s\n`);
console.log(
  [
    'molecule (rotatable bonds)',
    'xtb actual',
    ...estimates.map(([n]) => `xtb ${n}`),
    'MOPAC actual',
    ...estimates.map(([n]) => `MOPAC ${n}`),
  ].join(' | '),
);
for (const id of ids) {
  const a = actual.get(id);
  const p = estimates.map(([, e]) => predictedCounts(e).get(id));
  console.log(
    [
      `${id} ${smiles.get(id) ?? ''}`,
      a?.xtb,
      ...p.map((c) => c?.xtb),
      a?.mopac,
      ...p.map((c) => c?.mopac),
    ].join(' | '),
  );
}
const totals = {
  xtb: sum(ids.map((id) => actual.get(id)?.xtb ?? 0)),
  mopac: sum(ids.map((id) => actual.get(id)?.mopac ?? 0)),
};
console.log(
  `\n| estimate | xtb optimisations | MOPAC optimisations | mean abs. error per molecule (xtb / MOPAC) | wall time, 2 workers |`,
);
console.log(`| actual | ${totals.xtb} | ${totals.mopac} | | ${wallS.toFixed(0)} s |`);
for (const [name, e] of estimates) {
  const p = predictedCounts(e);
  const err = (k: 'xtb' | 'mopac'): string =>
    (
      sum(ids.map((id) => Math.abs((p.get(id)?.[k] ?? 0) - (actual.get(id)?.[k] ?? 0)))) /
      ids.length
    ).toFixed(1);
  console.log(
    `| ${name} | ${sum(ids.map((id) => p.get(id)?.xtb ?? 0))} | ${sum(ids.map((id) => p.get(id)?.mopac ?? 0))} | ${err('xtb')} / ${err('mopac')} | ${e.wall_s.toFixed(0)} s (${(e.wall_s / wallS).toFixed(2)} × actual) |`,
  );
}
console.log(
  `\n| program | calcs run | their time, s | the cost model's prediction for each when it started, summed, s |`,
);
for (const p of byProgram) {
  console.log(
    `| ${p.program} | ${p.calcs} | ${p.actual_s.toFixed(0)} | ${(p.predicted_s ?? 0).toFixed(0)} |`,
  );
}

/** Leave-one-out over a campaign's finished molecules (built-in search). */
async function leaveOneOut(root: string): Promise<void> {
  const campaign = openCampaign(root, {});
  const rdkit = await loadRdkit();
  const samples: CountSample[] = [];
  try {
    const all = moleculesOf(campaign).all();
    const ran = ranOptimisations(campaign, all, false);
    for (const m of all) {
      const count = ran.get(m.mol_id);
      if (count === undefined) continue;
      const graph = (await smilesAtoms(rdkit, m.smiles))?.graph ?? null;
      samples.push({ shape: moleculeShape(m.nrotbonds, graph), ...count });
    }
  } finally {
    campaign.close();
  }
  const error = { shape: { xtb: 0, mopac: 0 }, mean: { xtb: 0, mopac: 0 } };
  for (const s of samples) {
    const rest = samples.filter((o) => o !== s);
    const p = OptimisationCounts.learn(rest).predict(s.shape, 5);
    const mean = (k: 'xtb' | 'mopac'): number =>
      Math.max(1, Math.round(sum(rest.map((o) => o[k])) / Math.max(1, rest.length)));
    error.shape.xtb += Math.abs(p.xtb - s.xtb);
    error.shape.mopac += Math.abs(p.mopac - s.mopac);
    error.mean.xtb += Math.abs(mean('xtb') - s.xtb);
    error.mean.mopac += Math.abs(mean('mopac') - s.mopac);
  }
  const n = Math.max(1, samples.length);
  const f = (e: { xtb: number; mopac: number }): string =>
    `${(e.xtb / n).toFixed(2)} / ${(e.mopac / n).toFixed(2)}`;
  console.log(
    `| ${root} | ${samples.length} | ${(sum(samples.map((s) => s.xtb)) / n).toFixed(1)} | ${f(error.shape)} | ${f(error.mean)} |`,
  );
}

console.log(
  '\n| leave-one-out: campaign | molecules | xtb optimisations per molecule | mean error per molecule, xtb / MOPAC: per shape | by one campaign-wide mean |',
);
for (const root of [campaignDir, ...others.map((o) => resolve(o))]) await leaveOneOut(root);
