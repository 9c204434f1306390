/**
 * bench/gen3d-seeded — what seeding Open Babel costs the PM7 pipeline's 3D starts.
 *
 * Over the finished molecules of the ThermoCBS sample (`../shared/data/thermocbs-sample/`,
 * 683), builds each SMILES' start with the obabel engine's `gen3d` job three times: once as
 * before seeding (the job's seed environment removed: Open Babel seeds from the clock) and
 * seeded (the default seed, as the pipeline runs it), and with `--repeat` seeded once more.
 * It counts the starts that are intact — the engine accepts them and their bonds are the
 * SMILES' (the pipeline's start_vs_smiles check) — for the unseeded and the seeded run, and
 * with `--repeat` the SMILES whose two seeded starts differ in any byte (should be none). Only
 * start generation: no xtb, no MOPAC. The counts so far are printed every 25 molecules.
 * Without ../shared it prints why and exits 0.
 *
 * Usage: npm run build && node dist/bench/gen3d-seeded.js [N] [--jobs J] [--seed S]
 * [--sample CSV] [--repeat] (N: the first N finished molecules; J: obabel runs at once, default 2;
 * `--sample` reads the table from elsewhere than ../shared, e.g. from a worktree).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { smilesGraphChanges, type SmilesGraph } from '../src/chem/bond-graph.js';
import type { Atom } from '../src/chem/molecule.js';
import { parseCsv } from '../src/chem/csv.js';
import { loadRdkit } from '../src/chem/descriptors.js';
import { smilesAtoms } from '../src/chem/smiles-atoms.js';
import type { CalcSpec } from '../src/core/calc-spec.js';
import type { JobOutputs, JobSpec } from '../src/core/job-spec.js';
import { obabelEngine } from '../src/engines/obabel/index.js';
import { DEFAULT_OBABEL_SEED } from '../src/engines/obabel/seed.js';
import { flagValue, repo } from './bench-env.js';

const args = process.argv.slice(2);
const sampleFlag = flagValue('--sample');
const sample =
  sampleFlag === undefined
    ? resolve(repo, '..', 'shared', 'data', 'thermocbs-sample', 'grimperium_thermo_pm7_head.csv')
    : resolve(sampleFlag);
const limit = Number(
  args.find((a, i) => /^\d+$/.test(a) && !(args[i - 1] ?? '').startsWith('--')) ?? Infinity,
);
const jobs = Number(flagValue('--jobs') ?? 2);
const seed = Number(flagValue('--seed') ?? DEFAULT_OBABEL_SEED);
const repeat = args.includes('--repeat');

if (!existsSync(sample)) {
  console.log(`bench/gen3d-seeded: skipped: ${sample} is not here (it lives in ../shared)`);
  process.exit(0);
}

const table = parseCsv(readFileSync(sample, 'utf8'), sample);
const col = (name: string): number => table.header.indexOf(name);
const [iId, iStatus, iSmiles, iMult, iCharge] = [
  'mol_id',
  'status',
  'smiles',
  'multiplicity',
  'charge',
].map(col) as [number, number, number, number, number];
const molecules = table.rows
  .filter((r) => r.cells[iStatus] === 'OK')
  .slice(0, limit)
  .map((r) => ({
    id: r.cells[iId] ?? '',
    smiles: r.cells[iSmiles] ?? '',
    charge: Number(r.cells[iCharge] ?? 0),
    multiplicity: Number(r.cells[iMult] ?? 1),
  }));

/** Runs a job as an executor would (fresh directory, argv without a shell, env added). */
function run(job: JobSpec): Promise<JobOutputs> {
  const workdir = mkdtempSync(join(tmpdir(), 'retort-gen3d-'));
  for (const [name, text] of Object.entries(job.files)) writeFileSync(join(workdir, name), text);
  const [program, ...rest] = job.argv;
  const startedAt = new Date().toISOString();
  return new Promise((done) => {
    const child = spawn(program ?? 'obabel', rest, {
      cwd: workdir,
      env: { ...process.env, ...job.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), job.resources.walltime_s * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const files: Record<string, string> = {};
      for (const name of job.outputs) {
        const path = join(workdir, name);
        if (existsSync(path)) files[name] = readFileSync(path, 'utf8');
      }
      rmSync(workdir, { recursive: true, force: true });
      done({
        workdir,
        exitCode: code,
        signal,
        timedOut: signal === 'SIGKILL',
        stdout,
        stderr,
        files,
        startedAt,
        endedAt: new Date().toISOString(),
      });
    });
  });
}

const rdkit = await loadRdkit();
interface Start {
  readonly intact: boolean;
  readonly text: string;
}
async function start(
  spec: CalcSpec,
  seeded: boolean,
  graph: SmilesGraph | undefined,
): Promise<Start> {
  const job = obabelEngine.prepare(spec);
  const outputs = await run(seeded ? job : { ...job, env: {} });
  const outcome = obabelEngine.parse(outputs, spec);
  const text = outputs.files['output.xyz'] ?? '';
  if (!outcome.ok) return { intact: false, text };
  const atoms = outcome.result.geometry as unknown as Atom[];
  const intact = graph === undefined || smilesGraphChanges(graph, atoms).length === 0;
  return { intact, text };
}

let unseededIntact = 0;
let seededIntact = 0;
const differing: string[] = [];
const lost: string[] = [];
const gained: string[] = [];
let next = 0;
const t0 = Date.now();
async function worker(): Promise<void> {
  for (;;) {
    const m = molecules[next++];
    if (m === undefined) return;
    const spec: CalcSpec = {
      program: 'obabel',
      task: 'gen3d',
      molecule: { smiles: m.smiles, charge: m.charge, multiplicity: m.multiplicity },
      options: { seed },
      resources: { cores: 1, walltime_s: 300 },
    };
    const graph = (await smilesAtoms(rdkit, m.smiles))?.graph;
    const before = await start(spec, false, graph);
    const a = await start(spec, true, graph);
    if (before.intact) unseededIntact++;
    if (a.intact) seededIntact++;
    if (before.intact && !a.intact) lost.push(`${m.id} ${m.smiles}`);
    if (!before.intact && a.intact) gained.push(`${m.id} ${m.smiles}`);
    if (repeat && a.text !== (await start(spec, true, graph)).text) {
      differing.push(`${m.id} ${m.smiles}`);
    }
    done++;
    if (done % 25 === 0) report(`after ${done} (${Math.round((Date.now() - t0) / 1000)} s)`);
  }
}
let done = 0;
await Promise.all(Array.from({ length: jobs }, () => worker()));
report('all');

function report(when: string): void {
  const pct = (k: number): string => `${((100 * k) / done).toFixed(1)} %`;
  const list = (items: readonly string[]): string =>
    `${items.length}${items.length > 0 ? `: ${items.join('; ')}` : ''}`;
  console.log(
    `bench/gen3d-seeded, ${when}: ${done} of ${molecules.length} finished molecules of the ThermoCBS sample, seed ${seed}`,
  );
  console.log(`  intact starts, clock-seeded (before): ${unseededIntact} (${pct(unseededIntact)})`);
  console.log(`  intact starts, seeded:                ${seededIntact} (${pct(seededIntact)})`);
  console.log(`  intact before, not seeded: ${list(lost)}`);
  console.log(`  intact seeded, not before: ${list(gained)}`);
  if (repeat) console.log(`  seeded starts that differ between two runs: ${list(differing)}`);
}
