import { describe, expect, it } from 'vitest';
import type { Atom } from '../../../src/chem/molecule.js';
import { parseXyz } from '../../../src/chem/xyz.js';
import { InputError } from '../../../src/core/errors.js';
import { crestEngine } from '../../../src/engines/crest/index.js';
import { getEngine } from '../../../src/engines/registry.js';
import { ethanolAtoms, spec } from '../real-fixtures.js';

const ethanol = ethanolAtoms();

function crest(fields: Partial<Parameters<typeof spec>[0]> = {}, cores = 1) {
  return spec({
    program: 'crest',
    task: 'conformers',
    molecule: { atoms: ethanol, charge: 0, multiplicity: 1 },
    resources: { cores, walltime_s: 600 },
    ...fields,
  });
}

describe('crest prepare', () => {
  it('is registered under its program name', () => {
    expect(getEngine('crest')).toBe(crestEngine);
  });

  it('runs crest on input.xyz at GFN2 with charge, unpaired electrons, window and cores', () => {
    const job = crestEngine.prepare(crest({}, 4));
    expect(job.argv).toEqual([
      'crest',
      'input.xyz',
      '--gfn2',
      '--chrg',
      '0',
      '--uhf',
      '0',
      '--ewin',
      '6',
      '-T',
      '4',
    ]);
    expect(job.outputs).toEqual(['crest_conformers.xyz']);
    expect(job.captureStdout).toBe('tail');
    expect(job.env.OMP_NUM_THREADS).toBe('4');
    const written = parseXyz(job.files['input.xyz'] ?? '')[0]?.atoms ?? [];
    expect(written.map((a: Atom) => a.element)).toEqual(ethanol.map((a) => a.element));
    expect(written[0]?.x).toBeCloseTo(ethanol[0]?.x ?? NaN, 8);
  });

  it('passes a radical cation as --chrg 1 --uhf 1 and maps rthr and quick', () => {
    const job = crestEngine.prepare(
      crest({
        molecule: { atoms: ethanol, charge: 1, multiplicity: 2 },
        options: { ewin: 3, rthr: 0.2, quick: true },
      }),
    );
    expect(job.argv).toEqual([
      'crest',
      'input.xyz',
      '--gfn2',
      '--chrg',
      '1',
      '--uhf',
      '1',
      '--ewin',
      '3',
      '-T',
      '1',
      '--rthr',
      '0.2',
      '--quick',
    ]);
  });

  it('refuses a singlet with an odd electron count, naming the field', () => {
    expect(() =>
      crestEngine.prepare(crest({ molecule: { atoms: ethanol, charge: 1, multiplicity: 1 } })),
    ).toThrow(/molecule.multiplicity/);
  });

  it('refuses other tasks, methods, keywords and unknown or mistyped options', () => {
    expect(() => crestEngine.prepare(crest({ task: 'optimize' }))).toThrow(InputError);
    expect(() => crestEngine.prepare(crest({ method: 'GFN-FF' }))).toThrow(/method/);
    expect(() => crestEngine.prepare(crest({ keywords: ['--nci'] }))).toThrow(/keywords/);
    expect(() => crestEngine.prepare(crest({ options: { nconf: 3 } }))).toThrow(/options.nconf/);
    expect(() => crestEngine.prepare(crest({ options: { quick: 'yes' } }))).toThrow(
      /options.quick/,
    );
    expect(() => crestEngine.prepare(crest({ options: { ewin: 0 } }))).toThrow(/options.ewin/);
  });

  it('accepts GFN2-xTB spelt out as the method', () => {
    expect(crestEngine.prepare(crest({ method: 'gfn2-xtb' })).argv).toContain('--gfn2');
  });

  it('reads the version from crest --version', () => {
    const probe = crestEngine.versionProbe;
    expect(probe?.argv).toEqual(['crest', '--version']);
    const banner = ' |                 Version 2.12,   Thu 19. Mai 16:32:32 CEST 2022  |\n';
    expect(probe?.parse(banner, '')).toBe('2.12');
    expect(probe?.parse('crest version 3.0.2\n Version 3.0.2, Sat', '')).toBe('3.0.2');
    expect(probe?.parse('nothing here', '')).toBeUndefined();
  });
});
