/**
 * bench/mbe-parallel — a real psi4 many-body expansion with 1 and 2 workers.
 *
 * (H2O)6, MP2/6-31G, counterpoise (every subsystem in the hexamer basis), max_nbody 3:
 * 41 subsystem calcs of 18-atom basis. Each worker count runs in a fresh campaign (nothing
 * cached), through the real CLI (`retort mbe run`). Prints the wall times, the speedup, and each
 * run's makespan against its lower bound: max(sum of task times ÷ workers, longest task), the
 * task times read from the store (each attempt's wall time).
 *
 * Usage: npm run build && node dist/bench/mbe-parallel.js [--dir DIR]
 * Needs psi4 (scripts/install-deps.sh installs it). Run it on an otherwise idle machine.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { repo, retortBin } from './bench-env.js';

const args = process.argv.slice(2);
const dirFlag = args.indexOf('--dir');
const base = resolve(
  dirFlag >= 0 ? (args[dirFlag + 1] ?? '') : join(repo, 'bench', '.work', 'mbe-parallel'),
);

// psi4 leaves timer.dat in its working directory: ask it from the temp directory.
if (spawnSync('psi4', ['--version'], { stdio: 'ignore', cwd: tmpdir() }).status !== 0) {
  console.log(
    'bench/mbe-parallel: skipped: psi4 is not installed (scripts/install-deps.sh installs it)',
  );
  process.exit(0);
}

/** Six waters on a 3 Å grid (2 × 3), each in the same orientation. */
function hexamerXyz(): string {
  const water = [
    ['O', 0, 0, 0.1173],
    ['H', 0, 0.7572, -0.4692],
    ['H', 0, -0.7572, -0.4692],
  ] as const;
  const blocks: string[] = [];
  for (let i = 0; i < 6; i++) {
    const [dx, dy] = [3 * (i % 2), 3 * Math.floor(i / 2)];
    blocks.push(
      water
        .map(
          ([el, x, y, z]) =>
            `    ${el} ${(x + dx).toFixed(4)} ${(y + dy).toFixed(4)} ${z.toFixed(4)}`,
        )
        .join('\n'),
    );
  }
  return blocks.join('\n    --\n');
}

const INPUT = `molecule:
  units: angstrom
  xyz: |
${hexamerXyz()}
driver: energy
bsse_type: [cp]
max_nbody: 3
model_chemistries:
  mp2: {program: psi4, method: mp2, basis: 6-31g, keywords: {}}
execution: {timeout_s: 3600}
`;

interface Run {
  readonly workers: number;
  readonly wallS: number;
  readonly tasks: number;
  readonly sumS: number;
  readonly longestS: number;
}

function run(workers: number): Run {
  const dir = join(base, `w${workers}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  spawnSync(process.execPath, [retortBin, 'init', join(dir, 'campaign')], { stdio: 'ignore' });
  writeFileSync(join(dir, 'h2o6.yaml'), INPUT);
  const start = process.hrtime.bigint();
  const r = spawnSync(
    process.execPath,
    [
      retortBin,
      '--campaign',
      join(dir, 'campaign'),
      'mbe',
      'run',
      join(dir, 'h2o6.yaml'),
      '--workers',
      String(workers),
      '--headless',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const wallS = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0)
    throw new Error(`retort mbe run with ${workers} workers exited with ${String(r.status)}`);
  const db = new Database(join(dir, 'campaign', 'retort.db'), { readonly: true });
  const times = db
    .prepare<[], { d: number }>(`SELECT duration_s AS d FROM attempts WHERE status = 'succeeded'`)
    .all()
    .map((row) => row.d);
  db.close();
  return {
    workers,
    wallS,
    tasks: times.length,
    sumS: times.reduce((a, b) => a + b, 0),
    longestS: Math.max(...times),
  };
}

const one = run(1);
const two = run(2);
const line = (r: Run): string => {
  const bound = Math.max(r.sumS / r.workers, r.longestS);
  return `  ${r.workers} worker${r.workers === 1 ? ' ' : 's'}  wall ${r.wallS.toFixed(1)} s   ${r.tasks} tasks, sum of task times ${r.sumS.toFixed(1)} s, longest ${r.longestS.toFixed(1)} s   lower bound ${bound.toFixed(1)} s   makespan / bound ${(r.wallS / bound).toFixed(2)}`;
};
console.log(
  'bench/mbe-parallel: (H2O)6 MP2/6-31G, cp, max_nbody 3, psi4, through `retort mbe run`',
);
console.log(line(one));
console.log(line(two));
console.log(`  speedup 1 → 2 workers: ${(one.wallS / two.wallS).toFixed(2)}× (target ≥ 1.8×)`);
