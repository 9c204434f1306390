import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PeriodicStructure } from '../../../src/chem/structure.js';
import type { CalcSpec, JsonValue } from '../../../src/core/calc-spec.js';
import { calcKey } from '../../../src/core/calc-key.js';
import type { JobOutputs, JobSpec } from '../../../src/core/job-spec.js';
import { qeEngine } from '../../../src/engines/qe/index.js';
import { RY_TO_EV } from '../../../src/engines/qe/parse.js';
import { hasProgram } from '../../helpers/run-job-directly.js';
import { spec } from '../real-fixtures.js';
import { SILICON, STRAINED_SILICON } from './si.js';
import { printedBandEnergies } from '../../helpers/pw-by-hand.js';

const SKIP = !hasProgram('pw.x');
const root = mkdtempSync(join(tmpdir(), 'retort-qe-live-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** Runs a job in `dir` as an executor would, after copying its parents' paths from `parents`. */
function runIn(dir: string, job: JobSpec, parents: Record<string, string> = {}): JobOutputs {
  mkdirSync(dir, { recursive: true });
  for (const input of job.parentInputs ?? []) {
    const from = parents[input.calcKey];
    if (from === undefined) throw new Error(`no directory for parent ${input.calcKey}`);
    cpSync(join(from, input.path), join(dir, input.path), { recursive: true });
  }
  for (const [name, text] of Object.entries(job.files)) writeFileSync(join(dir, name), text);
  const [program = '', ...args] = job.argv;
  const startedAt = new Date().toISOString();
  const child = spawnSync(program, args, {
    cwd: dir,
    env: { ...process.env, ...job.env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return {
    exitCode: child.status,
    signal: child.signal,
    timedOut: false,
    startedAt,
    endedAt: new Date().toISOString(),
    stdout: child.stdout,
    stderr: child.stderr,
    files: {},
    workdir: dir,
  };
}

/** pw.x run by hand, the way a user would: `pw.x -in FILE` in one directory, stdout as text. */
function pwDirect(dir: string, name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  const child = spawnSync('pw.x', ['-in', name], {
    cwd: dir,
    env: { ...process.env, OMP_NUM_THREADS: '1' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  expect(child.status).toBe(0);
  return child.stdout;
}

interface Crystal {
  readonly name: string;
  readonly structure: PeriodicStructure;
  readonly options: Readonly<Record<string, JsonValue>>;
  readonly occupied: number;
  /** LDA gap range, eV (Si about 0.5, diamond about 4). */
  readonly gap: readonly [number, number];
}

const A_DIAMOND = 3.567 / 2;
const CRYSTALS: readonly Crystal[] = [
  {
    name: 'silicon',
    structure: SILICON,
    options: { ecutwfc: 15, kpoints: [4, 4, 4] },
    occupied: 4,
    gap: [0.4, 0.7],
  },
  {
    name: 'diamond',
    structure: {
      lattice_angstrom: [
        [0, A_DIAMOND, A_DIAMOND],
        [A_DIAMOND, 0, A_DIAMOND],
        [A_DIAMOND, A_DIAMOND, 0],
      ],
      sites: [
        { element: 'C', fractional: [0, 0, 0] },
        { element: 'C', fractional: [0.25, 0.25, 0.25] },
      ],
    },
    options: { ecutwfc: 25, ecutrho: 200, kpoints: [4, 4, 4] },
    occupied: 4,
    gap: [3.5, 5],
  },
];

describe('Quantum ESPRESSO, live', () => {
  for (const crystal of CRYSTALS) {
    it.skipIf(SKIP)(
      `runs ${crystal.name} scf then bands and parses what a direct pw.x run prints`,
      () => {
        const scf: CalcSpec = spec({
          program: 'qe',
          task: 'scf',
          structure: crystal.structure,
          options: crystal.options,
        });
        const parent = calcKey(scf, qeEngine.adapterVersion);
        const { kpoints: _grid, ...bandOptions } = crystal.options;
        const bandsSpec: CalcSpec = spec({
          program: 'qe',
          task: 'bands',
          structure: crystal.structure,
          options: { ...bandOptions, parent, kpath_density: 8 },
        });

        // Through the engine: scf in its own calc directory, bands in another with the
        // scf's out/ copied in, as the runtime does with JobSpec.parentInputs.
        const scfDir = join(root, `${crystal.name}-scf`);
        const scfJob = qeEngine.prepare(scf);
        const scfOutcome = qeEngine.parse(runIn(scfDir, scfJob), scf);
        expect(scfOutcome.ok).toBe(true);
        if (!scfOutcome.ok) return;
        const bandsJob = qeEngine.prepare(bandsSpec);
        const bandsOutcome = qeEngine.parse(
          runIn(join(root, `${crystal.name}-bands`), bandsJob, { [parent]: scfDir }),
          bandsSpec,
        );
        expect(bandsOutcome.ok).toBe(true);
        if (!bandsOutcome.ok) return;

        // By hand: the same two inputs run one after the other in one directory.
        const direct = join(root, `${crystal.name}-direct`);
        mkdirSync(direct);
        const directScf = pwDirect(direct, 'scf.in', scfJob.files['pw.in'] ?? '');
        const directBands = pwDirect(direct, 'bands.in', bandsJob.files['pw.in'] ?? '');
        expect(readFileSync(join(direct, 'bands.in'), 'utf8')).toContain('K_POINTS crystal_b');

        const energyRy = Number(/^!\s+total energy\s+=\s+(\S+) Ry/m.exec(directScf)?.[1]);
        expect(scfOutcome.result.total_energy_ry).toBe(energyRy);
        expect(
          Math.abs(Number(scfOutcome.result.total_energy_ev) - energyRy * RY_TO_EV),
        ).toBeLessThan(1e-4);

        const printed = printedBandEnergies(directBands);
        expect(printed.length).toBeGreaterThan(40);
        expect(bandsOutcome.result.band_energies_ev).toEqual(printed);
        const vbm = Math.max(...printed.map((b) => b[crystal.occupied - 1] ?? NaN));
        const cbm = Math.min(...printed.map((b) => b[crystal.occupied] ?? NaN));
        expect(Math.abs(Number(bandsOutcome.result.band_gap_ev) - (cbm - vbm))).toBeLessThan(1e-4);
        expect(Math.abs(Number(bandsOutcome.result.valence_band_maximum_ev) - vbm)).toBeLessThan(
          1e-4,
        );
        const gap = Number(bandsOutcome.result.band_gap_ev);
        expect(gap).toBeGreaterThan(crystal.gap[0]);
        expect(gap).toBeLessThan(crystal.gap[1]);
        // Silicon and diamond are indirect-gap semiconductors (Γ → near X).
        expect(bandsOutcome.result.band_gap_direct).toBe(false);
        expect(bandsOutcome.programVersion).toMatch(/^6\.7/);
      },
      120_000,
    );
  }

  it.skipIf(SKIP)(
    'relaxes displaced silicon back to the diamond sites and runs an scf on the structure it returns',
    () => {
      const options = { ecutwfc: 12, kpoints: [4, 4, 4] };
      const relax = spec({ program: 'qe', task: 'relax', structure: STRAINED_SILICON, options });
      const relaxed = qeEngine.parse(runIn(join(root, 'relax'), qeEngine.prepare(relax)), relax);
      expect(relaxed.ok).toBe(true);
      if (!relaxed.ok) return;
      const structure = relaxed.result.structure as unknown as PeriodicStructure;
      // The bond vector returns to (¼, ¼, ¼) (the cell may drift as a whole).
      const [a, b] = structure.sites;
      const bond = [0, 1, 2].map((i) => (b?.fractional[i] ?? 0) - (a?.fractional[i] ?? 0));
      bond.forEach((x) => {
        expect(Math.abs(x - 0.25)).toBeLessThan(1e-3);
      });
      const scf = spec({ program: 'qe', task: 'scf', structure, options });
      const outcome = qeEngine.parse(runIn(join(root, 'relaxed-scf'), qeEngine.prepare(scf)), scf);
      expect(outcome.ok).toBe(true);
      if (!outcome.ok) return;
      expect(Number(outcome.result.total_energy_ry)).toBeCloseTo(
        Number(relaxed.result.final_energy_ry),
        5,
      );
    },
    120_000,
  );
});
