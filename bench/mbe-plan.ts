/**
 * bench/mbe-plan — how fast retort plans a many-body expansion, next to QCManyBody.
 *
 * Synthetic (H2O)n clusters (one water per point of a cubic grid with 3 Å spacing), one model
 * chemistry, return_total_data false, for n = 8, 12, 16, 20, max_nbody 3 and 4, cp and vmfc.
 * For each: the number of unique tasks and the median of 3 runs (after a warm-up) of
 *
 *   - plan:       planMbe (tasks as index tuples with their labels: what `mbe plan` does);
 *   - +subsystems: plan, then build every subsystem molecule (what QCManyBody's "build" does);
 *   - analyze:    analyzeMbe on synthetic energies for every task.
 *
 * QCManyBody's figures (build, analyze; measured on this machine) are read from
 * ../shared/data/qcmb/README.md at run time when it is there; otherwise only ours are printed.
 * (H2O)20 vmfc max_nbody 4 (~ 81k tasks) has no QCManyBody figure and is printed for scale.
 * "build ratio" = QCManyBody build (the lower end of a range) / our plan + subsystems.
 *
 * Usage: npm run build && node dist/bench/mbe-plan.js
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeMbe } from '../src/pipelines/mbe/analyze.js';
import { DEFAULT_OUTPUT, type BsseType, type MbeInput } from '../src/pipelines/mbe/input.js';
import { planMbe } from '../src/pipelines/mbe/plan.js';
import { buildSubsystem } from '../src/pipelines/mbe/subsystem.js';

const here = dirname(fileURLToPath(import.meta.url));
// dist/bench/mbe-plan.js or bench/mbe-plan.ts: the repository is one or two levels up.
const repo = existsSync(resolve(here, '..', 'package.json'))
  ? resolve(here, '..')
  : resolve(here, '..', '..');
const readme = resolve(repo, '..', 'shared', 'data', 'qcmb', 'README.md');

interface Reference {
  tasks: number;
  build: string;
  analyze: string;
}

/** QCManyBody's rows of the README's speed table, keyed "n/bsse/max_nbody". */
function readReference(): Map<string, Reference> {
  const out = new Map<string, Reference>();
  if (!existsSync(readme)) return out;
  for (const line of readFileSync(readme, 'utf8').split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    // | n | bsse | max_nbody | unique tasks | build | analyze |
    if (cells.length < 8 || !/^\d+$/.test(cells[1] ?? '') || !/^(cp|vmfc)$/.test(cells[2] ?? ''))
      continue;
    out.set(`${cells[1]}/${cells[2]}/${cells[3]}`, {
      tasks: Number(cells[4]),
      build: cells[5] ?? '',
      analyze: cells[6] ?? '',
    });
  }
  return out;
}

/** n waters on a cubic grid, 3 Å apart (bohr). */
function waterCluster(n: number, bsse: BsseType, maxNbody: number): MbeInput {
  const side = Math.ceil(Math.cbrt(n));
  const symbols: string[] = [];
  const geometry: number[] = [];
  const fragments: number[][] = [];
  const water: [string, number, number, number][] = [
    ['O', 0, 0, 0],
    ['H', 0.7572, 0.5865, 0],
    ['H', -0.7572, 0.5865, 0],
  ];
  for (let i = 0; i < n; i++) {
    const gx = (i % side) * 3;
    const gy = (Math.floor(i / side) % side) * 3;
    const gz = Math.floor(i / (side * side)) * 3;
    fragments.push([3 * i, 3 * i + 1, 3 * i + 2]);
    for (const [el, x, y, z] of water) {
      symbols.push(el);
      geometry.push((gx + x) / 0.52917721067, (gy + y) / 0.52917721067, (gz + z) / 0.52917721067);
    }
  }
  const levels: Record<string, string> = {};
  for (let k = 1; k <= maxNbody; k++) levels[String(k)] = 'hf';
  return {
    molecule: {
      symbols,
      geometry_bohr: geometry,
      fragments,
      fragment_charges: fragments.map(() => 0),
      fragment_multiplicities: fragments.map(() => 1),
      molecular_charge: 0,
      molecular_multiplicity: 1,
    },
    driver: 'energy',
    bsse_type: [bsse],
    max_nbody: maxNbody,
    levels,
    return_total_data: false,
    supersystem_ie_only: false,
    model_chemistries: { hf: { program: 'psi4', method: 'hf', basis: 'sto-3g', keywords: {} } },
    execution: { executor: 'local', workers: null, timeout_s: 3600, retries: 0 },
    output: DEFAULT_OUTPUT,
  };
}

function median3(fn: () => void): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  times.sort((a, b) => a - b);
  return times[1] ?? 0;
}

function fmt(s: number): string {
  return s < 0.01 ? `${(s * 1000).toFixed(1)} ms` : `${s.toFixed(3)} s`;
}

const reference = readReference();
const header = [
  'n'.padStart(3),
  'bsse'.padEnd(5),
  'mbe',
  'tasks'.padStart(6),
  'plan'.padStart(9),
  '+subsystems'.padStart(11),
  'analyze'.padStart(9),
  'QCMB tasks'.padStart(10),
  'QCMB build'.padStart(12),
  'QCMB analyze'.padStart(13),
  'build ratio'.padStart(11),
];
process.stdout.write(
  reference.size === 0
    ? `(QCManyBody figures not found at ${readme}: printing ours only)\n`
    : `QCManyBody v0.5.2 figures from ${readme}\n`,
);
process.stdout.write(`${header.join('  ')}\n`);
for (const maxNbody of [3, 4]) {
  for (const n of [8, 12, 16, 20]) {
    for (const bsse of ['cp', 'vmfc'] as BsseType[]) {
      const input = waterCluster(n, bsse, maxNbody);
      let tasks = 0;
      const plan = (): void => {
        tasks = planMbe(input, n).tasks.length;
      };
      const withSubsystems = (): void => {
        const p = planMbe(input, n);
        for (const t of p.tasks) buildSubsystem(input.molecule, t);
      };
      const tPlan = median3(plan);
      const tBuild = median3(withSubsystems);
      const p = planMbe(input, n);
      const components: Record<string, { energy: number }> = {};
      p.tasks.forEach((t, i) => {
        components[t.label] = { energy: -76 * t.real.length + 1e-4 * Math.sin(i) };
      });
      const tAnalyze = median3(() => {
        analyzeMbe(input, components, p);
      });
      const ref = reference.get(`${n}/${bsse}/${maxNbody}`);
      const refBuildSeconds = ref === undefined ? undefined : Number(/[\d.]+/.exec(ref.build)?.[0]);
      const ratio =
        refBuildSeconds === undefined || !Number.isFinite(refBuildSeconds)
          ? ''
          : `${(refBuildSeconds / tBuild).toFixed(0)}×`;
      const row = [
        String(n).padStart(3),
        bsse.padEnd(5),
        String(maxNbody).padStart(3),
        String(tasks).padStart(6),
        fmt(tPlan).padStart(9),
        fmt(tBuild).padStart(11),
        fmt(tAnalyze).padStart(9),
        (ref === undefined ? '' : String(ref.tasks)).padStart(10),
        (ref?.build ?? '').padStart(12),
        (ref?.analyze ?? '').padStart(13),
        ratio.padStart(11),
      ];
      if (ref !== undefined && ref.tasks !== tasks)
        row.push(`(task count differs from QCManyBody!)`);
      process.stdout.write(`${row.join('  ')}\n`);
    }
  }
}
