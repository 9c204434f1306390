/**
 * bench/import-30k — `retort import` at the size of ThermoCBS (~30,000 molecules).
 *
 * Synthesises N rows (default 30,000) in the ThermoCBS layout by cycling the SMILES of
 * examples/sample-dataset.csv and, when ../shared is present, of the ThermoCBS sample there
 * (1,041 real molecules, so the mix looks like the real dataset), imports them into a fresh
 * campaign with RDKit descriptors, and prints the time and molecules/s next to the target
 * (30,026 molecules in ≤ 60 s, issue "dataset import").
 *
 * Usage: npm run build && node dist/bench/import-30k.js [N] [--dir DIR]
 * DIR (default: the system temp dir) holds the campaign and the CSV; both are removed after.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { csvLine, parseCsv } from '../src/chem/csv.js';
import { loadRdkit } from '../src/chem/descriptors.js';
import { importDataset } from '../src/pipelines/pm7/import-dataset.js';
import { initCampaign, openCampaign } from '../src/runtime/campaign.js';

const TARGET_S = 60;
const TARGET_N = 30_026;

const args = process.argv.slice(2);
const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 30_000);
const dirFlag = args.indexOf('--dir');
const base = dirFlag >= 0 ? resolve(args[dirFlag + 1] ?? tmpdir()) : tmpdir();
// Compiled to dist/bench/, run from source through a loader: find the checkout either way.
const here = dirname(fileURLToPath(import.meta.url));
const repo = [resolve(here, '..'), resolve(here, '..', '..')].find((d) =>
  existsSync(join(d, 'examples', 'sample-dataset.csv')),
);
if (repo === undefined) throw new Error(`cannot find examples/sample-dataset.csv above ${here}`);
const sources = [
  join(repo, 'examples', 'sample-dataset.csv'),
  resolve(repo, '..', 'shared', 'data', 'thermocbs-sample', 'grimperium_thermo_pm7_head.csv'),
];

interface Seed {
  readonly smiles: string;
  readonly multiplicity: string;
  readonly charge: string;
}

const seeds: Seed[] = [];
for (const file of sources) {
  if (!existsSync(file)) {
    process.stdout.write(`(${file} absent: cycling the project's sample only)\n`);
    continue;
  }
  const table = parseCsv(readFileSync(file, 'utf8'), file);
  const col = (name: string): number => table.header.indexOf(name);
  for (const record of table.rows) {
    seeds.push({
      smiles: record.cells[col('smiles')] ?? '',
      multiplicity: record.cells[col('multiplicity')] ?? '1',
      charge: record.cells[col('charge')] ?? '0',
    });
  }
}

const work = mkdtempSync(join(base, 'retort-bench-import-'));
try {
  const csvPath = join(work, 'dataset.csv');
  let text = csvLine(['', 'smiles', 'multiplicity', 'charge', 'nheavy', 'H298_cbs']);
  for (let i = 0; i < n; i++) {
    const seed = seeds[i % seeds.length];
    if (seed === undefined) throw new Error('no SMILES to cycle');
    // Indices with gaps, as in ThermoCBS.
    text += csvLine([
      i + 1 + Math.floor(i / 7),
      seed.smiles,
      seed.multiplicity,
      seed.charge,
      '',
      (i % 97) - 40.5,
    ]);
  }
  writeFileSync(csvPath, text);

  const rdkitStart = process.hrtime.bigint();
  await loadRdkit();
  const rdkitS = Number(process.hrtime.bigint() - rdkitStart) / 1e9;

  const root = join(work, 'campaign');
  initCampaign(root);
  const campaign = openCampaign(root);
  let summary;
  try {
    summary = await importDataset(campaign, csvPath, {
      progress: (done, total) => process.stderr.write(`  ${done} / ${total}\n`),
    });
  } finally {
    campaign.close();
  }
  const perS = summary.imported / summary.time_s;
  const projected = (TARGET_N / perS).toFixed(1);
  process.stdout.write(
    [
      `import of ${summary.imported} molecules (${seeds.length} distinct seeds cycled): ${summary.time_s.toFixed(1)} s, ${Math.round(perS)} molecules/s`,
      `  RDKit start (once per process, not in the figure above): ${rdkitS.toFixed(2)} s`,
      `  invalid SMILES: ${summary.skipped_invalid}`,
      `  target: ${TARGET_N} molecules in ≤ ${TARGET_S} s → projected ${projected} s (${(Number(projected) / TARGET_S).toFixed(2)} × the budget)`,
      '',
    ].join('\n'),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
