import { describe, expect, it } from 'vitest';
import type { CalcSpec, JsonValue } from '../../../src/core/calc-spec.js';
import { InputError } from '../../../src/core/errors.js';
import { NWCHEM_CONVERGENCE_OPTIONS } from '../../../src/engines/nwchem/convergence.js';
import { nwchemEngine } from '../../../src/engines/nwchem/index.js';
import { prepareNwchem } from '../../../src/engines/nwchem/prepare.js';
import { hasProgram, runJobDirectly } from '../../helpers/run-job-directly.js';
import { water } from '../psi4/molecules.js';
import { spec } from '../real-fixtures.js';

function nwSpec(fields: Partial<CalcSpec>): CalcSpec {
  return spec({
    program: 'nwchem',
    task: 'energy',
    method: 'hf',
    basis: 'sto-3g',
    molecule: { atoms: water, charge: 0, multiplicity: 1 },
    resources: { cores: 1, walltime_s: 600 },
    ...fields,
  });
}

function input(s: CalcSpec): string {
  return prepareNwchem(s).files['input.nw'] ?? '';
}

function refusal(s: CalcSpec): InputError {
  try {
    prepareNwchem(s);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

/** A value each option accepts. */
const SAMPLE: Readonly<Record<string, JsonValue>> = {
  scf__thresh: 1e-8,
  scf__maxiter: 80,
  scf__tol2e: 1e-12,
  dft__convergence__energy: 1e-9,
  dft__convergence__density: 1e-7,
  dft__convergence__gradient: 1e-6,
  dft__grid: 'XFine',
  dft__iterations: 77,
};

/** The block of the input that opens with `name` and ends with `end`. */
function block(text: string, name: string): string[] {
  const lines = text.split('\n');
  const start = lines.indexOf(name);
  return lines.slice(start + 1, lines.indexOf('end', start));
}

describe('NWChem convergence options', () => {
  it('has a sample value for every option (so the tests below cover them all)', () => {
    expect(Object.keys(SAMPLE).sort()).toEqual(Object.keys(NWCHEM_CONVERGENCE_OPTIONS).sort());
  });

  it('writes the scf options into the scf block of HF and MP2, after the reference', () => {
    const options = { scf__thresh: 1e-8, scf__maxiter: 80, scf__tol2e: 1e-12 };
    for (const method of ['hf', 'mp2']) {
      expect(block(input(nwSpec({ method, options })), 'scf')).toEqual([
        '  rhf',
        '  nopen 0',
        '  thresh 1e-8',
        '  maxiter 80',
        '  tol2e 1e-12',
      ]);
    }
  });

  it('writes the dft options into the dft block of a functional, for every task up to nmr', () => {
    const options = Object.fromEntries(
      Object.entries(SAMPLE).filter(([name]) => name.startsWith('dft__')),
    );
    const dft = block(input(nwSpec({ method: 'b3lyp', options })), 'dft');
    expect(dft).toEqual([
      '  xc b3lyp',
      '  mult 1',
      '  convergence energy 1e-9',
      '  convergence density 1e-7',
      '  convergence gradient 1e-6',
      '  grid xfine',
      '  iterations 77',
    ]);
    const nmr = block(input(nwSpec({ task: 'nmr', method: 'b3lyp', options })), 'dft');
    expect(nmr.slice(-6)).toEqual(['  direct', ...dft.slice(2)]);
  });

  it('refuses an option of the other module, a bad value and an unknown option, naming it', () => {
    const dftOnHf = refusal(nwSpec({ options: { dft__grid: 'fine' } }));
    expect(dftOnHf.where).toBe('options.dft__grid');
    expect(dftOnHf.message).toContain('a DFT option');
    const scfOnDft = refusal(nwSpec({ method: 'pbe0', options: { scf__thresh: 1e-8 } }));
    expect(scfOnDft.where).toBe('options.scf__thresh');
    expect(scfOnDft.message).toContain('does not read the scf block');
    const bad: [string, JsonValue, string][] = [
      ['scf__thresh', 0, 'expected a number > 0, got 0'],
      ['scf__thresh', '1e-8', 'expected a number > 0, got "1e-8"'],
      ['scf__maxiter', 2.5, 'expected an integer ≥ 1, got 2.5'],
      ['dft__grid', 'superfine', 'expected one of xcoarse, coarse, medium, fine, xfine, huge'],
    ];
    for (const [name, value, message] of bad) {
      const method = name.startsWith('dft') ? 'b3lyp' : 'hf';
      const error = refusal(nwSpec({ method, options: { [name]: value } }));
      expect(error.where, name).toBe(`options.${name}`);
      expect(error.message, name).toContain(message);
    }
    const unknown = refusal(nwSpec({ options: { thresh: 1e-8 } }));
    expect(unknown.where).toBe('options.thresh');
    expect(unknown.message).toContain('scf__thresh');
  });

  it.skipIf(!hasProgram('nwchem'))(
    'reach NWChem: it reports the thresholds, grid and iterations asked for, and stops at scf__maxiter',
    () => {
      const hf = nwSpec({ options: { scf__thresh: 1e-9, scf__maxiter: 40, scf__tol2e: 1e-11 } });
      const hfOut = runJobDirectly(prepareNwchem(hf));
      expect(hfOut.stdout).toMatch(/Convergence threshold\s+:\s+1\.000E-09/);
      expect(hfOut.stdout).toMatch(/Maximum no\. of iterations\s+:\s+40/);
      expect(hfOut.stdout).toMatch(/Final Fock-matrix accuracy:\s+1\.000E-11/);
      const energy = nwchemEngine.parse(hfOut, hf);
      // The HF/STO-3G water energy psi4 computes (water_hf), as without the options.
      expect(
        energy.ok && Math.abs(Number(energy.result.total_energy_hartree) + 74.963319),
      ).toBeLessThan(1e-5);

      const dft = nwSpec({
        method: 'b3lyp',
        options: { dft__grid: 'xfine', dft__convergence__energy: 1e-9, dft__iterations: 77 },
      });
      const dftOut = runJobDirectly(prepareNwchem(dft));
      expect(dftOut.stdout).toMatch(/Grid used for XC integration:\s+xfine/);
      expect(dftOut.stdout).toMatch(/Convergence on energy requested:\s+1\.00D-09/);
      expect(dftOut.stdout).toMatch(/Maximum number of iterations:\s+77/);
      expect(nwchemEngine.parse(dftOut, dft).ok).toBe(true);

      const stopped = nwSpec({ options: { scf__maxiter: 1 } });
      const outcome = nwchemEngine.parse(runJobDirectly(prepareNwchem(stopped)), stopped);
      expect(outcome.ok ? 'converged' : outcome.failure.class).toBe('scf_not_converged');
    },
    300_000,
  );
});
