import { describe, expect, it } from 'vitest';
import { parseXyz } from '../../../src/chem/xyz.js';
import type { CalcSpec } from '../../../src/core/calc-spec.js';
import { InputError } from '../../../src/core/errors.js';
import { prepareObabel } from '../../../src/engines/obabel/prepare.js';
import { realFixture, spec } from '../real-fixtures.js';

const octane = parseXyz(realFixture('openbabel', 'octane.xyz'))[0]?.atoms ?? [];

function refusal(s: CalcSpec): string | undefined {
  try {
    prepareObabel(s);
  } catch (error) {
    if (error instanceof InputError) return error.where;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('prepareObabel', () => {
  it('writes the SMILES into input.smi, never into argv', () => {
    const job = prepareObabel(
      spec({
        program: 'obabel',
        task: 'gen3d',
        molecule: { smiles: 'CC(=O)[O-]', charge: -1, multiplicity: 1 },
      }),
    );
    expect(job.argv).toEqual([
      'obabel',
      '-ismi',
      'input.smi',
      '-oxyz',
      '-O',
      'output.xyz',
      '--gen3d',
    ]);
    expect(job.files).toEqual({ 'input.smi': 'CC(=O)[O-]\n' });
    expect(job.outputs).toEqual(['output.xyz']);
  });

  it('adds the gen3d speed word', () => {
    const job = prepareObabel(
      spec({
        program: 'obabel',
        task: 'gen3d',
        molecule: { smiles: 'CCO', charge: 0, multiplicity: 1 },
        options: { gen3d_speed: 'best' },
      }),
    );
    expect(job.argv.slice(-2)).toEqual(['--gen3d', 'best']);
  });

  it('refuses gen3d without SMILES, with a charge the SMILES contradicts, or with spaces', () => {
    expect(
      refusal(spec({ program: 'obabel', task: 'gen3d', molecule: { charge: 0, multiplicity: 1 } })),
    ).toBe('molecule.smiles');
    expect(
      refusal(
        spec({
          program: 'obabel',
          task: 'gen3d',
          molecule: { smiles: 'CC(=O)[O-]', charge: 0, multiplicity: 1 },
        }),
      ),
    ).toBe('molecule.charge');
    expect(
      refusal(
        spec({
          program: 'obabel',
          task: 'gen3d',
          molecule: { smiles: 'CCO\n-O x', charge: 0, multiplicity: 1 },
        }),
      ),
    ).toBe('molecule.smiles');
    expect(
      refusal(
        spec({
          program: 'obabel',
          task: 'gen3d',
          molecule: { smiles: 'CCO', charge: 0, multiplicity: 1 },
          options: { gen3d_speed: 'ludicrous' },
        }),
      ),
    ).toBe('options.gen3d_speed');
  });

  it('runs a genetic conformer search by default with ten conformers', () => {
    const job = prepareObabel(
      spec({
        program: 'obabel',
        task: 'conformers',
        molecule: { atoms: octane, charge: 0, multiplicity: 1 },
      }),
    );
    expect(job.argv).toEqual([
      'obabel',
      '-ixyz',
      'input.xyz',
      '-oxyz',
      '-O',
      'conformers.xyz',
      '--conformer',
      '--nconf',
      '10',
      '--score',
      'energy',
      '--writeconformers',
    ]);
    expect(parseXyz(job.files['input.xyz'] ?? '')[0]?.atoms).toHaveLength(26);
  });

  it('runs Confab with its cutoffs', () => {
    const job = prepareObabel(
      spec({
        program: 'obabel',
        task: 'conformers',
        molecule: { atoms: octane, charge: 0, multiplicity: 1 },
        options: { algorithm: 'confab', nconf: 100, ecutoff: 20 },
      }),
    );
    expect(job.argv.slice(6)).toEqual([
      '--confab',
      '--conf',
      '100',
      '--rcutoff',
      '0.5',
      '--ecutoff',
      '20',
    ]);
  });

  it('refuses conformers without atoms and bad options', () => {
    expect(
      refusal(
        spec({
          program: 'obabel',
          task: 'conformers',
          molecule: { smiles: 'CCCCCCCC', charge: 0, multiplicity: 1 },
        }),
      ),
    ).toBe('molecule');
    const base = {
      program: 'obabel',
      task: 'conformers',
      molecule: { atoms: octane, charge: 0, multiplicity: 1 },
    };
    expect(refusal(spec({ ...base, options: { nconf: 0 } }))).toBe('options.nconf');
    expect(refusal(spec({ ...base, options: { algorithm: 'random' } }))).toBe('options.algorithm');
    expect(refusal(spec({ ...base, options: { rcutoff: 1 } }))).toBe('options');
  });
});
