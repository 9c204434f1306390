/**
 * bench/scheduling — retort's calc order (priority, then longest predicted first) against
 * random orders, on 2 workers, with real psi4 and xtb calcs of a skewed cost. Two mixes:
 *
 *   - `issue` (default): the issue's "a few large and many small": 2 large (B3LYP/def2-SVP of
 *     benzene and ethanol), 6 medium (HF/def2-SVP of molecules of one or two heavy atoms) and
 *     20 small (GFN2-xTB of small organic molecules);
 *   - `three-large`: 3 large DFT calcs among 40 small (B3LYP/def2-SVP of benzene, pyridine and
 *     ethanol; HF/def2-SVP of 12 one- or two-heavy-atom molecules; GFN2-xTB of 28);
 *   - `dominant`: `three-large` and one calc about as long as all the others together
 *     (B3LYP/def2-SVP of naphthalene): the case where the order matters most on 2 workers, a
 *     random order then starting the long calc anywhere up to a quarter of the way through.
 *
 * Each order runs in a fresh campaign (nothing cached) through the real CLI (`retort run
 * --workers 2`): a random order is the calc list shuffled with a seeded generator and given
 * descending `priority:` values, so that the runner starts the calcs in exactly that order
 * (`--random-runs N` of them, seeds `--seed`, `--seed`+1 …); retort's order is the same list
 * without priorities (a fresh store: the cost model has only its heuristic). Prints each run's
 * makespan (first start to last end of the run's attempts, from the store) against the lower
 * bound max(total work ÷ 2, longest calc), the mean of the real random runs, the mean makespan
 * of 2,000 random orders replayed on the measured calc times (list scheduling, no new runs),
 * retort's gain over both means (and with each run measured against its own bound, since the
 * calcs' times swing with the load of a shared machine), and the cost model's median relative error: the model learned
 * from the first random run's store predicting every calc of retort's run.
 *
 * `--replay CAMPAIGN` runs nothing: it prints the same replay comparison on the calc times of a
 * real campaign's store (every successful attempt).
 *
 * Usage: npm run build && node dist/bench/scheduling.js [--mix issue|three-large|dominant]
 *        [--random-runs N] [--seed N] [--dir DIR]
 *        node dist/bench/scheduling.js --replay CAMPAIGN
 * Needs psi4, xtb and obabel. Wall time: about (random runs + 1) × total work ÷ 2.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { seededShuffle } from '../src/core/seeded-random.js';
import { openCampaign } from '../src/runtime/campaign.js';
import { CostModel, median } from '../src/runtime/scheduling/learned-cost.js';
import type { AttemptTiming } from '../src/store/calc-store.js';
import { flagValue, repo, retortBin } from './bench-env.js';

const seed = Number(flagValue('--seed') ?? '7');
const randomRuns = Number(flagValue('--random-runs') ?? '3');
const mix = flagValue('--mix') ?? 'issue';
if (mix !== 'issue' && mix !== 'three-large' && mix !== 'dominant') {
  console.log(`bench/scheduling: --mix ${mix}: expected issue, three-large or dominant`);
  process.exit(2);
}
const base = resolve(flagValue('--dir') ?? join(repo, 'bench', '.work', 'scheduling'));
const WORKERS = 2;

// --replay CAMPAIGN: no runs; random orders against longest first on a real store's calc times.
const replayDir = flagValue('--replay');
if (replayDir !== undefined) {
  const campaign = openCampaign(resolve(replayDir), { readonly: true });
  const times = campaign.calcs.timings().map((t) => t.durationS);
  campaign.close();
  const replays = Array.from({ length: 2000 }, (_, i) =>
    listMakespan(seededShuffle(times, 1000 + i)),
  );
  const meanRandom = replays.reduce((a, b) => a + b, 0) / replays.length;
  const lpt = listMakespan([...times].sort((a, b) => b - a));
  const lower = Math.max(times.reduce((a, b) => a + b, 0) / WORKERS, Math.max(...times));
  console.log(
    `bench/scheduling --replay ${replayDir}: ${String(times.length)} calc times; bound ${lower.toFixed(1)} s; mean of 2,000 random orders ${meanRandom.toFixed(1)} s; longest first ${lpt.toFixed(1)} s: ${((1 - lpt / meanRandom) * 100).toFixed(1)} % shorter`,
  );
  process.exit(0);
}

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

const SMALL_MOLECULES = [
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
  'C=O',
  'C#C',
  'CC(C)=O',
  'COC=O',
  'C=CC=C',
  'CNC',
  'CC(N)=O',
  'OCCO',
];
const MEDIUM_MOLECULES = ['O', 'N', 'C', 'F', 'CO', 'CC', 'C=C', 'C#N', 'C=O', 'CF', 'CN', 'OO'];
const MIXES = {
  issue: { large: ['c1ccccc1', 'CCO'], medium: MEDIUM_MOLECULES.slice(0, 6), small: 20 },
  'three-large': { large: ['c1ccccc1', 'c1ccncc1', 'CCO'], medium: MEDIUM_MOLECULES, small: 28 },
  dominant: {
    large: ['c1ccc2ccccc2c1', 'c1ccccc1', 'c1ccncc1', 'CCO'],
    medium: MEDIUM_MOLECULES,
    small: 28,
  },
} as const;
const LARGE = MIXES[mix].large;
const MEDIUM = MIXES[mix].medium;
const SMALL = SMALL_MOLECULES.slice(0, MIXES[mix].small);

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
const mean = (values: readonly number[]): number =>
  values.reduce((a, b) => a + b, 0) / values.length;

console.log(
  `bench/scheduling: mix ${mix}, ${String(lines.length)} calcs (${String(LARGE.length)} psi4 B3LYP/def2-SVP, ${String(MEDIUM.length)} psi4 HF/def2-SVP, ${String(SMALL.length)} xtb GFN2), ${String(WORKERS)} workers, ${String(randomRuns)} random runs from seed ${String(seed)}`,
);
const randoms: Measured[] = [];
for (let r = 0; r < randomRuns; r++) {
  const order = seededShuffle(lines, seed + r);
  randoms.push(
    runOrder(
      `random-${String(seed + r)}`,
      order.map((l, i) => ({ ...l, priority: order.length - i })),
    ),
  );
}
const retort = runOrder('retort', lines);

for (const [i, m] of randoms.entries()) {
  console.log(
    `  random (seed ${String(seed + i)})   makespan ${fmt(m.makespanS)}; total work ${fmt(m.workS)}, longest ${fmt(m.longestS)}, lower bound ${fmt(bound(m))}: ${(m.makespanS / bound(m)).toFixed(3)} × the bound`,
  );
}
console.log(
  `  retort's order   makespan ${fmt(retort.makespanS)}; total work ${fmt(retort.workS)}, longest ${fmt(retort.longestS)}, lower bound ${fmt(bound(retort))}: ${(retort.makespanS / bound(retort)).toFixed(3)} × the bound (target ≤ 1.10)`,
);
const meanRuns = mean(randoms.map((m) => m.makespanS));
// The calcs' own times swing from run to run when the machine is shared: each run measured
// against its own lower bound compares the orders, not the load.
const meanRatio = mean(randoms.map((m) => m.makespanS / bound(m)));
const retortRatio = retort.makespanS / bound(retort);
const meanRunBound = mean(randoms.map(bound));
// Replays: random orders list-scheduled on the calc times the random runs measured (each calc
// its mean time over those runs), so that one run's noise does not decide.
const timeOf = new Map<string, number[]>();
for (const m of randoms)
  for (const t of m.timings) timeOf.set(t.key, [...(timeOf.get(t.key) ?? []), t.durationS]);
const times = [...timeOf.values()].map(mean);
const replay = Array.from({ length: 2000 }, (_, i) => listMakespan(seededShuffle(times, 1000 + i)));
const meanReplay = mean(replay);
const replayBound = Math.max(times.reduce((a, b) => a + b, 0) / WORKERS, Math.max(...times));
const longestFirst = listMakespan([...times].sort((a, b) => b - a));
const shorter = (m: number): string => `${((1 - retort.makespanS / m) * 100).toFixed(1)} %`;
console.log(
  `  mean of the ${String(randoms.length)} random runs: ${fmt(meanRuns)} (bound ${fmt(meanRunBound)}); retort's run is ${shorter(meanRuns)} shorter (target ≥ 15 %)`,
);
console.log(
  `  each run against its own bound: random runs ${meanRatio.toFixed(3)} × on average, retort ${retortRatio.toFixed(3)} ×: ${((1 - retortRatio / meanRatio) * 100).toFixed(1)} % shorter`,
);
console.log(
  `  2,000 random orders replayed on the measured calc times: mean ${fmt(meanReplay)}, longest first ${fmt(longestFirst)}, bound ${fmt(replayBound)}: longest first is ${((1 - longestFirst / meanReplay) * 100).toFixed(1)} % shorter than the mean random order, ${((longestFirst / replayBound - 1) * 100).toFixed(1)} % above the bound`,
);

const first = randoms[0];
if (first !== undefined) {
  const model = CostModel.learn(first.timings);
  const errorsOf = (ts: readonly AttemptTiming[]): number[] =>
    ts.map((t) => Math.abs(model.predict(t.spec).seconds - t.durationS) / t.durationS);
  console.log(
    `  cost model learned from the first random run, predicting retort's run's ${String(retort.timings.length)} calcs: median relative error ${(median(errorsOf(retort.timings)) * 100).toFixed(1)} % (psi4 ${(median(errorsOf(retort.timings.filter((t) => t.program === 'psi4'))) * 100).toFixed(1)} %)`,
  );
}
