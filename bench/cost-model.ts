/**
 * bench/cost-model — how well the cost model (src/runtime/scheduling/learned-cost.ts) predicts
 * the wall time of calcs from a real store's own timings.
 *
 * For each campaign named, over its successful attempts:
 *   - leave-one-out: the model learned from every other attempt predicts each one;
 *   - time split: the model learned from the attempts that ended first (the first half, or
 *     `--split F` of them) predicts the rest — what `retort estimate` does for the next batch.
 * Prints, per program and task, the attempts and the median and 90th percentile of the
 * relative error |predicted − actual| ÷ actual, for each size the power law can be fitted
 * against (calc-features.ts: basis_electrons, the model's own; electrons; atoms; heavy_atoms).
 * The baseline is the group's median time with no size at all ("median"): a size is worth its
 * fit only where it beats it.
 *
 * `--build DIR` first makes the two stores the README quotes, by real runs in DIR: a PM7
 * dataset campaign (`retort import examples/sample-dataset.csv`, then batches of 12, 24 and 24
 * molecules, 2 workers) and an MBE campaign (the water trimer, 3-body, cp + nocp + vmfc, MP2 and
 * HF/cc-pVDZ with psi4: 22 calcs, 2 workers).
 *
 * Usage: npm run build && node dist/bench/cost-model.js [--build DIR] [CAMPAIGN…] [--split F]
 * Every campaign named and built is measured. Needs, to build, obabel,
 * xtb, mopac and psi4; a few minutes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openCampaign } from '../src/runtime/campaign.js';
import {
  CostModel,
  type CostSample,
  type SizeFeature,
} from '../src/runtime/scheduling/learned-cost.js';
import type { AttemptTiming } from '../src/store/calc-store.js';
import { flagValue, repo, retortBin } from './bench-env.js';

const args = process.argv.slice(2);
const split = Number(flagValue('--split') ?? '0.5');
const buildDir = flagValue('--build');
const campaigns = args.filter(
  (a, i) => !a.startsWith('--') && !['--split', '--build'].includes(args[i - 1] ?? ''),
);

const TRIMER = `# Water trimer (QCManyBody's geometry), 3-body, cp + nocp + vmfc: subsystems of 1-3
# waters in bases of 1-3 waters (ghost atoms); MP2 for the 1-body level, HF above.
molecule:
  units: angstrom
  xyz: |
${[
  'O   -1.46250412  -0.65817848  -0.08172912',
  'H   -0.59457182  -1.09131142  -0.02774899',
  'H   -2.01506640  -1.10442208   0.56140626',
  '--',
  'O    1.30666878  -0.92837653  -0.09045165',
  'H    1.99165506  -1.17173277   0.53365460',
  'H    1.22027381   0.03756335  -0.02086267',
  '--',
  'O    0.15413837   1.59216524   0.10746803',
  'H   -0.64164350   1.03623958   0.05452284',
  'H    0.05292856   2.24878150  -0.58327012',
]
  .map((l) => `    ${l}`)
  .join('\n')}
driver: energy
bsse_type: [cp, nocp, vmfc]
max_nbody: 3
levels: { 1: mp2, 3: hf }
model_chemistries:
  mp2: { program: psi4, method: mp2, basis: cc-pvdz, keywords: { scf_type: pk } }
  hf: { program: psi4, method: hf, basis: cc-pvdz, keywords: { scf_type: pk } }
execution: { workers: 2, timeout_s: 1200 }
`;

function retort(cwd: string, ...argv: string[]): void {
  const r = spawnSync(process.execPath, [retortBin, ...argv], { cwd, encoding: 'utf8' });
  if (r.status !== 0) {
    console.log(`bench/cost-model: retort ${argv.join(' ')} failed:\n${r.stderr}`);
    process.exit(1);
  }
}

function build(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const pm7 = join(dir, 'pm7');
  const mbe = join(dir, 'mbe');
  if (!existsSync(pm7)) {
    retort(dir, 'init', pm7);
    retort(pm7, 'import', join(repo, 'examples', 'sample-dataset.csv'));
    for (const size of ['12', '24', '24']) {
      retort(
        pm7,
        'batch',
        'run',
        '--size',
        size,
        '--workers',
        '2',
        '--crest-timeout',
        '5',
        '--mopac-timeout',
        '10',
      );
    }
  }
  if (!existsSync(mbe)) {
    retort(dir, 'init', mbe);
    writeFileSync(join(mbe, 'water-trimer.yaml'), TRIMER);
    retort(mbe, 'mbe', 'run', 'water-trimer.yaml', '--workers', '2');
  }
  return [pm7, mbe];
}

const SIZES: readonly SizeFeature[] = ['basis_electrons', 'electrons', 'atoms', 'heavy_atoms'];

/** The relative errors of `model` on `attempts`, by program and task. */
type Errors = Map<string, number[]>;

function groupOf(t: AttemptTiming): string {
  return `${t.program} ${t.task}`;
}

function push(errors: Errors, group: string, predicted: number, actual: number): void {
  const list = errors.get(group) ?? [];
  list.push(Math.abs(predicted - actual) / actual);
  errors.set(group, list);
}

function sample(t: AttemptTiming): CostSample {
  return { spec: t.spec, durationS: t.durationS };
}

/** The model's prediction, or with `null` the group's median time (no size at all). */
function predictor(
  train: readonly AttemptTiming[],
  size: SizeFeature | null,
): (t: AttemptTiming) => number {
  if (size !== null) {
    const model = CostModel.learn(train.map(sample), size);
    return (t) => model.predict(t.spec).seconds;
  }
  const sizeless = train.map((t) => ({
    spec: { ...t.spec, molecule: undefined, structure: undefined },
    durationS: t.durationS,
  }));
  const model = CostModel.learn(sizeless);
  return (t) => model.predict({ ...t.spec, molecule: undefined, structure: undefined }).seconds;
}

function leaveOneOut(timings: readonly AttemptTiming[], size: SizeFeature | null): Errors {
  const errors: Errors = new Map();
  for (const [i, t] of timings.entries()) {
    const predict = predictor(
      timings.filter((_, j) => j !== i),
      size,
    );
    push(errors, groupOf(t), predict(t), t.durationS);
  }
  return errors;
}

function timeSplit(timings: readonly AttemptTiming[], size: SizeFeature | null): Errors {
  const ordered = [...timings].sort((a, b) => a.endedAt.localeCompare(b.endedAt));
  const cut = Math.round(ordered.length * split);
  const predict = predictor(ordered.slice(0, cut), size);
  const errors: Errors = new Map();
  for (const t of ordered.slice(cut)) push(errors, groupOf(t), predict(t), t.durationS);
  return errors;
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return (sorted[lo] ?? 0) + ((sorted[hi] ?? 0) - (sorted[lo] ?? 0)) * (at - lo);
}

const pct = (v: number): string => (Number.isNaN(v) ? '–' : `${(v * 100).toFixed(0)} %`);

function report(dir: string): void {
  const campaign = openCampaign(dir, { readonly: true });
  let timings: AttemptTiming[];
  try {
    timings = campaign.calcs.timings().filter((t) => t.durationS > 0);
  } finally {
    campaign.close();
  }
  const groups = [...new Set(timings.map(groupOf))].sort();
  console.log(
    `\n${dir}: ${String(timings.length)} successful attempts; time split: the first ${String(Math.round(split * 100))} % by end time predict the rest`,
  );
  const header = [
    'program task',
    'n',
    'size',
    'LOO median',
    'LOO p90',
    'split median',
    'split p90',
  ];
  const rows: string[][] = [];
  for (const size of [...SIZES, null]) {
    const loo = leaveOneOut(timings, size);
    const later = timeSplit(timings, size);
    for (const group of [...groups, 'all']) {
      const pick = (e: Errors): number[] =>
        group === 'all' ? [...e.values()].flat() : (e.get(group) ?? []);
      const l = pick(loo);
      const s = pick(later);
      rows.push([
        group,
        String(l.length),
        size ?? 'median',
        pct(quantile(l, 0.5)),
        pct(quantile(l, 0.9)),
        pct(quantile(s, 0.5)),
        pct(quantile(s, 0.9)),
      ]);
    }
  }
  rows.sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

const dirs = [...campaigns, ...(buildDir === undefined ? [] : build(resolve(buildDir)))];
if (dirs.length === 0) {
  console.log('usage: node dist/bench/cost-model.js [--build DIR] [CAMPAIGN…] [--split F]');
  process.exit(2);
}
for (const dir of dirs) report(resolve(dir));
