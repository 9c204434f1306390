import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { itemFileName } from '../../src/core/item-file-name.js';
import { getEngine } from '../../src/engines/registry.js';
import { largestBandDifference, printedBandEnergies, pwByHand } from '../helpers/pw-by-hand.js';
import {
  cleanupTempDirs,
  hasProgram,
  REPO_ROOT,
  runCli,
  startCli,
  tempCampaign,
  waitFor,
  withStore,
} from '../helpers/cli.js';

afterEach(async () => {
  expect(await cleanupTempDirs()).toEqual([]);
});

const EXAMPLES = join(REPO_ROOT, 'examples', 'workflows');

interface StepJson {
  readonly state: string;
  readonly key: string | null;
  readonly cached: boolean;
  readonly reason: string | null;
  readonly result: Record<string, unknown> | null;
}
interface InstanceJson {
  readonly instance: string;
  readonly status: string;
  readonly steps: Record<string, StepJson>;
}

function statusJson(dir: string, name?: string): InstanceJson[] {
  const r = runCli(['workflow', 'status', ...(name === undefined ? [] : [name]), '--json'], {
    cwd: dir,
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as InstanceJson[];
}

/** Each calc's attempts, by key. */
function attemptsByKey(dir: string): Map<string, number> {
  return withStore(
    dir,
    (db) =>
      new Map(
        db
          .prepare('SELECT calc_key AS key, count(*) AS n FROM attempts GROUP BY calc_key')
          .all()
          .map((row) => {
            const { key, n } = row as { key: string; n: number };
            return [key, n];
          }),
      ),
  );
}

describe.skipIf(!hasProgram('xtb') || !hasProgram('psi4') || !hasProgram('obabel'))(
  'the molecular sweep example, two molecules at HF/STO-3G',
  () => {
    it('resumes after SIGKILL without computing a finished step again, and finds HF/STO-3G water where psi4 run by hand has it', async () => {
      const dir = tempCampaign();
      copyFileSync(join(EXAMPLES, 'molecule-sweep.yaml'), join(dir, 'sweep.yaml'));
      writeFileSync(join(dir, 'molecules.csv'), 'name,smiles\nwater,O\nhydrogen-fluoride,F\n');
      const args = [
        'workflow',
        'run',
        'sweep.yaml',
        '--set',
        'method=hf',
        '--set',
        'basis=sto-3g',
        '--workers',
        '1',
        '--headless',
      ];
      const first = startCli(args, { cwd: dir });
      await waitFor(
        'a finished psi4 calc',
        () =>
          withStore(dir, (db) =>
            (db
              .prepare(`SELECT count(*) FROM calcs WHERE program = 'psi4' AND status = 'succeeded'`)
              .pluck()
              .get() as number) > 0
              ? true
              : undefined,
          ),
        180_000,
        20,
      );
      process.kill(first.pid, 'SIGKILL');
      expect((await first.exit).signal).toBe('SIGKILL');
      const finished = withStore(
        dir,
        (db) =>
          db.prepare(`SELECT key FROM calcs WHERE status = 'succeeded'`).pluck().all() as string[],
      );
      const before = attemptsByKey(dir);
      expect(statusJson(dir).some((i) => i.status === 'Running')).toBe(true);

      const second = runCli(args, { cwd: dir });
      expect(second.status, second.stderr).toBe(0);
      const after = attemptsByKey(dir);
      // Every calc finished before the kill was answered from the store: no new attempt.
      for (const key of finished) expect([key, after.get(key)]).toEqual([key, before.get(key)]);
      expect(second.stdout).toMatch(
        new RegExp(`calcs: \\d+ ran ok, ${finished.length} from the store, 0 failed`),
      );

      const [water, hf] = statusJson(dir);
      expect(water?.status).toBe('OK');
      expect(hf?.status).toBe('OK');
      const dft = water?.steps.dft?.result as {
        total_energy_hartree: number;
        geometry: { x: number; y: number; z: number }[];
      };
      const freq = water?.steps.freq?.result as {
        total_energy_hartree: number;
        frequencies_cm1: number[];
        imaginary_count: number;
      };
      // The frequencies ran at the optimised geometry the dft step passed along.
      expect(freq.total_energy_hartree).toBeCloseTo(dft.total_energy_hartree, 7);
      // HF/STO-3G water from psi4 1.3.2 run directly on an input written by hand (psi4's default
      // density-fitted SCF, as retort's input; optimize('scf') with g_convergence gau_verytight
      // from r(OH) 0.9572 Å, then frequency('scf') there; 2026-12-03): r(OH) 0.98942 Å,
      // E −74.9659901225 Eh, harmonic frequencies 2170.28, 4139.77, 4390.80 cm⁻¹ (conventional
      // scf_type pk gives −74.9659011923 Eh and 2170.05, 4140.00, 4391.07). retort's step stops at
      // psi4's default convergence, and the frequencies move with the last residual gradient
      // (by up to 2 cm⁻¹ in a hand run at default convergence): hence 3 cm⁻¹.
      const [o, h] = dft.geometry;
      expect(
        Math.hypot((o?.x ?? 0) - (h?.x ?? 0), (o?.y ?? 0) - (h?.y ?? 0), (o?.z ?? 0) - (h?.z ?? 0)),
      ).toBeCloseTo(0.98942, 3);
      expect(dft.total_energy_hartree).toBeCloseTo(-74.9659901225, 6);
      expect(freq.imaginary_count).toBe(0);
      const byHand = [2170.28, 4139.77, 4390.8];
      expect(freq.frequencies_cm1).toHaveLength(3);
      freq.frequencies_cm1.forEach((f, i) => {
        expect(Math.abs(f - (byHand[i] ?? 0))).toBeLessThan(3);
      });

      // Every result field a step returned is one its engine declares for the task.
      for (const [step, program, task] of [
        ['xtb', 'xtb', 'optimize'],
        ['dft', 'psi4', 'optimize'],
        ['freq', 'psi4', 'frequencies'],
      ] as const) {
        const declared = getEngine(program).resultFields[task] ?? [];
        const returned = Object.keys(water?.steps[step]?.result ?? {});
        expect(returned.filter((k) => !declared.includes(k))).toEqual([]);
      }

      const csv = readFileSync(join(dir, 'exports', 'workflow-molecule-sweep.csv'), 'utf8')
        .trim()
        .split('\n');
      expect(csv).toHaveLength(3);
      expect(csv[1]).toMatch(
        /^water,water,O,succeeded,-5\.07\d+,succeeded,-74\.96\d+,succeeded,-74\.96\d+$/,
      );
    }, 600_000);
  },
);

/**
 * The crystals of the example, one at a time, at small settings: Si (Debian's LDA Si.pz-vbc)
 * and Ge (its PBE PAW Ge.pbe-kjpaw, which suggests 17 Ry; 20 Ry keeps the run short).
 */
const CRYSTALS = [
  { name: 'silicon', cif: 'si.cif', ecutwfc: 12, kgrid: 4 },
  { name: 'germanium', cif: 'ge.cif', ecutwfc: 20, kgrid: 4 },
] as const;

describe.skipIf(!hasProgram('pw.x'))('the crystal example, one crystal, small settings', () => {
  it.each(CRYSTALS)(
    '$name: relaxes, runs the scf on the relaxed cell and the bands from its charge density, to pw.x by hand, and draws them',
    (crystal) => {
      const dir = tempCampaign();
      copyFileSync(join(EXAMPLES, crystal.cif), join(dir, crystal.cif));
      writeFileSync(
        join(dir, 'one.yaml'),
        readFileSync(join(EXAMPLES, 'crystal-bands.yaml'), 'utf8').replace(
          'structure: [si.cif, ge.cif]',
          `structure: [${crystal.cif}]`,
        ),
      );
      const r = runCli(
        [
          'workflow',
          'run',
          'one.yaml',
          '--set',
          `ecutwfc=${String(crystal.ecutwfc)}`,
          '--set',
          `kgrid=${String(crystal.kgrid)}`,
          '--headless',
        ],
        { cwd: dir },
      );
      expect(r.stderr).not.toMatch(/internal error/);
      const [only] = statusJson(dir);
      const relax = only?.steps.relax;
      const scf = only?.steps.scf;
      expect([relax?.state, scf?.state]).toEqual(['succeeded', 'succeeded']);
      // The ideal diamond structure does not move: the scf on the relaxed cell has the relax's energy.
      expect(scf?.result?.total_energy_ry as number).toBeCloseTo(
        relax?.result?.total_energy_ry as number,
        6,
      );
      const bands = withStore(
        dir,
        (db) =>
          db.prepare(`SELECT spec_json FROM calcs WHERE task = 'bands'`).pluck().get() as string,
      );
      expect((JSON.parse(bands) as { options: { parent: string } }).options.parent).toBe(scf?.key);

      // The bands ran from the scf's copied out/, to what pw.x gives run by hand on the same two
      // inputs, and their plot was written.
      const bandsStep = only?.steps.bands;
      expect(bandsStep?.state, bandsStep?.reason ?? '').toBe('succeeded');
      const inputs = withStore(
        dir,
        (db) =>
          db
            .prepare(
              `SELECT a.inputs_json FROM attempts a JOIN calcs c ON c.key = a.calc_key
             WHERE c.key IN (?, ?) ORDER BY a.submitted_at`,
            )
            .pluck()
            .all(scf?.key, bandsStep?.key) as string[],
      ).map((json) => (JSON.parse(json) as Record<string, string>)['pw.in'] ?? '');
      expect(inputs).toHaveLength(2);
      const byHand = printedBandEnergies(pwByHand(inputs)[1] ?? '');
      const energies = bandsStep?.result?.band_energies_ev as number[][];
      expect(byHand.length).toBeGreaterThan(10);
      expect(largestBandDifference(byHand, energies)).toBeLessThanOrEqual(1e-4);
      const plots = readdirSync(join(dir, 'exports')).filter((f) => f.endsWith('-bands-bands.svg'));
      expect(plots).toEqual([
        `${itemFileName(`workflow-crystal-bands-${only?.instance ?? ''}-bands`)}-bands.svg`,
      ]);
      expect(readFileSync(join(dir, 'exports', plots[0] ?? ''), 'utf8')).toContain('<svg');

      // Silicon only (it is the cheap one): the example's inputs come from the built-in
      // templates; the same three steps with the inputs the qe engine writes from options give
      // the same bands at every k-point both paths pass through (Γ, X, W, K, L …).
      if (crystal.cif !== 'si.cif') return;
      expect(inputs[1]).toContain("calculation = 'bands'");
      writeFileSync(
        join(dir, 'engine.yaml'),
        readFileSync(
          join(REPO_ROOT, 'test', 'fixtures', 'workflows', 'crystal-bands-engine-inputs.yaml'),
          'utf8',
        ).replace('structure: [si.cif, ge.cif]', 'structure: [si.cif]'),
      );
      const engineRun = runCli(
        ['workflow', 'run', 'engine.yaml', '--set', 'ecutwfc=12', '--set', 'kgrid=4', '--headless'],
        { cwd: dir },
      );
      expect(engineRun.stderr).not.toMatch(/internal error/);
      const engineBands = statusJson(dir, 'crystal-bands-engine-inputs')[0]?.steps.bands;
      expect(engineBands?.state, engineBands?.reason ?? '').toBe('succeeded');
      const kpoints = (step: typeof bandsStep): number[][] =>
        step?.result?.kpoints_cartesian_2pi_alat as number[][];
      const engineEnergies = engineBands?.result?.band_energies_ev as number[][];
      let shared = 0;
      let worst = 0;
      kpoints(bandsStep).forEach((k, i) => {
        const j = kpoints(engineBands).findIndex((q) =>
          q.every((x, n) => Math.abs(x - (k[n] ?? NaN)) < 1e-6),
        );
        if (j < 0) return;
        shared += 1;
        worst = Math.max(
          worst,
          largestBandDifference([energies[i] ?? []], [engineEnergies[j] ?? []]),
        );
      });
      expect(shared).toBeGreaterThanOrEqual(6);
      expect(worst).toBeLessThanOrEqual(1e-4);
    },
    600_000,
  );
});

describe.skipIf(!hasProgram('mopac') || !hasProgram('obabel'))('template steps (live)', () => {
  it('renders each step from a built-in template, the second from the first one’s geometry', () => {
    const dir = tempCampaign();
    writeFileSync(
      join(dir, 'tpl.yaml'),
      [
        'name: tpl',
        'steps:',
        '  pm7:',
        '    template: mopac-optimize',
        '    smiles: CCO',
        '  pm6:',
        '    needs: [pm7]',
        '    template: mopac-optimize',
        '    values: {method: PM6}',
        '    molecule: ${{ steps.pm7.result }}',
        '',
      ].join('\n'),
    );
    const r = runCli(['workflow', 'run', 'tpl.yaml', '--headless'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    const [only] = statusJson(dir);
    const pm7 = only?.steps.pm7;
    const pm6 = only?.steps.pm6;
    expect([pm7?.state, pm6?.state]).toEqual(['succeeded', 'succeeded']);
    // The template's engine is the step's program; each input is the rendered template.
    const inputs = withStore(
      dir,
      (db) =>
        db
          .prepare(`SELECT key, program, spec_json FROM calcs WHERE key IN (?, ?)`)
          .all(pm7?.key, pm6?.key) as { key: string; program: string; spec_json: string }[],
    );
    const input = (key: string | null | undefined): string =>
      (JSON.parse(inputs.find((i) => i.key === key)?.spec_json ?? '{}') as { input?: string })
        .input ?? '';
    expect(inputs.map((i) => i.program)).toEqual(['mopac', 'mopac']);
    expect(input(pm7?.key)).toMatch(/^PM7\b/);
    expect(input(pm6?.key)).toMatch(/^PM6\b/);
    expect(pm6?.result?.heat_of_formation_kcal_mol).not.toBe(
      pm7?.result?.heat_of_formation_kcal_mol,
    );
  }, 120_000);
});
