import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, hasProgram, runCli, tempCampaign, withStore } from '../helpers/cli.js';

afterEach(async () => {
  expect(await cleanupTempDirs()).toEqual([]);
});

/** The ready MBE inputs of examples/mbe, one per layout and feature. */
const EXAMPLES = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'mbe');
const INPUTS = readdirSync(EXAMPLES).filter((f) => /\.(ya?ml|json)$/.test(f));

/** A campaign holding a copy of the examples (their outputs land there, not in the project). */
function campaignWithExamples(): string {
  const dir = tempCampaign();
  cpSync(EXAMPLES, dir, { recursive: true });
  return dir;
}

interface Result {
  readonly properties: Record<string, unknown>;
  readonly return_result: unknown;
  readonly ret_gradient?: number[][];
  readonly ret_hessian?: number[][];
  readonly timings?: { readonly tasks_run: number; readonly tasks: Record<string, unknown> };
}

function result(dir: string, name: string): Result {
  return JSON.parse(readFileSync(join(dir, 'exports', `mbe-${name}.json`), 'utf8')) as Result;
}

function run(dir: string, file: string): string {
  const r = runCli(['mbe', 'run', file, '--headless'], { cwd: dir });
  expect(r.status, `${file}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

const psi4 = hasProgram('psi4');
const nwchem = hasProgram('nwchem');

describe('examples/mbe', () => {
  it('has an input in each layout retort reads, and every one validates', () => {
    const dir = campaignWithExamples();
    const layouts = INPUTS.map((file) => {
      const r = runCli(['mbe', 'validate', file], { cwd: dir });
      expect(r.status, `${file}: ${r.stderr}`).toBe(0);
      return /\((\w+) layout;/.exec(r.stdout)?.[1];
    });
    expect(new Set(layouts)).toEqual(new Set(['retort', 'fork', 'qcschema', 'case']));
  });

  it.skipIf(!psi4)(
    'water-dimer.yaml: cp and nocp interaction energies of a few kcal/mol, with the timings of the 5 tasks',
    () => {
      const dir = campaignWithExamples();
      expect(run(dir, 'water-dimer.yaml')).toContain('5 calcs run, 0 from the store');
      const r = result(dir, 'water-dimer');
      const cp = r.properties.cp_corrected_interaction_energy as number;
      const nocp = r.properties.nocp_corrected_interaction_energy as number;
      // HF/STO-3G binds the dimer; counterpoise removes part of the (large) BSSE of STO-3G.
      expect(nocp).toBeLessThan(cp);
      expect(cp).toBeLessThan(0);
      expect(cp).toBeGreaterThan(-0.02);
      expect(r.timings?.tasks_run).toBe(5);
      expect(Object.keys(r.timings?.tasks ?? {})).toHaveLength(5);

      // water-dimer-case.json holds the components of an earlier run of this input (the qcmb
      // case layout): analysed again, they give this run's numbers.
      const analyzed = runCli(
        ['mbe', 'analyze', 'water-dimer-case.json', '--output', 'case.json'],
        {
          cwd: dir,
        },
      );
      expect(analyzed.status, analyzed.stderr).toBe(0);
      const fromCase = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as Result;
      let compared = 0;
      for (const [name, value] of Object.entries(r.properties)) {
        if (typeof value !== 'number') continue;
        expect(Math.abs((fromCase.properties[name] as number) - value), name).toBeLessThan(1e-9);
        compared++;
      }
      expect(compared).toBeGreaterThan(15);
    },
    600_000,
  );

  it.skipIf(!psi4)(
    'water-trimer-fork.yaml: the fork layout, molecule from its XYZ file, the text summary written where output.file says',
    () => {
      const dir = campaignWithExamples();
      expect(run(dir, 'water-trimer-fork.yaml')).toContain(
        `wrote ${join(dir, 'water-trimer-fork.txt')}`,
      );
      const text = readFileSync(join(dir, 'water-trimer-fork.txt'), 'utf8');
      expect(text).toContain('==> N-Body: Non-Counterpoise Corrected (NoCP) energies <==');
      expect(text).toMatch(/^ {3}return_energy: -224\.9\d+ Eh$/m);
      expect(text).toMatch(/^ {3}timings: 6 tasks run, 0 from the store; [\d.]+ s of calcs/m);
    },
    600_000,
  );

  it.skipIf(!psi4)(
    'water-dimer-qcschema.json: a QCManyBody ManyBodyInput, cp gradient of 6 atoms whose rows sum to zero',
    () => {
      const dir = campaignWithExamples();
      run(dir, 'water-dimer-qcschema.json');
      const gradient = result(dir, 'water-dimer-qcschema').return_result as number[][];
      expect(gradient).toHaveLength(6);
      for (const axis of [0, 1, 2]) {
        const sum = gradient.reduce((s, row) => s + (row[axis] ?? Number.NaN), 0);
        expect(Math.abs(sum)).toBeLessThan(1e-6);
      }
    },
    600_000,
  );

  it.skipIf(!psi4)(
    'water-dimer-hessian.yaml: a symmetric 18 × 18 Hessian, with the gradient, on one line',
    () => {
      const dir = campaignWithExamples();
      run(dir, 'water-dimer-hessian.yaml');
      const text = readFileSync(join(dir, 'exports', 'mbe-water-dimer-hessian.json'), 'utf8');
      expect(text.trimEnd().split('\n')).toHaveLength(1);
      const r = JSON.parse(text) as Result;
      const hessian = r.return_result as number[][];
      expect(hessian).toHaveLength(18);
      hessian.forEach((row, i) => {
        row.forEach((v, j) => {
          expect(Math.abs(v - (hessian[j]?.[i] ?? Number.NaN))).toBeLessThan(1e-6);
        });
      });
      expect(r.ret_gradient).toHaveLength(6);
      expect(r.properties.return_hessian).toEqual(hessian);
    },
    600_000,
  );

  it.skipIf(!nwchem)(
    'water-dimer-nwchem.yaml: NWChem runs every subsystem with the convergence keywords of the input',
    () => {
      const dir = campaignWithExamples();
      run(dir, 'water-dimer-nwchem.yaml');
      expect(result(dir, 'water-dimer-nwchem').return_result).toHaveLength(6);
      const inputs = withStore(dir, (db) =>
        db.prepare<[], { inputs_json: string }>('SELECT inputs_json FROM attempts').all(),
      ).map((row) => (JSON.parse(row.inputs_json) as Record<string, string>)['input.nw'] ?? '');
      expect(inputs).toHaveLength(3);
      for (const input of inputs) {
        expect(input).toContain('  convergence energy 1e-8\n  grid fine\n  iterations 100\nend');
      }
    },
    600_000,
  );
});
