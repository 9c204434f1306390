/**
 * bench/overhead — what retort's durability costs per calc.
 *
 * Runs N calcs of the `command` engine (each `/bin/true <i>`, so every key is distinct) with 2
 * workers through the real CLI (`retort run`, store on, WAL, status.json, calc directories with
 * markers) and, in the same script, three baselines on the same commands:
 *
 *   - GNU parallel -j2 (the tool chemists use today);
 *   - a bare Node process pool (spawn, 2 at a time, no files, no store): the floor any Node tool
 *     pays for starting processes;
 *   - a plain run of the commands one after another would only add noise, so it is left out.
 *
 * Each is run three times, alternating; medians are printed: the wall times, the ratio
 * retort / GNU parallel, and the overhead against the bare pool, as wall time added per calc
 * ((retort − pool) / N) and as time added to each calc on its slot (the same × workers).
 *
 * Usage: npm run build && node dist/bench/overhead.js [N] [--dir DIR]
 * DIR (default: bench/.work in the checkout) holds the campaign; put it on the disk where
 * campaigns live (on this VM /tmp is a slow file system: ~0.8 ms per file created).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repo, retortBin } from './bench-env.js';

const WORKERS = 2;
const args = process.argv.slice(2);
const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 2000);
const dirFlag = args.indexOf('--dir');
const base = resolve(
  dirFlag >= 0 ? (args[dirFlag + 1] ?? 'bench/.work') : join(repo, 'bench', '.work'),
);

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function hasParallel(): boolean {
  return spawnSync('parallel', ['--version'], { stdio: 'ignore' }).status === 0;
}

function gnuParallel(): number {
  const start = process.hrtime.bigint();
  const input = Array.from({ length: n }, (_, i) => String(i)).join('\n');
  execFileSync('parallel', ['-j', String(WORKERS), '/bin/true', '{}'], {
    input,
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  return seconds(start);
}

async function barePool(): Promise<number> {
  const start = process.hrtime.bigint();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      await new Promise<void>((done, fail) => {
        const child = spawn('/bin/true', [String(i)], { stdio: 'ignore' });
        child.on('exit', () => {
          done();
        });
        child.on('error', fail);
      });
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));
  return seconds(start);
}

function retort(): number {
  rmSync(base, { recursive: true, force: true });
  mkdirSync(base, { recursive: true });
  const campaign = join(base, 'campaign');
  execFileSync(process.execPath, [retortBin, 'init', campaign], { stdio: 'ignore' });
  const list = join(base, 'calcs.jsonl');
  writeFileSync(
    list,
    Array.from({ length: n }, (_, i) =>
      JSON.stringify({ program: 'command', argv: ['/bin/true', String(i)], walltime_s: 60 }),
    ).join('\n'),
  );
  const start = process.hrtime.bigint();
  const run = spawnSync(
    process.execPath,
    [
      retortBin,
      '--campaign',
      campaign,
      'run',
      list,
      '--workers',
      String(WORKERS),
      '--headless',
      '--json',
    ],
    {
      stdio: ['ignore', 'ignore', 'ignore'],
    },
  );
  const wall = seconds(start);
  if (run.status !== 0) throw new Error(`retort run exited with ${String(run.status)}`);
  return wall;
}

const ms = (s: number): string => `${(s * 1000).toFixed(0)} ms`;
const perJob = (s: number): string => `${((s * 1000) / n).toFixed(2)} ms/calc`;

// Alternate the three, three times, and keep medians: on this 2-core VM single runs vary by ±30 %.
const ROUNDS = 3;
const times = { parallel: [] as number[], pool: [] as number[], retort: [] as number[] };
const withParallel = hasParallel();
for (let round = 0; round < ROUNDS; round++) {
  if (withParallel) times.parallel.push(gnuParallel());
  times.pool.push(await barePool());
  times.retort.push(retort());
}
const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const parallelWall = withParallel ? median(times.parallel) : undefined;
const poolWall = median(times.pool);
const retortWall = median(times.retort);
const overheadMs = (((retortWall - poolWall) * WORKERS) / n) * 1000;

console.log(
  `bench/overhead: ${n} calcs of /bin/true, ${WORKERS} workers, campaign in ${base}; medians of ${ROUNDS} rounds`,
);
console.log(`  bare Node pool        ${ms(poolWall).padStart(9)}  (${perJob(poolWall)})`);
if (parallelWall !== undefined)
  console.log(`  GNU parallel -j2      ${ms(parallelWall).padStart(9)}  (${perJob(parallelWall)})`);
else console.log('  GNU parallel -j2      not installed (apt-get install parallel)');
console.log(`  retort run (durable)  ${ms(retortWall).padStart(9)}  (${perJob(retortWall)})`);
if (parallelWall !== undefined)
  console.log(`  ratio retort / GNU parallel: ${(retortWall / parallelWall).toFixed(2)}`);
console.log(
  `  retort overhead vs bare pool: ${(((retortWall - poolWall) / n) * 1000).toFixed(2)} ms of wall per calc, ${overheadMs.toFixed(2)} ms per calc on its slot`,
);
rmSync(base, { recursive: true, force: true });
