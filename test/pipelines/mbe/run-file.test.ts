import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { JsonValue } from '../../../src/core/calc-spec.js';
import { InputError } from '../../../src/core/errors.js';
import { NWCHEM_CONVERGENCE_OPTIONS } from '../../../src/engines/nwchem/convergence.js';
import { getEngine } from '../../../src/engines/registry.js';
import { MbeInputErrors } from '../../../src/pipelines/mbe/problems.js';
import { checkMbeFile, planMbeFile } from '../../../src/pipelines/mbe/run-file.js';
import { mbeCalcs } from '../../../src/pipelines/mbe/run.js';
import { tempDir } from '../../helpers/temp-dir.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const remove of cleanups.splice(0)) remove();
});

function inputFile(name: string, text: string): string {
  const { dir, remove } = tempDir('retort-mbe-check-');
  cleanups.push(remove);
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A water dimer in our layout with one model chemistry (its keywords as a YAML flow map). */
function dimer(program: string, method: string, keywords: object, bsse = 'nocp'): string {
  return `molecule:
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
bsse_type: [${bsse}]
model_chemistries:
  mc:
    program: ${program}
    method: ${method}
    basis: sto-3g
    keywords: ${JSON.stringify(keywords)}
`;
}

/** The problems checkMbeFile finds, one line each; [] when it accepts the input. */
function validateProblems(path: string): string[] {
  try {
    checkMbeFile(path, undefined);
    return [];
  } catch (error) {
    if (error instanceof MbeInputErrors) return error.problems.map((p) => p.message);
    throw error;
  }
}

/** What the engine says of the input's calcs as `mbe run` builds them: undefined, or its refusal. */
function engineRefusal(path: string): string | undefined {
  const { read, plan } = planMbeFile(path);
  for (const calc of mbeCalcs(read.input, plan, { cores: 1, walltime_s: 60 })) {
    try {
      getEngine(calc.spec.program).prepare(calc.spec);
    } catch (error) {
      if (error instanceof InputError) return error.message;
      throw error;
    }
  }
  return undefined;
}

/** Good and bad values of every NWChem convergence option, for the method it needs. */
const GOOD: Readonly<Record<string, JsonValue>> = {
  scf__thresh: 1e-9,
  scf__maxiter: 60,
  scf__tol2e: 1e-12,
  dft__convergence__energy: 1e-8,
  dft__convergence__density: 1e-6,
  dft__convergence__gradient: 1e-5,
  dft__grid: 'fine',
  dft__iterations: 90,
};
const BAD: Readonly<Record<string, JsonValue>> = {
  scf__thresh: -1,
  scf__maxiter: 0,
  scf__tol2e: 'tight',
  dft__convergence__energy: 0,
  dft__convergence__density: [1e-6],
  dft__convergence__gradient: null,
  dft__grid: 'ultrafine',
  dft__iterations: 1.5,
};

describe('checkMbeFile: the one check of mbe validate and mbe run', () => {
  it('has a good and a bad value of every NWChem convergence option', () => {
    const names = Object.keys(NWCHEM_CONVERGENCE_OPTIONS).sort();
    expect(Object.keys(GOOD).sort()).toEqual(names);
    expect(Object.keys(BAD).sort()).toEqual(names);
  });

  it('accepts exactly the model chemistries the engines accept, and names each refusal by its keyword and line', () => {
    const cases: [string, string, object][] = [];
    for (const [name, value] of Object.entries(GOOD)) {
      const method = name.startsWith('dft') ? 'b3lyp' : 'hf';
      const other = name.startsWith('dft') ? 'hf' : 'pbe0';
      cases.push(['nwchem', method, { [name]: value }], ['nwchem', method, { [name]: BAD[name] }]);
      cases.push(['nwchem', other, { [name]: value }]);
    }
    const only = (prefix: string): object =>
      Object.fromEntries(Object.entries(GOOD).filter(([n]) => n.startsWith(prefix)));
    cases.push(['nwchem', 'hf', { thresh: 1e-8 }], ['nwchem', 'b3lyp', { grid: 'fine' }]);
    cases.push(['nwchem', 'hf', GOOD], ['nwchem', 'hf', only('scf')]);
    cases.push(['nwchem', 'b3lyp', only('dft')]);
    // The engine's other options, and psi4's keywords (any name but the spec's own basis).
    cases.push(['nwchem', 'hf', { reference: 'uhf' }], ['nwchem', 'hf', { spherical: true }]);
    cases.push(['nwchem', 'hf', { solvent: 'water' }], ['nwchem', 'hf', { reference: 'rks' }]);
    cases.push(['psi4', 'hf', { scf_type: 'pk', e_convergence: 1e-10 }]);
    cases.push(['psi4', 'hf', { basis: 'cc-pvdz' }], ['psi4', 'hf', { docc: 'a{b' }]);
    let accepted = 0;
    for (const [program, method, keywords] of cases) {
      const path = inputFile('dimer.yaml', dimer(program, method, keywords));
      const problems = validateProblems(path);
      const refusal = engineRefusal(path);
      const what = `${program} ${method} ${JSON.stringify(keywords)}`;
      if (refusal === undefined) {
        expect(problems, what).toEqual([]);
        accepted++;
        continue;
      }
      // The engine's words, placed at the keyword's line (18: the keywords line of dimer()).
      const [, key = '', message = ''] =
        /^options\.(?:psi4_keywords\.)?(\w+): (.*)$/.exec(refusal) ?? [];
      expect(problems, what).toEqual([
        `dimer.yaml:18: model_chemistries.mc.keywords.${key}: ${message}`,
      ]);
    }
    expect(accepted).toBe(13);
  });

  it('prepares each subsystem calc with the keywords in its input, as the run will', () => {
    const path = inputFile(
      'dimer.yaml',
      dimer('nwchem', 'b3lyp', { dft__grid: 'xfine', dft__iterations: 90 }),
    );
    const { calcs } = checkMbeFile(path, undefined);
    expect(calcs).toHaveLength(3);
    for (const calc of calcs) {
      const text = getEngine('nwchem').prepare(calc.spec).files['input.nw'] ?? '';
      expect(text).toContain('  grid xfine\n  iterations 90\nend');
    }
  });

  it('refuses counterpoise with xtb in validate, as run does, naming the model chemistry and a task', () => {
    const path = inputFile('xtb.yaml', dimer('xtb', 'gfn2', {}, 'cp').replace('sto-3g', 'none'));
    expect(validateProblems(path)).toEqual([
      expect.stringMatching(
        /^xtb\.yaml:15: model_chemistries\.mc: xtb cannot run ghost atoms: .* \(task \["mc", \[\d\], \[1, 2\]\]\)$/,
      ),
    ]);
  });

  it('says a refusal once, however many tasks share it', () => {
    const path = inputFile('cp.yaml', dimer('nwchem', 'hf', { dft__grid: 'fine' }, 'cp'));
    expect(planMbeFile(path).plan.tasks).toHaveLength(3);
    expect(validateProblems(path)).toEqual([
      expect.stringContaining('cp.yaml:18: model_chemistries.mc.keywords.dft__grid: a DFT option'),
    ]);
  });

  it('names a keyword of the fork layout by its place there: program.keywords', () => {
    const fork = {
      schema_name: 'qcmanybody_cli_input',
      schema_version: 1,
      molecule: {
        source: 'inline',
        inline: {
          symbols: ['He', 'He'],
          geometry: [
            [0, 0, 0],
            [0, 0, 3],
          ],
          fragments: [[0], [1]],
        },
      },
      calculation: { type: 'single', single: { method: 'hf', basis: 'sto-3g', program: 'nwchem' } },
      bsse: { type: ['nocp'] },
      program: { keywords: { scf__thresh: 'tight' } },
    };
    const path = inputFile('fork.yaml', stringify(fork));
    expect(validateProblems(path)).toEqual([
      expect.stringMatching(
        /^fork\.yaml:\d+: program\.keywords\.scf__thresh: expected a number > 0, got "tight"$/,
      ),
    ]);
  });
});
