/**
 * bench/search-dynamics — what the built-in conformer search's GFN-FF dynamics cost and what
 * they find: the same molecules run as one PM7 batch twice, in two fresh campaigns, first with
 * `--no-dynamics` (the baseline: Open Babel's conformers and their variants alone), then with
 * the dynamics. Prints the wall time of each and their ratio, the calcs each ran, and per
 * molecule the most stable heat of formation both ways (lower with the dynamics: a conformer
 * the baseline missed).
 *
 * Usage: npm run build && node dist/bench/search-dynamics.js [--csv FILE] [--dir DIR] [--workers N]
 * FILE: a dataset in the ThermoCBS layout (default examples/sample-dataset.csv, 60 small
 * molecules: about 3 minutes each way on 2 cores). DIR is emptied first (default
 * bench/.work/search-dynamics).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { flagValue, repo, retortBin } from './bench-env.js';

const csv = resolve(flagValue('--csv') ?? join(repo, 'examples', 'sample-dataset.csv'));
const dir = resolve(flagValue('--dir') ?? join(repo, 'bench', '.work', 'search-dynamics'));
const workers = flagValue('--workers') ?? '2';

interface Run {
  readonly wallS: number;
  readonly calcs: number;
  readonly hofs: ReadonlyMap<string, { smiles: string; hof: number | null }>;
}

function run(name: string, flags: readonly string[]): Run {
  const campaign = join(dir, name);
  const retort = (...argv: string[]): void => {
    const r = spawnSync(process.execPath, [retortBin, '--campaign', campaign, ...argv], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (r.status !== 0) throw new Error(`retort ${argv.join(' ')} exited ${String(r.status)}`);
  };
  spawnSync(process.execPath, [retortBin, 'init', campaign], { stdio: 'ignore' });
  retort('import', csv);
  const started = Date.now();
  retort('batch', 'run', '--size', '100000', '--workers', workers, '--headless', ...flags);
  const wallS = (Date.now() - started) / 1000;
  const db = new Database(join(campaign, 'retort.db'), { readonly: true });
  try {
    const calcs = db.prepare('SELECT COUNT(*) FROM attempts').pluck().get() as number;
    const rows = db
      .prepare<[], { id: string; smiles: string; hof: number | null }>(
        `SELECT item_id AS id, json_extract(payload_json, '$.smiles') AS smiles,
                json_extract(result_json, '$.most_stable_hof_kcal_mol') AS hof
         FROM items ORDER BY item_id`,
      )
      .all();
    return { wallS, calcs, hofs: new Map(rows.map((r) => [r.id, r])) };
  } finally {
    db.close();
  }
}

rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const without = run('without', ['--no-dynamics']);
const withDynamics = run('with', []);

console.log(`# GFN-FF dynamics in the built-in search (${csv}, ${workers} workers)\n`);
console.log('| search | wall time (s) | calcs |');
console.log('|---|---|---|');
console.log(`| --no-dynamics (baseline) | ${without.wallS.toFixed(1)} | ${without.calcs} |`);
console.log(`| with dynamics | ${withDynamics.wallS.toFixed(1)} | ${withDynamics.calcs} |`);
console.log(`\nwall time with / without: ${(withDynamics.wallS / without.wallS).toFixed(2)}×\n`);

let lower = 0;
let higher = 0;
const changed: string[] = [];
for (const [id, a] of without.hofs) {
  const b = withDynamics.hofs.get(id);
  if (a.hof === null || b?.hof === null || b === undefined) continue;
  const delta = b.hof - a.hof;
  if (delta < -0.05) lower++;
  if (delta > 0.05) higher++;
  if (Math.abs(delta) > 0.05) {
    changed.push(
      `| ${id} | ${a.smiles} | ${a.hof.toFixed(2)} | ${b.hof.toFixed(2)} | ${delta.toFixed(2)} |`,
    );
  }
}
console.log(
  `most stable PM7 heat of formation: ${lower} molecules lower with the dynamics, ${higher} higher, the rest within 0.05 kcal/mol`,
);
if (changed.length > 0) {
  console.log('\n| molecule | SMILES | without | with | Δ (kcal/mol) |\n|---|---|---|---|---|');
  for (const line of changed) console.log(line);
}
