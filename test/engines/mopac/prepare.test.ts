import { describe, expect, it } from 'vitest';
import type { Atom } from '../../../src/chem/molecule.js';
import type { CalcSpec } from '../../../src/core/calc-spec.js';
import { InputError } from '../../../src/core/errors.js';
import { prepareMopac } from '../../../src/engines/mopac/prepare.js';
import { ethanolAtoms, spec } from '../real-fixtures.js';

const methyl: Atom[] = [
  { element: 'C', x: 0, y: 0, z: 0 },
  { element: 'H', x: 1.08, y: 0, z: 0 },
  { element: 'H', x: -0.54, y: 0.935307, z: 0 },
  { element: 'H', x: -0.54, y: -0.935307, z: 0 },
];
const oxygen: Atom[] = [
  { element: 'O', x: 0, y: 0, z: 0 },
  { element: 'O', x: 1.21, y: 0, z: 0 },
];
// Acetate, CH3COO-: 7 atoms, 32 electrons with charge -1.
const acetate: Atom[] = [
  { element: 'C', x: 0, y: 0, z: 0 },
  { element: 'C', x: 1.52, y: 0, z: 0 },
  { element: 'O', x: 2.15, y: 1.08, z: 0 },
  { element: 'O', x: 2.15, y: -1.08, z: 0 },
  { element: 'H', x: -0.39, y: 1.02, z: 0 },
  { element: 'H', x: -0.39, y: -0.51, z: 0.88 },
  { element: 'H', x: -0.39, y: -0.51, z: -0.88 },
];

function mopacSpec(fields: Partial<CalcSpec>): CalcSpec {
  return spec({
    program: 'mopac',
    task: 'optimize',
    molecule: { atoms: ethanolAtoms(), charge: 0, multiplicity: 1 },
    ...fields,
  });
}

function keywordLine(s: CalcSpec): string {
  return (prepareMopac(s).files['input.mop'] ?? '').split('\n')[0] ?? '';
}

function refusal(s: CalcSpec): InputError {
  try {
    prepareMopac(s);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('prepareMopac', () => {
  it('writes a PM7 singlet optimisation with all coordinates flagged for optimisation', () => {
    const job = prepareMopac(mopacSpec({ resources: { cores: 2, walltime_s: 60 } }));
    expect(job.argv).toEqual(['mopac', 'input.mop']);
    expect(job.outputs).toEqual(['input.out', 'input.arc']);
    expect(job.captureStdout).toBe('tail');
    const lines = (job.files['input.mop'] ?? '').split('\n');
    expect(lines[0]).toBe('PM7 SINGLET THREADS=2');
    expect(lines[3]).toMatch(/^C +1\.02847000 1 +0\.05731000 1 +0\.07705000 1$/);
    expect(lines.filter((l) => /^[A-Z][a-z]? /.test(l))).toHaveLength(9);
  });

  it('adds 1SCF and freezes every coordinate for an energy', () => {
    const job = prepareMopac(mopacSpec({ task: 'energy', method: 'pm6-d3h4' }));
    const lines = (job.files['input.mop'] ?? '').split('\n');
    expect(lines[0]).toBe('PM6-D3H4 1SCF SINGLET THREADS=1');
    expect(lines[3]).toMatch(/ 0 .* 0 .* 0$/);
  });

  it('runs a methyl radical as an unrestricted DOUBLET', () => {
    expect(
      keywordLine(mopacSpec({ molecule: { atoms: methyl, charge: 0, multiplicity: 2 } })),
    ).toBe('PM7 UHF DOUBLET THREADS=1');
  });

  it('runs triplet O2 with UHF and a singlet without it', () => {
    expect(
      keywordLine(mopacSpec({ molecule: { atoms: oxygen, charge: 0, multiplicity: 3 } })),
    ).toBe('PM7 UHF TRIPLET THREADS=1');
    expect(keywordLine(mopacSpec({}))).not.toContain('UHF');
  });

  it('does not write UHF twice when the keywords already hold it', () => {
    const line = keywordLine(
      mopacSpec({
        molecule: { atoms: oxygen, charge: 0, multiplicity: 3 },
        keywords: ['uhf PRECISE'],
      }),
    );
    expect(line).toBe('PM7 TRIPLET THREADS=1 uhf PRECISE');
  });

  it('keeps a user RHF for a doublet (half-electron method) without adding UHF', () => {
    expect(
      keywordLine(
        mopacSpec({ molecule: { atoms: methyl, charge: 0, multiplicity: 2 }, keywords: ['RHF'] }),
      ),
    ).toBe('PM7 DOUBLET THREADS=1 RHF');
  });

  it('refuses RHF for a triplet without an active space, and takes it with OPEN(2,2)', () => {
    const triplet = { atoms: oxygen, charge: 0, multiplicity: 3 };
    const error = refusal(mopacSpec({ molecule: triplet, keywords: ['RHF'] }));
    expect(error.where).toBe('keywords');
    expect(error.message).toMatch(/OPEN\(n,m\)/);
    expect(keywordLine(mopacSpec({ molecule: triplet, keywords: ['RHF OPEN(2,2)'] }))).toBe(
      'PM7 TRIPLET THREADS=1 RHF OPEN(2,2)',
    );
  });

  it('writes CHARGE=-1 for acetate and no CHARGE for a neutral molecule', () => {
    expect(
      keywordLine(mopacSpec({ molecule: { atoms: acetate, charge: -1, multiplicity: 1 } })),
    ).toBe('PM7 CHARGE=-1 SINGLET THREADS=1');
    expect(keywordLine(mopacSpec({}))).not.toContain('CHARGE');
  });

  it('passes extra keywords through after the spec-derived ones', () => {
    expect(keywordLine(mopacSpec({ keywords: ['PRECISE', 'EPS=78.4'] }))).toBe(
      'PM7 SINGLET THREADS=1 PRECISE EPS=78.4',
    );
  });

  it('refuses a methyl radical declared as a singlet, naming molecule.multiplicity', () => {
    const error = refusal(mopacSpec({ molecule: { atoms: methyl, charge: 0, multiplicity: 1 } }));
    expect(error.where).toBe('molecule.multiplicity');
  });

  it('refuses multiplicities above seven', () => {
    const atoms: Atom[] = [{ element: 'Gd', x: 0, y: 0, z: 0 }];
    expect(refusal(mopacSpec({ molecule: { atoms, charge: 0, multiplicity: 9 } })).where).toBe(
      'molecule.multiplicity',
    );
  });

  it('refuses a molecule without atoms', () => {
    expect(refusal(mopacSpec({ molecule: { atoms: [], charge: 0, multiplicity: 1 } })).where).toBe(
      'molecule',
    );
  });

  it('refuses charge, multiplicity, Hamiltonian and line breaks in keywords', () => {
    for (const keywords of [
      ['CHARGE=1'],
      ['precise triplet'],
      ['AM1'],
      ['PRECISE\nXYZ'],
      ['PRECISE +'],
      ['THREADS=8'],
    ]) {
      expect(refusal(mopacSpec({ keywords })).where).toBe('keywords');
    }
  });

  it('refuses ghost atoms: a semi-empirical method has no basis functions to lend', () => {
    const atoms: Atom[] = [
      ...methyl.slice(0, 3),
      { element: 'H', x: -0.5, y: -1, z: 0, ghost: true },
    ];
    const error = refusal(mopacSpec({ molecule: { atoms, charge: 0, multiplicity: 1 } }));
    expect(error.where).toBe('molecule.atoms');
    expect(error.message).toMatch(/counterpoise/);
  });

  it('refuses an unknown Hamiltonian and an unknown task', () => {
    expect(refusal(mopacSpec({ method: 'B3LYP' })).where).toBe('method');
    expect(refusal(mopacSpec({ task: 'nmr' })).where).toBe('task');
  });
});
