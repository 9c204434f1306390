/**
 * bench/scheduling — retort's calc order (priority, then longest predicted first) against a
 * random order, on 2 workers, with real psi4 and xtb calcs of a skewed cost: a few large
 * (B3LYP/def2-SVP of benzene and ethanol), many small (HF/def2-SVP of 6 molecules of one or
 * two heavy atoms, GFN2-xTB of 20 small organic molecules). With these shares a random order is,
 * on average, about 15 % longer than longest first (list scheduling replayed on such times);
 * more large calcs, or more small work, make the orders closer.
 *
 * Each order runs in a fresh campaign (nothing cached) through the real CLI (`retort run
 * --workers 2`): the random order is the calc list shuffled with a seeded generator and given
 * descending `priority:` values, so that the runner starts the calcs in exactly that order;
 * retort's order is the same list without priorities (a fresh store: the cost model has only
 * its heuristic). Prints for each order its makespan (first start to last end of the run's
 * attempts, from the store) against the lower bound max(total work ÷ 2, longest calc), the
 * ratio of the two makespans, the mean makespan of 2,000 random orders replayed on the measured
 * calc times (list scheduling, no new runs), and the cost model's median relative error: the
 * model learned from the random run's store predicting every calc of the other run.
 *
 * Usage: npm run build && node dist/bench/scheduling.js [--seed N] [--dir DIR]
 * Needs psi4, xtb and obabel. Wall time: about twice the total work ÷ 2, a few minutes.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCampaign } from '../src/runtime/campaign.js';
import { CostModel, median } from '../src/runtime/scheduling/learned-cost.js';
import type { AttemptTiming } from '../src/store/calc-store.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const seed = Number(flag('--seed') ?? '7');
const base = resolve(flag('--dir') ?? join(repo, 'bench', '.work', 'scheduling'));
const retortBin = join(repo, 'bin', 'retort.js');
const WORKERS = 2;

for (const [program, flag] of [
  ['psi4', '--version'],
  ['xtb', '--version'],
  ['obabel', '-V'],
] as const) {
  if (spawnSync(program, [flag], { stdio: 'ignore', cwd: tmpdir() }).status !== 0) {
    console.log(`bench/scheduling: skipped: ${program} is not installed`);
    process.exit(0);
  }
}

const LARGE = ['c1ccccc1', 'CCO'];
const MEDIUM = ['O', 'N', 'C', 'F', 'CO', 'CC'];
const SMALL = [
  'CCC',
  'CCO',
  'C=CC',
  'CC=O',
  'OC=O',
  'CC#N',
  'NC=O',
  'CCl',
  'FC(F)F',
  'C1CC1',
  'CCN',
  'COC',
  'CS',
  'O=C=O',
  'CC(C)C',
  'OCC=O',
  'C1CCC1',
  'CC(=O)O',
  'NCC(=O)O',
  'c1ccoc1',
];

type Atom = [string, number, number, number];

/** A 3D geometry from Open Babel (not a calc: the same geometry goes into both runs). */
function geometry(smiles: string): Atom[] {
  const r = spawnSync('obabel', [`-:${smiles}`, '--gen3d', '-oxyz'], { encoding: 'utf8' });
  return r.stdout
    .trim()
    .split('\n')
    .slice(2)
    .map((line) => {
      const [el, x, y, z] = line.trim().split(/\s+/);
      return [el ?? '', Number(x), Number(y), Number(z)];
    });
}

interface Line {
  readonly program: string;
  readonly task: 'energy';
  readonly method: string;
  readonly basis?: string;
  readonly atoms: Atom[];
  readonly label: string;
  readonly walltime_s: number;
}

const lines: Line[] = [
  ...LARGE.map((s) => ({
    program: 'psi4',
    task: 'energy' as const,
    method: 'b3lyp',
    basis: 'def2-svp',
    atoms: geometry(s),
    label: `psi4 b3lyp ${s}`,
    walltime_s: 1800,
  })),
  ...MEDIUM.map((s) => ({
    program: 'psi4',
    task: 'energy' as const,
    method: 'hf',
    basis: 'def2-svp',
    atoms: geometry(s),
    label: `psi4 hf ${s}`,
    walltime_s: 600,
  })),
  ...SMALL.map((s) => ({
    program: 'xtb',
    task: 'energy' as const,
    method: 'GFN2',
    atoms: geometry(s),
    label: `xtb ${s}`,
    walltime_s: 600,
  })),
];

/** A seeded shuffle (mulberry32 + Fisher–Yates). */
function shuffled<T>(items: readonly T[], s: number): T[] {
  let a = s >>> 0;
  const random = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

interface Measured {
  readonly makespanS: number;
  readonly workS: number;
  readonly longestS: number;
  readonly timings: AttemptTiming[];
}

function runOrder(name: string, calcLines: readonly object[]): Measured {
  const dir = join(base, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const campaignDir = join(dir, 'campaign');
  spawnSync(process.execPath, [retortBin, 'init', campaignDir], { stdio: 'ignore' });
  const file = join(dir, 'calcs.jsonl');
  writeFileSync(file, `${calcLines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  const r = spawnSync(
    process.execPath,
    [
      retortBin,
      '-C',
      campaignDir,
      'run',
      file,
      '--workers',
      String(WORKERS),
      '--headless',
      '--json',
    ],
    { encoding: 'utf8', cwd: dir, maxBuffer: 1 << 26 },
  );
  if (r.status !== 0) {
    console.log(
      `bench/scheduling: the ${name} run failed (status ${String(r.status)}):\n${r.stderr}`,
    );
    process.exit(1);
  }
  const campaign = openCampaign(campaignDir, { readonly: true });
  try {
    const timings = campaign.calcs.timings();
    const spans = timings;
    const start = Math.min(...spans.map((s) => Date.parse(s.startedAt)));
    const end = Math.max(...spans.map((s) => Date.parse(s.endedAt)));
    const durations = timings.map((t) => t.durationS);
    return {
      makespanS: (end - start) / 1000,
      workS: durations.reduce((a, b) => a + b, 0),
      longestS: Math.max(...durations),
      timings,
    };
  } finally {
    campaign.close();
  }
}

/** Makespan of list scheduling (each calc to the first free worker) in the given order. */
function listMakespan(durations: readonly number[]): number {
  const free = Array.from({ length: WORKERS }, () => 0);
  for (const d of durations) {
    const i = free.indexOf(Math.min(...free));
    free[i] = (free[i] ?? 0) + d;
  }
  return Math.max(...free);
}

const fmt = (s: number): string => `${s.toFixed(1)} s`;
const bound = (m: Measured): number => Math.max(m.workS / WORKERS, m.longestS);

console.log(
  `bench/scheduling: ${String(lines.length)} calcs (${String(LARGE.length)} psi4 B3LYP/def2-SVP, ${String(MEDIUM.length)} psi4 HF/def2-SVP, ${String(SMALL.length)} xtb GFN2), ${String(WORKERS)} workers, random seed ${String(seed)}`,
);
const order = shuffled(lines, seed);
const random = runOrder(
  'random',
  order.map((l, i) => ({ ...l, priority: order.length - i })),
);
const retort = runOrder('retort', lines);

const byLabel = new Map(random.timings.map((t) => [t.key, t.durationS]));
const replay = Array.from({ length: 2000 }, (_, i) =>
  listMakespan(shuffled(random.timings, 1000 + i).map((t) => byLabel.get(t.key) ?? 0)),
);
const meanReplay = replay.reduce((a, b) => a + b, 0) / replay.length;

const model = CostModel.learn(random.timings);
const errors = retort.timings.map(
  (t) => Math.abs(model.predict(t.spec).seconds - t.durationS) / t.durationS,
);
const psi4Errors = retort.timings
  .filter((t) => t.program === 'psi4')
  .map((t) => Math.abs(model.predict(t.spec).seconds - t.durationS) / t.durationS);

for (const [name, m] of [
  ['random order', random],
  ["retort's order", retort],
] as const) {
  console.log(
    `  ${name.padEnd(15)} makespan ${fmt(m.makespanS)}; total work ${fmt(m.workS)}, longest ${fmt(m.longestS)}, lower bound ${fmt(bound(m))}: ${(m.makespanS / bound(m)).toFixed(3)} × the bound`,
  );
}
console.log(
  `  retort / random makespan: ${(retort.makespanS / random.makespanS).toFixed(3)} (${((1 - retort.makespanS / random.makespanS) * 100).toFixed(1)} % shorter; target ≥ 15 %), retort within ${((retort.makespanS / bound(retort) - 1) * 100).toFixed(1)} % of its bound (target ≤ 10 %)`,
);
console.log(
  `  2,000 random orders replayed on the random run's calc times: mean makespan ${fmt(meanReplay)} (${(meanReplay / bound(random)).toFixed(3)} × the bound); longest first on the same times: ${fmt(listMakespan([...random.timings.map((t) => t.durationS)].sort((a, b) => b - a)))}`,
);
console.log(
  `  cost model learned from the random run, predicting the other run's ${String(errors.length)} calcs: median relative error ${(median(errors) * 100).toFixed(1)} % (psi4 ${(median(psi4Errors) * 100).toFixed(1)} %)`,
);
