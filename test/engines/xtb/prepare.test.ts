import { describe, expect, it } from 'vitest';
import type { Atom } from '../../../src/chem/molecule.js';
import { parseXyz } from '../../../src/chem/xyz.js';
import type { CalcSpec } from '../../../src/core/calc-spec.js';
import { InputError } from '../../../src/core/errors.js';
import { prepareXtb } from '../../../src/engines/xtb/prepare.js';
import { ethanolAtoms, spec } from '../real-fixtures.js';

const methyl: Atom[] = [
  { element: 'C', x: 0, y: 0, z: 0 },
  { element: 'H', x: 1.08, y: 0, z: 0 },
  { element: 'H', x: -0.54, y: 0.935307, z: 0 },
  { element: 'H', x: -0.54, y: -0.935307, z: 0 },
];

function xtbSpec(fields: Partial<CalcSpec>): CalcSpec {
  return spec({
    program: 'xtb',
    task: 'optimize',
    molecule: { atoms: ethanolAtoms(), charge: 0, multiplicity: 1 },
    ...fields,
  });
}

function refusal(s: CalcSpec): string | undefined {
  try {
    prepareXtb(s);
  } catch (error) {
    if (error instanceof InputError) return error.where;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('prepareXtb', () => {
  it('runs a GFN2 optimisation of the written geometry with charge, spin and threads', () => {
    const job = prepareXtb(xtbSpec({ resources: { cores: 4, walltime_s: 60 } }));
    expect(job.argv).toEqual([
      'xtb',
      'input.xyz',
      '--gfn',
      '2',
      '--chrg',
      '0',
      '--uhf',
      '0',
      '--opt',
    ]);
    expect(job.env).toEqual({ OMP_NUM_THREADS: '4', MKL_NUM_THREADS: '4', OMP_STACKSIZE: '1G' });
    expect(job.outputs).toEqual(['xtbopt.xyz']);
    expect(job.captureStdout).toBe('full');
    expect(parseXyz(job.files['input.xyz'] ?? '')[0]?.atoms).toHaveLength(9);
  });

  it('passes a radical cation as --chrg 1 --uhf 0 and a methyl radical as --uhf 1', () => {
    const cation = prepareXtb(
      xtbSpec({ task: 'energy', molecule: { atoms: methyl, charge: 1, multiplicity: 1 } }),
    );
    expect(cation.argv).toEqual(['xtb', 'input.xyz', '--gfn', '2', '--chrg', '1', '--uhf', '0']);
    expect(cation.outputs).toEqual([]);
    const radical = prepareXtb(
      xtbSpec({ molecule: { atoms: methyl, charge: 0, multiplicity: 2 } }),
    );
    expect(radical.argv.slice(4, 8)).toEqual(['--chrg', '0', '--uhf', '1']);
  });

  it('maps every method spelling to its flags', () => {
    const flags = (method: string) =>
      prepareXtb(xtbSpec({ task: 'energy', method })).argv.slice(2, -4);
    expect(flags('gfn1')).toEqual(['--gfn', '1']);
    expect(flags('GFN0')).toEqual(['--gfn', '0']);
    expect(flags('GFN-FF')).toEqual(['--gfnff']);
    expect(flags('gfnff')).toEqual(['--gfnff']);
    expect(refusal(xtbSpec({ method: 'PM7' }))).toBe('method');
  });

  it('adds the optimisation level and flag keywords', () => {
    const job = prepareXtb(
      xtbSpec({ options: { opt_level: 'tight' }, keywords: ['--alpb water', '--etemp 500'] }),
    );
    expect(job.argv.slice(-6)).toEqual(['--opt', 'tight', '--alpb', 'water', '--etemp', '500']);
  });

  it('refuses keywords that are not flags, use =, or override the spec', () => {
    for (const keywords of [
      ['water'],
      ['--alpb=water'],
      ['--chrg 1'],
      ['--uhf 2'],
      ['--alpb water extra'],
    ]) {
      expect(refusal(xtbSpec({ keywords }))).toBe('keywords');
    }
  });

  it('refuses a methyl radical declared as a singlet, naming molecule.multiplicity', () => {
    expect(refusal(xtbSpec({ molecule: { atoms: methyl, charge: 0, multiplicity: 1 } }))).toBe(
      'molecule.multiplicity',
    );
  });

  it('refuses ghost atoms, naming molecule.atoms: GFN methods have no basis to lend', () => {
    const atoms: Atom[] = [
      ...methyl.slice(0, 3),
      { element: 'H', x: -0.5, y: -1, z: 0, ghost: true },
    ];
    expect(refusal(xtbSpec({ molecule: { atoms, charge: 0, multiplicity: 1 } }))).toBe(
      'molecule.atoms',
    );
  });

  it('refuses unknown options and optimisation levels', () => {
    expect(refusal(xtbSpec({ options: { cycles: 3 } }))).toBe('options.cycles');
    expect(refusal(xtbSpec({ options: { opt_level: 'ultra' } }))).toBe('options.opt_level');
  });
});

describe('prepareXtb with a rendered input', () => {
  const coord = '$coord angs\n0 0 0 c\n1.08 0 0 h\n$chrg 0\n$gbsa\n   solvent=water\n$end\n';

  it('writes the rendered coord file and runs xtb on it, with --opt for an optimisation', () => {
    const job = prepareXtb(
      xtbSpec({ molecule: { atoms: methyl, charge: 0, multiplicity: 2 }, input: coord }),
    );
    expect(job.files).toEqual({ 'input.coord': coord });
    expect(job.argv).toEqual(['xtb', 'input.coord', '--opt']);
    expect(job.outputs).toEqual(['xtbopt.coord']);
    const energy = prepareXtb(
      xtbSpec({
        task: 'energy',
        molecule: { atoms: methyl, charge: 0, multiplicity: 2 },
        input: coord,
      }),
    );
    expect(energy.argv).toEqual(['xtb', 'input.coord']);
  });

  it('refuses a rendered input without a $coord group, and method or keywords besides it', () => {
    expect(refusal(xtbSpec({ input: 'C 0 0 0\n' }))).toBe('input');
    expect(refusal(xtbSpec({ input: coord, method: 'GFN1' }))).toBe('method');
    expect(refusal(xtbSpec({ input: coord, keywords: ['--alpb water'] }))).toBe('keywords');
  });
});

describe('prepareXtb, task md', () => {
  const md = (options: CalcSpec['options'] = {}): CalcSpec =>
    spec({
      program: 'xtb',
      task: 'md',
      method: 'GFN-FF',
      molecule: { atoms: ethanolAtoms(), charge: 0, multiplicity: 1 },
      options,
    });

  it('runs --md with its detailed input and seeded start velocities, and keeps xtb.trj', () => {
    const job = prepareXtb(md({ snapshots: 4, time_ps: 2, seed: 3 }));
    expect(job.argv).toEqual([
      'xtb',
      'input.xyz',
      '--gfnff',
      '--chrg',
      '0',
      '--uhf',
      '0',
      '--md',
      '--input',
      'md.inp',
    ]);
    expect(job.outputs).toEqual(['xtb.trj']);
    // One thread even when the calc has more cores: two threads gave another trajectory.
    const wide = prepareXtb({ ...md(), resources: { cores: 4, walltime_s: 60 } });
    expect(wide.env.OMP_NUM_THREADS).toBe('1');
    expect(job.files['md.inp']).toContain('dump=500\n');
    expect(job.files.mdrestart).toBe(
      prepareXtb(md({ snapshots: 4, time_ps: 2, seed: 3 })).files.mdrestart,
    );
    expect(job.files.mdrestart).not.toBe(prepareXtb(md({ seed: 4 })).files.mdrestart);
  });

  it('refuses unknown and out-of-range options, and templates', () => {
    expect(() => prepareXtb(md({ steps: 10 }))).toThrow(InputError);
    expect(() => prepareXtb(md({ time_ps: 0 }))).toThrow(/options\.time_ps.*> 0/);
    expect(() => prepareXtb(md({ snapshots: 0 }))).toThrow(/options\.snapshots/);
    expect(() => prepareXtb({ ...md(), input: '$coord angs\n$end\n' })).toThrow(/template/);
  });
});
