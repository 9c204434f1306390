import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupTempDirs,
  hasProgram,
  runCli,
  startCli,
  tempCampaign,
  waitFor,
  withStore,
} from '../helpers/cli.js';
import { sharedPath } from '../helpers/shared-data.js';

afterEach(async () => {
  expect(await cleanupTempDirs()).toEqual([]);
});

const QCMB = sharedPath('data', 'qcmb');
const TRIMER = join(QCMB, 'h2o3_hf_sto3g_energy_mbe3.json');
const haveCases = existsSync(TRIMER);
const psi4 = hasProgram('psi4');

interface Expected {
  readonly expected: {
    readonly qcmanybody: {
      readonly ret_energy: number;
      readonly properties: Record<string, unknown>;
    };
  };
  readonly tolerance: { readonly atol: number };
}
interface Result {
  readonly ret_energy: number;
  readonly properties: Record<string, unknown>;
}

/** Every numeric property of the reference, compared with the result's. */
function expectProperties(result: Result, reference: Expected): void {
  const { properties, ret_energy } = reference.expected.qcmanybody;
  let compared = 0;
  for (const [name, value] of Object.entries(properties)) {
    if (typeof value !== 'number') continue;
    expect(result.properties[name], name).toBeTypeOf('number');
    expect(Math.abs((result.properties[name] as number) - value), name).toBeLessThanOrEqual(1e-7);
    compared++;
  }
  expect(compared).toBeGreaterThan(20);
  expect(Math.abs(result.ret_energy - ret_energy)).toBeLessThanOrEqual(1e-7);
}

const resultOf = (dir: string): Result =>
  JSON.parse(
    readFileSync(join(dir, 'exports', 'mbe-h2o3_hf_sto3g_energy_mbe3.json'), 'utf8'),
  ) as Result;

describe('retort mbe run (live, psi4)', () => {
  it.skipIf(!haveCases || !psi4)(
    "reproduces QCManyBody's water trimer HF/STO-3G properties to 1e-7 hartree, then answers from the store",
    () => {
      const dir = tempCampaign();
      const r = runCli(['mbe', 'run', TRIMER, '--workers', '2', '--headless'], { cwd: dir });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('Counterpoise Corrected (CP)');
      expect(r.stdout).toContain('19 calcs run, 0 from the store');
      const reference = JSON.parse(readFileSync(TRIMER, 'utf8')) as Expected;
      expectProperties(resultOf(dir), reference);

      const again = runCli(['mbe', 'run', TRIMER, '--headless'], { cwd: dir });
      expect(again.stdout).toContain('0 calcs run, 19 from the store');
    },
    300_000,
  );

  it.skipIf(!haveCases || !psi4)(
    'killed with SIGKILL halfway and started again, recomputes only the unfinished subsystems and gives the same numbers',
    async () => {
      const dir = tempCampaign();
      const run = startCli(['mbe', 'run', TRIMER, '--workers', '1', '--headless'], { cwd: dir });
      await waitFor(
        'six subsystem calcs done',
        () =>
          existsSync(join(dir, 'retort.db')) &&
          withStore(
            dir,
            (db) =>
              db
                .prepare<[], { n: number }>(
                  `SELECT COUNT(*) AS n FROM calcs WHERE status = 'succeeded'`,
                )
                .get()?.n ?? 0,
          ) >= 6
            ? true
            : undefined,
        240_000,
      );
      process.kill(run.pid, 'SIGKILL');
      await run.exit;
      const before = withStore(
        dir,
        (db) =>
          db
            .prepare<[], { n: number }>(
              `SELECT COUNT(*) AS n FROM calcs WHERE status = 'succeeded'`,
            )
            .get()?.n ?? 0,
      );
      expect(before).toBeLessThan(19);

      const again = runCli(['mbe', 'run', TRIMER, '--workers', '2', '--headless'], { cwd: dir });
      expect(again.status, again.stderr).toBe(0);
      const twice = withStore(dir, (db) =>
        db
          .prepare<[], { calc_key: string }>(
            `SELECT calc_key FROM attempts WHERE status = 'succeeded' GROUP BY calc_key HAVING COUNT(*) > 1`,
          )
          .all(),
      );
      expect(twice).toEqual([]);
      const reference = JSON.parse(readFileSync(TRIMER, 'utf8')) as Expected;
      expectProperties(resultOf(dir), reference);
    },
    300_000,
  );

  it.skipIf(!psi4)(
    'runs an input in retort’s own YAML layout',
    () => {
      const dir = tempCampaign();
      writeFileSync(
        join(dir, 'dimer.yaml'),
        `molecule:
  units: angstrom
  xyz: |
    O  -1.551007  -0.114520   0.000000
    H  -1.934259   0.762503   0.000000
    H  -0.599677   0.040712   0.000000
    --
    O   1.350625   0.111469   0.000000
    H   1.680398  -0.373741  -0.758561
    H   1.680398  -0.373741   0.758561
driver: energy
bsse_type: [cp, nocp]
model_chemistries:
  hf: {program: psi4, method: hf, basis: sto-3g, keywords: {}}
execution: {timeout_s: 300}
`,
      );
      const r = runCli(['mbe', 'run', 'dimer.yaml', '--headless'], { cwd: dir });
      expect(r.status, r.stderr).toBe(0);
      const result = JSON.parse(
        readFileSync(join(dir, 'exports', 'mbe-dimer.json'), 'utf8'),
      ) as Result;
      const ie = result.properties.cp_corrected_interaction_energy;
      expect(ie).toBeTypeOf('number');
      // HF/STO-3G binds the water dimer by a few kcal/mol.
      expect(ie as number).toBeLessThan(0);
      expect(ie as number).toBeGreaterThan(-0.02);
    },
    300_000,
  );

  it.skipIf(!psi4)(
    'runs EE-MBE: each monomer calc carries the other monomer’s charges, and they change the result',
    () => {
      const dimer = (embedding: string): string => `molecule:
  units: angstrom
  xyz: |
    O  -1.551007  -0.114520   0.000000
    H  -1.934259   0.762503   0.000000
    H  -0.599677   0.040712   0.000000
    --
    O   1.350625   0.111469   0.000000
    H   1.680398  -0.373741  -0.758561
    H   1.680398  -0.373741   0.758561
driver: energy
bsse_type: [nocp]
return_total_data: true
${embedding}model_chemistries:
  hf: {program: psi4, method: hf, basis: sto-3g, keywords: {}}
execution: {timeout_s: 300}
`;
      const dir = tempCampaign();
      writeFileSync(
        join(dir, 'ee.yaml'),
        dimer('embedding_charges: {1: [-0.834, 0.417, 0.417], 2: [-0.834, 0.417, 0.417]}\n'),
      );
      writeFileSync(join(dir, 'plain.yaml'), dimer(''));
      const ee = runCli(['mbe', 'run', 'ee.yaml', '--headless'], { cwd: dir });
      expect(ee.status, ee.stderr).toBe(0);
      const plain = runCli(['mbe', 'run', 'plain.yaml', '--headless'], { cwd: dir });
      expect(plain.status, plain.stderr).toBe(0);
      const read = (name: string): Result =>
        JSON.parse(readFileSync(join(dir, 'exports', `mbe-${name}.json`), 'utf8')) as Result;
      const [withCharges, without] = [read('ee'), read('plain')];
      // The full 2-body total is the dimer's energy either way; the 1-body total is not: the
      // charges polarise each monomer (a millihartree-scale change).
      expect(Math.abs(withCharges.ret_energy - without.ret_energy)).toBeLessThan(1e-9);
      const oneBody = (r: Result): number =>
        r.properties.nocp_corrected_total_energy_through_1_body as number;
      expect(oneBody(withCharges)).toBeTypeOf('number');
      const change = Math.abs(oneBody(withCharges) - oneBody(without));
      expect(change).toBeGreaterThan(1e-4);
      expect(change).toBeLessThan(0.1);

      const specs = withStore(dir, (db) =>
        db.prepare<[], { spec_json: string }>('SELECT spec_json FROM calcs').all(),
      ).map(
        (row) =>
          JSON.parse(row.spec_json) as {
            molecule: { atoms: { ghost?: boolean }[] };
            options?: { external_charges?: number[][] };
          },
      );
      const monomers = specs.filter((s) => s.molecule.atoms.length === 3);
      // Two monomers with charges (EE run), two without (plain run): different calcs.
      expect(monomers).toHaveLength(4);
      const charged = monomers.filter((s) => s.options?.external_charges !== undefined);
      expect(charged).toHaveLength(2);
      for (const s of charged) {
        const charges = s.options?.external_charges ?? [];
        expect(charges).toHaveLength(3);
        expect(charges.map((c) => c[0])).toEqual([-0.834, 0.417, 0.417]);
      }
      // The dimer has no fragment outside its basis: no charges, one calc shared by both runs.
      const dimers = specs.filter((s) => s.molecule.atoms.length === 6);
      expect(dimers).toHaveLength(1);
      expect(dimers[0]?.options?.external_charges).toBeUndefined();
    },
    300_000,
  );
});

const HESSIAN_CASE = join(QCMB, 'h2o3_hf_sto3g_hessian_mbe3.json');

interface ArrayCase {
  readonly expected: {
    readonly qcmanybody: {
      readonly ret_energy: number;
      readonly ret_gradient: number[][];
      readonly ret_hessian: number[][];
      readonly properties: Record<string, unknown>;
      readonly gradient_body_dict: Record<string, Record<string, number[][]>>;
      readonly hessian_body_dict: Record<string, Record<string, number[][]>>;
    };
  };
  readonly tolerance: { readonly atol: number; readonly rtol: number };
}

/** The largest |a − b| − rtol·|b| over two equal-shaped arrays (≤ atol: numpy.allclose). */
function excess(a: unknown, b: unknown, rtol: number): number {
  if (typeof b === 'number') {
    return typeof a === 'number' ? Math.abs(a - b) - rtol * Math.abs(b) : Number.POSITIVE_INFINITY;
  }
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) {
    return Number.POSITIVE_INFINITY;
  }
  return Math.max(...b.map((x, i) => excess((a as unknown[])[i], x as unknown, rtol)));
}

describe('retort mbe run with driver hessian (live, psi4)', () => {
  it.skipIf(!existsSync(HESSIAN_CASE) || !psi4)(
    "reproduces QCManyBody's water trimer HF/STO-3G Hessian case: energy, gradient and Hessian at every level, to the case's tolerance",
    async () => {
      const dir = tempCampaign();
      // 19 psi4 Hessians: minutes on 2 busy cores, longer than runCli's 10-minute limit allows.
      const r = await startCli(['mbe', 'run', HESSIAN_CASE, '--workers', '2', '--headless'], {
        cwd: dir,
      }).exit;
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('19 calcs run, 0 from the store');
      const result = JSON.parse(
        readFileSync(join(dir, 'exports', 'mbe-h2o3_hf_sto3g_hessian_mbe3.json'), 'utf8'),
      ) as Record<string, unknown> & {
        properties: Record<string, unknown>;
        gradient_body_dict: Record<string, Record<string, unknown>>;
        hessian_body_dict: Record<string, Record<string, unknown>>;
      };
      const reference = JSON.parse(readFileSync(HESSIAN_CASE, 'utf8')) as ArrayCase;
      const { atol, rtol } = reference.tolerance;
      const q = reference.expected.qcmanybody;
      expect(excess(result.ret_energy, q.ret_energy, rtol)).toBeLessThanOrEqual(atol);
      expect(excess(result.ret_gradient, q.ret_gradient, rtol)).toBeLessThanOrEqual(atol);
      expect(excess(result.ret_hessian, q.ret_hessian, rtol)).toBeLessThanOrEqual(atol);
      expect(result.return_result).toEqual(result.ret_hessian);
      let compared = 0;
      for (const [name, value] of Object.entries(q.properties)) {
        expect(excess(result.properties[name], value, rtol), name).toBeLessThanOrEqual(atol);
        compared++;
      }
      expect(compared).toBe(30);
      for (const dict of ['gradient_body_dict', 'hessian_body_dict'] as const) {
        for (const [bt, byLevel] of Object.entries(q[dict])) {
          for (const [n, value] of Object.entries(byLevel)) {
            expect(
              excess(result[dict][bt]?.[n], value, rtol),
              `${dict}.${bt}.${n}`,
            ).toBeLessThanOrEqual(atol);
          }
        }
      }
    },
    1_800_000,
  );
});

describe('retort mbe run refusals', () => {
  it('refuses counterpoise with a semi-empirical method before running anything, explaining why', () => {
    const dir = tempCampaign();
    writeFileSync(
      join(dir, 'xtb.yaml'),
      `molecule:
  units: angstrom
  xyz: |
    O 0 0 0
    H 0.96 0 0
    H -0.24 0.93 0
    --
    O 2.9 0 0
    H 3.86 0 0
    H 2.66 0.93 0
driver: energy
bsse_type: [cp]
model_chemistries:
  gfn2: {program: xtb, method: GFN2, basis: none, keywords: {}}
`,
    );
    const r = runCli(['mbe', 'run', 'xtb.yaml', '--headless'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/semi-empirical|basis functions/);
    expect(
      withStore(
        dir,
        (db) => db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM calcs').get()?.n,
      ),
    ).toBe(0);
  });
});
