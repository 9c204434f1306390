import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CRYSTAL_REAL,
  haveCrystalFixtures,
  MGO_CIF,
  noCrystalFixtures,
} from '../engines/crystal/crystal-fixtures.js';
import { cleanupTempDirs, runCli, tempCampaign, tempDir, withStore } from '../helpers/cli.js';
import { crystalStandIns } from '../helpers/crystal-stand-ins.js';

afterEach(async () => {
  expect(await cleanupTempDirs()).toEqual([]);
});

interface StepJson {
  readonly state: string;
  readonly key: string | null;
  readonly reason: string | null;
  readonly result: Record<string, unknown> | null;
}

/** The numbers the real outputs print, read here with patterns of their own. */
function realNumbers(): Readonly<
  Record<
    'optEnergy' | 'points' | 'cellA' | 'scfEnergy' | 'cycles' | 'bandGap' | 'kpoints' | 'bands',
    number
  >
> {
  const read = (file: string, pattern: RegExp): string[] => {
    const m = pattern.exec(readFileSync(join(CRYSTAL_REAL, file), 'utf8'));
    if (m === null) throw new Error(`${file} has no ${pattern.source}`);
    return m.slice(1);
  };
  const [optEnergy = '', points = ''] = read(
    'mgo_opt_hf_c17/main.out',
    /OPT END - CONVERGED \* E\(AU\):\s+(\S+)\s+POINTS\s+(\d+)/,
  );
  const [cellA = ''] = read(
    'mgo_opt_hf_c17/main.out',
    /FINAL OPTIMIZED GEOMETRY[\s\S]*?ALPHA\s+BETA\s+GAMMA\s*\n\s*(\S+)/,
  );
  const [scfEnergy = '', cycles = ''] = read(
    'mgo_scf_hf_c17/main.out',
    /SCF ENDED - CONVERGENCE ON ENERGY\s+E\(AU\)\s+(\S+)\s+CYCLES\s+(\d+)/,
  );
  const [bandGap = ''] = read('mgo_band_c17/band_mgo.outp', /DIRECT ENERGY BAND GAP:\s+(\S+)/);
  const [kpoints = '', bands = ''] = read(
    'mgo_band_c17/band_mgo.BAND',
    /# NKPT\s+(\d+)\s+NBND\s+(\d+)/,
  );
  return {
    optEnergy: Number(optEnergy.replace(/[dD]/, 'E')),
    points: Number(points),
    cellA: Number(cellA),
    scfEnergy: Number(scfEnergy.replace(/[dD]/, 'E')),
    cycles: Number(cycles),
    bandGap: Number(bandGap),
    kpoints: Number(kpoints),
    bands: Number(bands),
  };
}

describe('the built-in workflow crystal-three-step', () => {
  it('is found by name and checked whole, and a name that is neither a file nor built in is one clear line', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'mgo.cif'), MGO_CIF);
    const ok = runCli(
      ['workflow', 'validate', 'crystal-three-step', '--set', 'structure=mgo.cif'],
      {
        cwd: dir,
      },
    );
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('3 steps (opt → scf → bands)');
    const missing = runCli(['workflow', 'validate', 'crystal-three-step'], { cwd: dir });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/structure/);
    const unknown = runCli(['workflow', 'validate', 'crystal-four-step'], { cwd: dir });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.trim()).toBe(
      'retort: crystal-four-step: cannot read the workflow file (nor is it a built-in workflow: crystal-three-step)',
    );
  });

  it.skipIf(!haveCrystalFixtures)(
    `runs optimisation → SCF on the optimised cell → bands on its wavefunction through stand-ins, numbers as the real outputs print them${haveCrystalFixtures ? '' : ` (skipped: ${noCrystalFixtures})`}`,
    () => {
      const dir = tempCampaign();
      writeFileSync(join(dir, 'mgo.cif'), MGO_CIF);
      const env = crystalStandIns(dir);
      const run = runCli(
        [
          'workflow',
          'run',
          'crystal-three-step',
          '--set',
          'structure=mgo.cif',
          '--set',
          'hamiltonian=HF',
          '--set',
          'basis=STO-3G',
          '--headless',
        ],
        { cwd: dir, env },
      );
      expect(run.status, run.stderr).toBe(0);
      const status = runCli(['workflow', 'status', 'crystal-three-step', '--json'], { cwd: dir });
      const [instance] = JSON.parse(status.stdout) as { steps: Record<string, StepJson> }[];
      const { opt, scf, bands } = instance?.steps ?? {};
      expect([opt?.state, scf?.state, bands?.state], bands?.reason ?? '').toEqual([
        'succeeded',
        'succeeded',
        'succeeded',
      ]);

      const real = realNumbers();
      expect(opt?.result).toMatchObject({
        energy_hartree: real.optEnergy,
        optimization_points: real.points,
        cell: { a: real.cellA },
      });
      expect(scf?.result).toMatchObject({
        energy_hartree: real.scfEnergy,
        scf_cycles: real.cycles,
      });
      expect(bands?.result).toEqual({
        band_gap_ev: real.bandGap,
        band_gap_kind: 'direct',
        k_points: real.kpoints,
        bands: real.bands,
      });

      // Each step's input is its template rendered: the scf on the optimised cell, the bands
      // reading the scf's wavefunction (its key is the bands calc's parent).
      const inputs = withStore(dir, (db) =>
        Object.fromEntries(
          (
            db
              .prepare(
                'SELECT c.task AS task, a.inputs_json AS inputs, c.spec_json AS spec FROM attempts a JOIN calcs c ON c.key = a.calc_key',
              )
              .all() as { task: string; inputs: string; spec: string }[]
          ).map((r) => [
            r.task,
            {
              input: (JSON.parse(r.inputs) as Record<string, string>).INPUT ?? '',
              spec: JSON.parse(r.spec) as { options?: { parent?: string } },
            },
          ]),
        ),
      );
      expect(inputs.optimize?.input).toContain('OPTGEOM\nFULLOPTG\n');
      const cell = `${real.cellA.toFixed(8)} ${real.cellA.toFixed(8)} ${real.cellA.toFixed(8)} 60.00000000 60.00000000 60.00000000`;
      expect(inputs.scf?.input).toContain(`CRYSTAL\n0 0 0\n1\n${cell}\n2\n`);
      expect(inputs.scf?.input).not.toContain('OPTGEOM');
      expect(inputs.bands?.input).toMatch(/^NEWK\n12 24\n1 0\nBAND\n/);
      expect(inputs.bands?.spec.options?.parent).toBe(scf?.key);
    },
    300_000,
  );
});
