import { programIndex } from '../../../src/core/job-spec.js';
import { describe, expect, it } from 'vitest';
import { parseXyz } from '../../../src/chem/xyz.js';
import type { CalcSpec } from '../../../src/core/calc-spec.js';
import { calcKey } from '../../../src/core/calc-key.js';
import { InputError } from '../../../src/core/errors.js';
import { obabelEngine } from '../../../src/engines/obabel/index.js';
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
    expect(job.argv.slice(programIndex(job.argv))).toEqual([
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
    expect(job.argv.slice(programIndex(job.argv))).toEqual([
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
    expect(job.argv.slice(programIndex(job.argv) + 6)).toEqual([
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

  it('seeds both tasks through libfaketime and OB_RANDOM_SEED, with seed 1 when none is given', () => {
    const gen3d = (options?: { seed: number }): CalcSpec =>
      spec({
        program: 'obabel',
        task: 'gen3d',
        molecule: { smiles: 'CCCCCCO', charge: 0, multiplicity: 1 },
        ...(options === undefined ? {} : { options }),
      });
    // Through env in front of obabel, not the job's environment: the calc wrapper's shell must
    // not load libfaketime (local-executor.test.ts checks what it would leave in /dev/shm).
    const job = prepareObabel(gen3d());
    expect(job.env).toEqual({});
    expect(job.argv.slice(0, 5)).toEqual([
      'env',
      'LD_PRELOAD=/usr/$LIB/faketime/libfaketime.so.1',
      'FAKETIME=2000-01-01 00:00:00.000001',
      'OB_RANDOM_SEED=1',
      'obabel',
    ]);
    expect(prepareObabel(gen3d({ seed: 70091 })).argv[2]).toBe(
      'FAKETIME=2000-01-01 00:00:00.070091',
    );
    const search = prepareObabel(
      spec({
        program: 'obabel',
        task: 'conformers',
        molecule: { atoms: octane, charge: 0, multiplicity: 1 },
        options: { algorithm: 'confab', seed: 42 },
      }),
    );
    expect(search.argv.slice(2, 5)).toEqual([
      'FAKETIME=2000-01-01 00:00:00.000042',
      'OB_RANDOM_SEED=42',
      'obabel',
    ]);
  });

  it('puts the seed in the calc key: another seed is another calc', () => {
    const keyOf = (seed: number): string =>
      calcKey(
        spec({
          program: 'obabel',
          task: 'gen3d',
          molecule: { smiles: 'CCCCCCO', charge: 0, multiplicity: 1 },
          options: { seed },
        }),
        obabelEngine.adapterVersion,
      );
    expect(keyOf(1)).toBe(keyOf(1));
    expect(keyOf(2)).not.toBe(keyOf(1));
  });

  it("refuses a seed outside Open Babel's 70092 seeds", () => {
    const base = {
      program: 'obabel',
      task: 'gen3d',
      molecule: { smiles: 'CCO', charge: 0, multiplicity: 1 },
    };
    expect(refusal(spec({ ...base, options: { seed: 70092 } }))).toBe('options.seed');
    expect(refusal(spec({ ...base, options: { seed: -1 } }))).toBe('options.seed');
    expect(refusal(spec({ ...base, options: { seed: 1.5 } }))).toBe('options.seed');
  });
});
