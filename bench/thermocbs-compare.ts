/**
 * bench/thermocbs-compare — retort's PM7 pipeline against another project's CREST + PM7 run.
 *
 * Reads the ThermoCBS sample of `../shared/data/thermocbs-sample/` (the first 1,041 rows of
 * grimperium_V2's results: 683 molecules finished with CREST conformers + MOPAC PM7), runs the
 * finished molecules through `retort import` and `retort batch run` (conformers by the
 * built-in search when no `crest` is on PATH), and prints the mean absolute difference between
 * retort's `most_stable_hof` and their `H298_pm7`, overall and by subset, next to both
 * methods' error against the CBS-QB3 reference (`H298_cbs`). The report is also written to
 * `<dir>/report.md`. The sample is not part of the project: without `../shared` this prints
 * why and exits 0.
 *
 * The report also holds issue 10's targets, each marked met or not: for flexible molecules
 * (≥ 2 rotatable bonds) median |Δ| ≤ 0.3 and mean |Δ| ≤ 0.8 kcal/mol against the CREST + PM7
 * reference; the molecules more than 2 kcal/mol above or below it (those above are conformers
 * retort missed); carboxylic acids (SMARTS [CX3](=O)[OX2H1]) as a subset; and every geometry the
 * topology guard refused, from the molecules' details; and whether any molecule more than 2
 * kcal/mol above missed an X–H rotamer (see xhCheck).
 *
 * Usage: npm run build && node dist/bench/thermocbs-compare.js [N] [--dir DIR] [--ids ID,ID…]
 * [--sample CSV] [--report-only]. `--sample` reads the table from elsewhere than ../shared (a
 * worktree). N limits the number of molecules (default: all 683); `--ids` takes only the
 * finished molecules named (e.g. the outliers of an earlier run). A second call reuses the
 * campaign and runs only what is left (the store remembers every calc).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { csvLine, parseCsv } from '../src/chem/csv.js';
import { loadRdkit } from '../src/chem/descriptors.js';
import { isCarboxylicAcid } from '../src/chem/functional-groups.js';
import type { Atom } from '../src/chem/molecule.js';
import { XH_REFINEMENT_ROTAMERS, xhRotamers, xhRotors } from '../src/chem/xh-rotors.js';
import { moleculesOf } from '../src/pipelines/pm7/molecules.js';
import { openCampaign } from '../src/runtime/campaign.js';
import { repo, retortBin } from './bench-env.js';

const args = process.argv.slice(2);
const sampleFlag = args.indexOf('--sample');
const sample =
  sampleFlag >= 0
    ? resolve(args[sampleFlag + 1] ?? '')
    : resolve(repo, '..', 'shared', 'data', 'thermocbs-sample', 'grimperium_thermo_pm7_head.csv');
// The first bare number, not a flag's value (`--ids 1` is not a limit); an unknown flag is refused,
// so a number after it cannot be taken for the limit either.
const VALUE_FLAGS = ['--sample', '--dir', '--ids'];
const unknown = args.find(
  (a, i) =>
    a.startsWith('--') &&
    !VALUE_FLAGS.includes(a) &&
    a !== '--report-only' &&
    !VALUE_FLAGS.includes(args[i - 1] ?? ''),
);
if (unknown !== undefined) {
  console.error(
    `bench/thermocbs-compare: unknown flag ${unknown}; known: ${[...VALUE_FLAGS, '--report-only'].join(', ')}`,
  );
  process.exit(2);
}
const limit = Number(
  args.find((a, i) => /^\d+$/.test(a) && !VALUE_FLAGS.includes(args[i - 1] ?? '')) ??
    Number.POSITIVE_INFINITY,
);
const dirFlag = args.indexOf('--dir');
const dir = resolve(
  dirFlag >= 0 ? (args[dirFlag + 1] ?? '') : join(repo, 'bench', '.work', 'thermocbs'),
);

if (!existsSync(sample)) {
  console.log(
    `bench/thermocbs-compare: skipped: ${sample} is not here (it lives in ../shared, which a user's checkout does not have)`,
  );
  process.exit(0);
}

/** Corrupted H298_cbs values of the sample (a lost decimal point; see its README). */
const CORRUPTED = new Set(['mol_00439', 'mol_00809', 'mol_00862']);

const table = parseCsv(readFileSync(sample, 'utf8'), sample);
const col = (name: string): number => {
  const i = table.header.indexOf(name);
  if (i < 0) throw new Error(`${sample}: no column ${name}`);
  return i;
};
const [iId, iStatus, iSmiles, iMult, iCharge, iCbs, iPm7, iNrot] = [
  'mol_id',
  'status',
  'smiles',
  'multiplicity',
  'charge',
  'H298_cbs',
  'H298_pm7',
  'rdkit_nrotbonds',
].map(col) as [number, number, number, number, number, number, number, number];
const idsFlag = args.indexOf('--ids');
const ids = idsFlag >= 0 ? new Set((args[idsFlag + 1] ?? '').split(',')) : undefined;
const finished = table.rows
  .filter((r) => r.cells[iStatus] === 'OK' && (ids === undefined || ids.has(r.cells[iId] ?? '')))
  .slice(0, limit);

mkdirSync(dir, { recursive: true });
const retort = (...argv: string[]): number =>
  spawnSync(process.execPath, [retortBin, '--campaign', join(dir, 'campaign'), ...argv], {
    stdio: 'inherit',
  }).status ?? 1;
if (!existsSync(join(dir, 'campaign', 'retort.yaml'))) {
  spawnSync(process.execPath, [retortBin, 'init', join(dir, 'campaign')], { stdio: 'inherit' });
  const input = join(dir, 'finished.csv');
  writeFileSync(
    input,
    [
      csvLine(['mol_id', 'smiles', 'multiplicity', 'charge', 'H298_pm7', 'H298_cbs']),
      ...finished.map((r) =>
        csvLine([iId, iSmiles, iMult, iCharge, iPm7, iCbs].map((i) => r.cells[i] ?? '')),
      ),
    ].join(''),
  );
  if (retort('import', input, '--reference', 'H298_pm7') !== 0) process.exit(1);
}
const started = Date.now();
// --report-only: the report of what the campaign holds now, without running anything (e.g.
// while a long run goes on in another process, or after stopping it with `retort stop`).
const reportOnly = args.includes('--report-only');
for (; !reportOnly;) {
  const campaign = openCampaign(join(dir, 'campaign'), { readonly: true });
  const store = moleculesOf(campaign);
  const running = store.batches().find((b) => b.status === 'Running' || b.status === 'Stopped');
  const counts = store.counts();
  const pending = counts.Pending + counts.Rerun;
  campaign.close();
  if (running !== undefined)
    retort(
      'batch',
      'resume',
      running.batch_id,
      '--workers',
      '2',
      '--headless',
      '--failure-threshold',
      '0',
    );
  else if (pending > 0)
    retort(
      'batch',
      'run',
      '--size',
      String(pending),
      '--crest-timeout',
      '10',
      '--mopac-timeout',
      '30',
      '--workers',
      '2',
      '--headless',
      '--failure-threshold',
      '0',
    );
  else break;
}
const wallS = (Date.now() - started) / 1000;

interface Row {
  readonly id: string;
  readonly smiles: string;
  readonly mult: number;
  readonly nrot: number;
  readonly cbs: number;
  readonly theirs: number;
  readonly ours: number;
  readonly acid: boolean;
}
const campaign = openCampaign(join(dir, 'campaign'), { readonly: true });
const ours = new Map(
  moleculesOf(campaign)
    .all()
    .map((m) => [m.mol_id, { hof: m.most_stable_hof_kcal_mol, detail: m.detail }]),
);
const rejections = [...ours].flatMap(([id, r]) =>
  (r.detail?.topology_rejections ?? []).map(
    (t) =>
      `- ${id}: ${t.check}${t.conformer === null ? '' : ` (conformer ${String(t.conformer)})`}: ${t.changes.join('; ')}`,
  ),
);
const secondsPerMolecule = [...ours.values()].flatMap((r) =>
  r.hof === null || r.detail === null ? [] : [r.detail.total_execution_time_s],
);
const methods = new Map<string, number>();
for (const r of ours.values()) {
  if (r.hof === null) continue;
  const method = r.detail?.conformer_search.method ?? 'none';
  methods.set(method, (methods.get(method) ?? 0) + 1);
}
campaign.close();
const rdkit = await loadRdkit();
const rows: Row[] = [];
for (const r of finished) {
  const id = r.cells[iId] ?? '';
  const mine = ours.get(id);
  if (mine?.hof === null || mine?.hof === undefined) continue;
  rows.push({
    id,
    smiles: r.cells[iSmiles] ?? '',
    mult: Number(r.cells[iMult]),
    nrot: Number(r.cells[iNrot]),
    cbs: Number(r.cells[iCbs]),
    theirs: Number(r.cells[iPm7]),
    ours: mine.hof,
    acid: await isCarboxylicAcid(rdkit, r.cells[iSmiles] ?? ''),
  });
}

const stats = (xs: number[]): string => {
  if (xs.length === 0) return 'n = 0';
  const abs = xs.map(Math.abs).sort((a, b) => a - b);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const mad = abs.reduce((a, b) => a + b, 0) / xs.length;
  const median = abs[Math.floor(abs.length / 2)] ?? 0;
  return `n = ${xs.length}, mean |Δ| = ${mad.toFixed(2)}, mean Δ = ${mean.toFixed(2)}, median |Δ| = ${median.toFixed(2)}, max |Δ| = ${(abs.at(-1) ?? 0).toFixed(2)}`;
};
const subsets: [string, (r: Row) => boolean][] = [
  ['all finished molecules', () => true],
  ['closed shell (multiplicity 1)', (r) => r.mult === 1],
  ['radicals (multiplicity 2)', (r) => r.mult === 2],
  ['rigid (≤ 1 rotatable bond)', (r) => r.nrot <= 1],
  ['flexible (≥ 2 rotatable bonds)', (r) => r.nrot >= 2],
  ['carboxylic acids', (r) => r.acid],
];
const absDiffs = (keep: (r: Row) => boolean): number[] =>
  rows
    .filter(keep)
    .map((r) => Math.abs(r.ours - r.theirs))
    .sort((a, b) => a - b);
const flexible = absDiffs((r) => r.nrot >= 2);
const flexMedian = flexible[Math.floor(flexible.length / 2)] ?? Number.NaN;
const flexMean = flexible.reduce((a, b) => a + b, 0) / flexible.length;
const above = rows.filter((r) => r.ours - r.theirs > 2);
const below = rows.filter((r) => r.ours - r.theirs < -2);
const mark = (ok: boolean): string => (ok ? 'met' : 'NOT met');

/** What the X–H rotamer check found for one molecule more than 2 kcal/mol above. */
interface XhCheck {
  readonly id: string;
  readonly rotamers: number;
  /** The lowest PM7 heat of formation of the rotamers, kcal/mol; null when none ran. */
  readonly lowest: number | null;
  readonly theirs: number;
}

/**
 * Issue 10's X–H target: no molecule more than 2 kcal/mol above the reference because of a
 * missed X–H rotamer. A molecule that missed one would come within 2 kcal/mol once the X–H
 * rotors (COOH, OH, NH) of its most stable MOPAC geometry are turned: every combination of
 * their targets (src/chem/xh-rotors.ts, up to 27) is optimised again with the molecule's own
 * MOPAC calc spec, through `retort run` (the calcs stay in the campaign's store, so a second
 * call reads them back). A molecule without X–H rotors cannot have missed one.
 */
function xhCheck(targets: readonly Row[]): XhCheck[] {
  const campaign = openCampaign(join(dir, 'campaign'), { readonly: true });
  const lines: object[] = [];
  const planned: { readonly row: Row; readonly labels: string[] }[] = [];
  try {
    const store = moleculesOf(campaign);
    for (const row of targets) {
      const best = (store.get(row.id)?.detail?.conformers ?? [])
        .filter((c) => c.is_successful && c.energy_hof !== null && c.mopac_calc_key !== null)
        .sort((a, b) => (a.energy_hof ?? 0) - (b.energy_hof ?? 0))[0];
      const calc = best?.mopac_calc_key ? campaign.calcs.get(best.mopac_calc_key) : undefined;
      const geometry = calc?.result?.geometry as Atom[] | undefined;
      if (calc === undefined || geometry === undefined || xhRotors(geometry).length === 0) {
        planned.push({ row, labels: [] });
        continue;
      }
      const labels: string[] = [];
      for (const [i, atoms] of xhRotamers(geometry, XH_REFINEMENT_ROTAMERS).entries()) {
        const label = `${row.id} X–H rotamer ${String(i + 1)}`;
        labels.push(label);
        lines.push({
          program: 'mopac',
          task: 'optimize',
          method: calc.spec.method,
          keywords: calc.spec.keywords ?? [],
          atoms: atoms.map((a) => [a.element, a.x, a.y, a.z]),
          charge: calc.spec.molecule?.charge ?? 0,
          multiplicity: calc.spec.molecule?.multiplicity ?? 1,
          label,
        });
      }
      planned.push({ row, labels });
    }
  } finally {
    campaign.close();
  }
  const hof = new Map<string, number>();
  if (lines.length > 0) {
    const file = join(dir, 'xh-rotamers.jsonl');
    writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    const r = spawnSync(
      process.execPath,
      [
        retortBin,
        '--campaign',
        join(dir, 'campaign'),
        'run',
        file,
        '--workers',
        '2',
        '--json',
        '--quiet',
      ],
      { encoding: 'utf8', maxBuffer: 1 << 28 },
    );
    const results = JSON.parse(r.stdout || '[]') as {
      label: string;
      status: string;
      result: { heat_of_formation_kcal_mol?: number } | null;
    }[];
    for (const x of results) {
      const value = x.result?.heat_of_formation_kcal_mol;
      if (x.status === 'succeeded' && value !== undefined) hof.set(x.label, value);
    }
  }
  return planned.map(({ row, labels }) => {
    const values = labels.flatMap((l) => hof.get(l) ?? []);
    return {
      id: row.id,
      rotamers: labels.length,
      lowest: values.length === 0 ? null : Math.min(...values),
      theirs: row.theirs,
    };
  });
}
// --report-only leaves the campaign to whatever holds it (a batch may be running).
const xh = reportOnly ? undefined : xhCheck(above);
const xhMissed = (xh ?? []).filter((c) => c.lowest !== null && c.lowest - c.theirs <= 2);
const meanSeconds =
  secondsPerMolecule.reduce((a, b) => a + b, 0) / Math.max(1, secondsPerMolecule.length);
const clean = rows.filter((r) => !CORRUPTED.has(r.id));
const lines = [
  `# retort vs grimperium_V2 (CREST + PM7) on the ThermoCBS sample`,
  '',
  `${rows.length} of ${finished.length} finished molecules have a retort heat of formation so far (conformers by ${[...methods].map(([m, n]) => `${m === 'builtin' ? 'the built-in search (Open Babel + GFN2-xTB)' : m}: ${n}`).join(', ')}); wall time of this call ${wallS.toFixed(0)} s.`,
  '',
  `## retort most_stable_hof − their H298_pm7 (kcal/mol)`,
  ...subsets.map(
    ([name, keep]) => `- ${name}: ${stats(rows.filter(keep).map((r) => r.ours - r.theirs))}`,
  ),
  '',
  `## issue 10's targets`,
  `- flexible median |Δ| ≤ 0.3: ${flexMedian.toFixed(2)} (${mark(flexMedian <= 0.3)})`,
  `- flexible mean |Δ| ≤ 0.8: ${flexMean.toFixed(2)} (${mark(flexMean <= 0.8)})`,
  `- more than 2 kcal/mol above the reference (missed conformers): ${String(above.length)}${above.length === 0 ? '' : ` — ${above.map((r) => r.id).join(', ')}`}`,
  xh === undefined
    ? `- none of them more than 2 kcal/mol above because of a missed X–H rotamer: not checked (--report-only)`
    : `- none of them more than 2 kcal/mol above because of a missed X–H rotamer: ${xhMissed.length === 0 ? 'met' : `NOT met — ${xhMissed.map((c) => c.id).join(', ')}`} (the X–H rotamers of each one's most stable geometry, optimised again: ${xh.map((c) => (c.rotamers === 0 ? `${c.id} has no X–H rotor` : `${c.id} ${String(c.rotamers)} rotamers, lowest ${c.lowest === null ? 'none ran' : `Δ ${(c.lowest - c.theirs).toFixed(2)}`}`)).join('; ') || 'none to check'})`,
  `- more than 2 kcal/mol below the reference: ${String(below.length)}${below.length === 0 ? '' : ` — ${below.map((r) => r.id).join(', ')}`}`,
  `- time per molecule (pipeline, as recorded in the details): ${meanSeconds.toFixed(1)} s`,
  '',
  `## geometries refused by the topology guard (${String(rejections.length)})`,
  ...(rejections.length === 0 ? ['- none'] : rejections),
  '',
  `## error against CBS-QB3 H298_cbs (kcal/mol; the 3 corrupted reference rows left out)`,
  `- retort: ${stats(clean.map((r) => r.ours - r.cbs))}`,
  `- grimperium (CREST): ${stats(clean.map((r) => r.theirs - r.cbs))}`,
  '',
  `## largest differences`,
  ...[...rows]
    .sort((a, b) => Math.abs(b.ours - b.theirs) - Math.abs(a.ours - a.theirs))
    .slice(0, 10)
    .map(
      (r) =>
        `- ${r.id} ${r.smiles}: retort ${r.ours.toFixed(2)}, theirs ${r.theirs.toFixed(2)} (Δ ${(r.ours - r.theirs).toFixed(2)})`,
    ),
];
const report = `${lines.join('\n')}\n`;
writeFileSync(join(dir, 'report.md'), report);
console.log(report);
