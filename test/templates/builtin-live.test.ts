import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCif } from '../../src/chem/cif.js';
import type { Molecule } from '../../src/chem/molecule.js';
import { calcKey } from '../../src/core/calc-key.js';
import type { CalcSpec } from '../../src/core/calc-spec.js';
import type { JobOutputs, JobSpec } from '../../src/core/job-spec.js';
import { getEngine } from '../../src/engines/registry.js';
import { TemplateLibrary } from '../../src/templates/library.js';
import { renderTemplate } from '../../src/templates/render.js';
import type { RawValue } from '../../src/templates/values.js';
import { hasProgram } from '../helpers/run-job-directly.js';
import { printedBandEnergies, pwByHand, SI_PRIMITIVE_CIF } from '../helpers/pw-by-hand.js';

/**
 * Every built-in template added for the library's completeness, rendered and run for real with
 * the installed program through its engine, against the same rendered input run by hand and
 * read without the engine.
 */

const library = new TemplateLibrary();
const root = mkdtempSync(join(tmpdir(), 'retort-template-live-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const WATER: Molecule = {
  atoms: [
    { element: 'O', x: 0, y: 0, z: 0.1173 },
    { element: 'H', x: 0, y: 0.7572, z: -0.4692 },
    { element: 'H', x: 0, y: -0.7572, z: -0.4692 },
  ],
  charge: 0,
  multiplicity: 1,
};
const SILICON = readCif(SI_PRIMITIVE_CIF, 'si.cif');

let runs = 0;
/** A fresh directory under the test's root. */
function freshDir(): string {
  runs += 1;
  const dir = join(root, `run${String(runs)}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The spec of a calc whose input is a built-in template rendered for `context`. */
function templateSpec(
  name: string,
  values: Readonly<Record<string, RawValue>>,
  context: { molecule?: Molecule; structure?: typeof SILICON },
  options?: CalcSpec['options'],
): CalcSpec {
  const rendered = renderTemplate(name, values, { library, ...context });
  return {
    program: rendered.engine ?? '',
    task: rendered.task ?? '',
    ...context,
    input: rendered.text,
    ...(options === undefined ? {} : { options }),
    resources: { cores: 1, walltime_s: 900 },
  };
}

/** Runs a job in `dir` as an executor would (files, argv without a shell, the declared outputs). */
function runIn(
  dir: string,
  job: JobSpec,
  parents: Readonly<Record<string, string>> = {},
): JobOutputs {
  for (const input of job.parentInputs ?? []) {
    const from = parents[input.calcKey];
    if (from === undefined) throw new Error(`no directory for parent ${input.calcKey}`);
    cpSync(join(from, input.path), join(dir, input.path), { recursive: true });
  }
  for (const [name, text] of Object.entries(job.files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const [program = '', ...args] = job.argv;
  const startedAt = new Date().toISOString();
  const child = spawnSync(program, args, {
    cwd: dir,
    env: { ...process.env, ...job.env },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const files: Record<string, string> = {};
  for (const name of job.outputs) {
    try {
      files[name] = readFileSync(join(dir, name), 'utf8');
    } catch {
      // a missing output is the parser's to judge
    }
  }
  return {
    exitCode: child.status,
    signal: child.signal,
    timedOut: false,
    startedAt,
    endedAt: new Date().toISOString(),
    stdout: child.stdout,
    stderr: child.stderr,
    files,
    workdir: dir,
  };
}

/** The calc run through its engine; its result fields (a failure fails the test). */
function runEngine(
  spec: CalcSpec,
  dir = freshDir(),
  parents: Readonly<Record<string, string>> = {},
): Record<string, unknown> {
  const engine = getEngine(spec.program);
  const outcome = engine.parse(runIn(dir, engine.prepare(spec), parents), spec);
  if (!outcome.ok) throw new Error(`${outcome.failure.class}: ${outcome.failure.message}`);
  return outcome.result;
}

/** `program args…` run by hand in a fresh directory holding `file` = `text`; its stdout. */
function byHand(program: string, args: readonly string[], file: string, text: string): string {
  const dir = freshDir();
  writeFileSync(join(dir, file), text);
  return execFileSync(program, args, {
    cwd: dir,
    env: { ...process.env, OMP_NUM_THREADS: '1' },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
}

/** psi4 run by hand on an input, the way a user would; its output file. */
function psi4ByHand(text: string): string {
  byHand('psi4', ['in.dat', 'out.dat', '-n', '1'], 'in.dat', text);
  return readFileSync(join(root, `run${String(runs)}`, 'out.dat'), 'utf8');
}

/** The numbers of the last line of `text` that `pattern` (one capture group) matches. */
function last(text: string, pattern: RegExp): number {
  const all = [...text.matchAll(pattern)];
  const value = all[all.length - 1]?.[1];
  if (value === undefined) throw new Error(`no ${pattern.source}`);
  return Number(value.replace(/[dD]/, 'e'));
}

describe.skipIf(!hasProgram('xtb'))('xtb-optimize (live)', () => {
  it('optimises water in ALPB water as xtb does on the same input, lower than in vacuum', () => {
    const spec = templateSpec('xtb-optimize', { solvent: 'water' }, { molecule: WATER });
    expect(spec.input).toContain('solvent=water');
    const result = runEngine(spec);
    const direct = byHand('xtb', ['input.coord', '--opt'], 'input.coord', spec.input ?? '');
    expect(direct).toMatch(/Solvation model:\s+ALPB/);
    expect(result.total_energy_hartree).toBe(last(direct, /\| TOTAL ENERGY\s+(-?\d+\.\d+) Eh/g));
    expect(result.method).toBe('GFN2');
    const geometry = result.geometry as { element: string; z: number }[];
    expect(geometry.map((a) => a.element)).toEqual(['O', 'H', 'H']);

    const vacuum = runEngine(
      templateSpec('xtb-optimize', { solvent: 'none' }, { molecule: WATER }),
    );
    // Solvation stabilises water by about 6 kcal/mol in GFN2/ALPB.
    const gsolv = (result.total_energy_hartree as number) - (vacuum.total_energy_hartree as number);
    expect(gsolv).toBeLessThan(-0.005);
    expect(gsolv).toBeGreaterThan(-0.03);
  });
});

describe.skipIf(!hasProgram('psi4'))('psi4 templates (live)', () => {
  const values = { basis: 'sto-3g' };
  it('psi4-energy gives the HF/STO-3G energy psi4 prints for the same input', () => {
    const spec = templateSpec('psi4-energy', values, { molecule: WATER });
    const result = runEngine(spec);
    const printed = psi4ByHand(spec.input ?? '');
    expect(result.total_energy_hartree).toBeCloseTo(
      last(printed, /@RHF Final Energy:\s+(-?\d+\.\d+)/g),
      9,
    );
    expect(result).toMatchObject({ method: 'hf', basis: 'sto-3g', charge: 0, multiplicity: 1 });
  });

  it('psi4-optimize reaches the final energy psi4 prints for the same input, in as many steps', () => {
    const spec = templateSpec('psi4-optimize', values, { molecule: WATER });
    const result = runEngine(spec);
    const printed = psi4ByHand(spec.input ?? '');
    expect(printed).toContain('Optimization is complete!');
    expect(result.total_energy_hartree).toBeCloseTo(
      last(printed, /Final energy is\s+(-?\d+\.\d+)/g),
      9,
    );
    const steps = [...printed.matchAll(/@RHF Final Energy:/g)].length;
    expect(result.optimization_steps).toBe(steps);
    expect((result.geometry as unknown[]).length).toBe(3);
  });

  it('psi4-freq gives the frequencies and ZPVE psi4 prints for the same input', () => {
    const spec = templateSpec('psi4-freq', values, { molecule: WATER });
    const result = runEngine(spec);
    const printed = psi4ByHand(spec.input ?? '');
    const freqs = [...printed.matchAll(/^\s+Freq \[cm\^-1\]\s+(.*)$/gm)].flatMap((m) =>
      (m[1] ?? '').trim().split(/\s+/).map(Number),
    );
    expect(freqs).toHaveLength(3);
    const ours = result.frequencies_cm1 as number[];
    ours.forEach((f, i) => {
      expect(f).toBeCloseTo(freqs[i] ?? NaN, 2);
    });
    expect(result.zero_point_energy_hartree).toBeCloseTo(
      last(printed, /Total ZPE, Electronic energy at 0 \[K\]\s+(-?\d+\.\d+)/g) -
        (result.total_energy_hartree as number),
      6,
    );
  });
});

describe.skipIf(!hasProgram('nwchem'))('nwchem-freq (live)', () => {
  it('gives the frequencies NWChem prints for the same input', () => {
    const spec = templateSpec(
      'nwchem-freq',
      { theory: 'scf', basis: 'sto-3g' },
      { molecule: WATER },
    );
    const result = runEngine(spec);
    const dir = freshDir();
    mkdirSync(join(dir, 'scratch'));
    mkdirSync(join(dir, 'perm'));
    writeFileSync(join(dir, 'input.nw'), spec.input ?? '');
    const out = execFileSync('nwchem', ['input.nw'], {
      cwd: dir,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    // The projected frequencies of NWChem's vib module, after the last "P.Frequency" header.
    const block = out.slice(out.lastIndexOf('P.Frequency'));
    const line = /^\s*P\.Frequency\s+(.*)$/m.exec(block)?.[1] ?? '';
    const printed = line
      .trim()
      .split(/\s+/)
      .map(Number)
      .filter((f) => Math.abs(f) > 100);
    const ours = (result.frequencies_cm1 as number[]).filter((f) => Math.abs(f) > 100);
    expect(ours).toHaveLength(3);
    ours.forEach((f, i) => {
      expect(f).toBeCloseTo(printed[i] ?? NaN, 1);
    });
    expect(result.total_energy_hartree).toBe(last(out, /Total SCF energy =\s*(-?\d+\.\d+)/g));
  });
});

describe.skipIf(!hasProgram('pw.x'))('qe templates (live)', () => {
  const small = { ecutwfc: '12', kpoints: '2' };
  it('qe-vc-relax of Si ends at the enthalpy and cell pw.x prints for the same input', () => {
    const spec = templateSpec('qe-vc-relax', small, { structure: SILICON });
    const result = runEngine(spec);
    const [out = ''] = pwByHand([spec.input ?? '']);
    expect(out).toContain('End final coordinates');
    expect(result.final_enthalpy_ry).toBe(last(out, /Final enthalpy =\s+(-?\d+\.\d+) Ry/g));
    expect(result.converged).toBe(true);
  });

  it('qe-dos of Si from a qe-scf has the eigenvalues and Fermi energy of pw.x by hand', () => {
    const scf = templateSpec('qe-scf', small, { structure: SILICON });
    const scfDir = freshDir();
    runEngine(scf, scfDir);
    const scfKey = calcKey(scf, getEngine('qe').adapterVersion);
    const dos = templateSpec(
      'qe-dos',
      { ecutwfc: '12', kdense: '4' },
      { structure: SILICON },
      {
        parent: scfKey,
        occupations: 'tetrahedra_opt',
      },
    );
    const result = runEngine(dos, freshDir(), { [scfKey]: scfDir });
    const [, out = ''] = pwByHand([scf.input ?? '', dos.input ?? '']);
    const printed = printedBandEnergies(out);
    // A 4 × 4 × 4 grid without symmetry: 36 points after time reversal.
    expect(printed).toHaveLength(36);
    const ours = result.band_energies_ev as number[][];
    expect(ours).toHaveLength(printed.length);
    let worst = 0;
    ours.forEach((row, k) => {
      row.forEach((e, j) => (worst = Math.max(worst, Math.abs(e - (printed[k]?.[j] ?? NaN)))));
    });
    expect(worst).toBeLessThan(1e-4);
    expect(result.fermi_energy_ev).toBe(last(out, /the Fermi energy is\s+(-?\d+\.\d+) ev/g));
  });
});
