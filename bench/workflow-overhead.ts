/**
 * bench/workflow-overhead — what a workflow step costs retort, against Snakemake 7.
 *
 * N instances of one 3-step DAG of trivial shell steps: `a` writes the instance's number to a
 * file, `b` reads a's number and writes it plus one, `c` reads b's and writes it plus one. The
 * same DAG is run, in the same script on the same machine, with 2 at a time:
 *
 *   - directly (the floor): a Node pool runs each instance's three `sh -c` commands in turn,
 *     two instances at once, with nothing else;
 *   - retort: `retort workflow run` of a generated workflow file (local executor, --workers 2,
 *     a fresh campaign), b and c reading the number through `${{ steps.a.result.files[…] }}`;
 *   - Snakemake: a generated Snakefile (rules a, b, c over a wildcard, `all` asking for every c
 *     file), `snakemake --cores 2 -q`.
 *
 * Per-step overhead is (wall − floor wall) / (3 N): the wall time each tool adds per step over
 * running the programs themselves. The ratio is Snakemake's over retort's (target ≥ 10).
 *
 * Usage: npm run build && node dist/bench/workflow-overhead.js [--instances N] [--dir DIR]
 * DIR (default: bench/.work-workflow in the checkout) holds both tools' working directories;
 * put it where campaigns live. Exits 2, saying how to install it, when snakemake is missing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repo, retortBin } from './bench-env.js';

const WORKERS = 2;
const STEPS = 3;
const args = process.argv.slice(2);
function flag(name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}
const n = Number(flag('--instances') ?? 1000);
if (!Number.isInteger(n) || n < 1) {
  console.error(`--instances: expected a whole number ≥ 1, found ${String(flag('--instances'))}`);
  process.exit(2);
}
const base = resolve(flag('--dir') ?? join(repo, 'bench', '.work-workflow'));

/** Each step's shell command; `$0` is the instance's number (a) or the file it reads (b, c). */
const SCRIPT = {
  a: 'echo $0 > a.txt',
  b: 'echo $(($(cat $0) + 1)) > b.txt',
  c: 'echo $(($(cat $0) + 1)) > c.txt',
};

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function fresh(name: string): string {
  const dir = join(base, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

function sh(script: string, arg: string, cwd: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn('sh', ['-c', script, arg], { cwd, stdio: 'ignore' });
    child.on('error', fail);
    child.on('exit', (code) => {
      if (code === 0) done();
      else fail(new Error(`sh -c '${script}' exited with ${String(code)}`));
    });
  });
}

/** The floor: every instance's three commands, in order, two instances at a time. */
async function direct(): Promise<number> {
  const dir = fresh('direct');
  const instanceDirs = Array.from({ length: n }, (_, i) => join(dir, String(i)));
  for (const d of instanceDirs) mkdirSync(d);
  const start = process.hrtime.bigint();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      const cwd = instanceDirs[i] ?? dir;
      await sh(SCRIPT.a, String(i), cwd);
      await sh(SCRIPT.b, 'a.txt', cwd);
      await sh(SCRIPT.c, 'b.txt', cwd);
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));
  const wall = seconds(start);
  check(readFileSync(join(dir, String(n - 1), 'c.txt'), 'utf8'));
  return wall;
}

/**
 * The workflow file: b and c get the number read from the earlier step's output file through
 * an expression and write it to a file of their own, so each step's program is the same
 * `sh -c` as in the other two runs (reading a file named on its command line).
 */
function workflowFile(): string {
  const step = (name: 'a' | 'b' | 'c', needs: string | undefined, arg: string) =>
    [
      `  ${name}:`,
      ...(needs === undefined ? [] : [`    needs: [${needs}]`]),
      '    program: command',
      ...(needs === undefined
        ? []
        : [`    files: {in.txt: '\${{ steps.${needs}.result.files["${needs}.txt"] }}'}`]),
      `    argv: [sh, -c, '${SCRIPT[name]}', '${arg}']`,
      `    outputs: [${name}.txt]`,
      '    walltime_s: 600',
    ].join('\n');
  return [
    'name: overhead',
    'matrix:',
    '  from: instances.csv',
    'steps:',
    step('a', undefined, '${{ matrix.i }}'),
    step('b', 'a', 'in.txt'),
    step('c', 'b', 'in.txt'),
    '',
  ].join('\n');
}

function retort(): number {
  const dir = fresh('retort');
  const campaign = join(dir, 'campaign');
  const init = spawnSync(process.execPath, [retortBin, 'init', campaign], { stdio: 'ignore' });
  if (init.status !== 0) throw new Error('retort init failed');
  writeFileSync(
    join(dir, 'instances.csv'),
    ['name,i', ...Array.from({ length: n }, (_, i) => `i${String(i)},${String(i)}`), ''].join('\n'),
  );
  writeFileSync(join(dir, 'overhead.yaml'), workflowFile());
  const start = process.hrtime.bigint();
  const run = spawnSync(
    process.execPath,
    [
      retortBin,
      '--campaign',
      campaign,
      'workflow',
      'run',
      join(dir, 'overhead.yaml'),
      '--workers',
      String(WORKERS),
      '--executor',
      'local',
      '--headless',
      '--quiet',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 28 },
  );
  const wall = seconds(start);
  if (run.status !== 0) {
    throw new Error(`retort workflow run exited with ${String(run.status)}: ${run.stderr}`);
  }
  const csv = readFileSync(join(campaign, 'exports', 'workflow-overhead.csv'), 'utf8');
  if (!csv.includes(`i${String(n - 1)},${String(n - 1)},succeeded,succeeded,succeeded`)) {
    throw new Error(`retort did not finish instance i${String(n - 1)}`);
  }
  return wall;
}

function hasSnakemake(): boolean {
  return spawnSync('snakemake', ['--version'], { stdio: 'ignore' }).status === 0;
}

function snakefile(): string {
  return [
    `N = ${String(n)}`,
    '',
    'rule all:',
    '    input: expand("{i}/c.txt", i=range(N))',
    '',
    'rule a:',
    '    output: "{i}/a.txt"',
    `    shell: "cd {wildcards.i} && sh -c '${SCRIPT.a}' {wildcards.i}"`,
    '',
    'rule b:',
    '    input: "{i}/a.txt"',
    '    output: "{i}/b.txt"',
    `    shell: "cd {wildcards.i} && sh -c '${SCRIPT.b}' a.txt"`,
    '',
    'rule c:',
    '    input: "{i}/b.txt"',
    '    output: "{i}/c.txt"',
    `    shell: "cd {wildcards.i} && sh -c '${SCRIPT.c}' b.txt"`,
    '',
  ].join('\n');
}

function snakemake(): number {
  const dir = fresh('snakemake');
  writeFileSync(join(dir, 'Snakefile'), snakefile());
  const start = process.hrtime.bigint();
  const run = spawnSync('snakemake', ['--cores', String(WORKERS), '-q'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const wall = seconds(start);
  if (run.status !== 0)
    throw new Error(`snakemake exited with ${String(run.status)}: ${run.stderr}`);
  check(readFileSync(join(dir, String(n - 1), 'c.txt'), 'utf8'));
  return wall;
}

/** The last instance's c file holds its number plus two, whoever ran it. */
function check(c: string): void {
  if (c.trim() !== String(n + 1))
    throw new Error(`c.txt holds ${c.trim()}, expected ${String(n + 1)}`);
}

if (!hasSnakemake()) {
  console.error('bench/workflow-overhead: snakemake not found; apt-get install snakemake');
  process.exit(2);
}
const steps = n * STEPS;
const floor = await direct();
const retortWall = retort();
const snakeWall = snakemake();
rmSync(base, { recursive: true, force: true });

const perStep = (wall: number): number => ((wall - floor) / steps) * 1000;
const line = (name: string, wall: number, overhead?: number) => {
  console.log(
    `  ${name.padEnd(28)} ${wall.toFixed(1).padStart(7)} s  ${((wall / steps) * 1000).toFixed(2).padStart(7)} ms/step${overhead === undefined ? '' : `  overhead ${overhead.toFixed(2)} ms/step`}`,
  );
};
console.log(
  `bench/workflow-overhead: ${String(n)} instances × ${String(STEPS)} steps (${String(steps)} steps), ${String(WORKERS)} at a time, in ${base}`,
);
line('programs directly (floor)', floor);
line('retort workflow run', retortWall, perStep(retortWall));
line('snakemake --cores 2 -q', snakeWall, perStep(snakeWall));
console.log(
  `  ratio of per-step overheads snakemake / retort: ${(perStep(snakeWall) / perStep(retortWall)).toFixed(1)} (target ≥ 10)`,
);
