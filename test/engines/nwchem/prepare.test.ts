import { describe, expect, it } from 'vitest';
import type { CalcSpec } from '../../../src/core/calc-spec.js';
import { InputError } from '../../../src/core/errors.js';
import { prepareNwchem } from '../../../src/engines/nwchem/prepare.js';
import { hydroxyl, monomerAInDimerBasis, waterStart } from '../psi4/molecules.js';
import { spec } from '../real-fixtures.js';

function nwSpec(fields: Partial<CalcSpec>): CalcSpec {
  return spec({
    program: 'nwchem',
    task: 'energy',
    method: 'hf',
    basis: '6-31G*',
    molecule: { atoms: monomerAInDimerBasis, charge: 0, multiplicity: 1 },
    ...fields,
  });
}

function input(s: CalcSpec): string {
  return prepareNwchem(s).files['input.nw'] ?? '';
}

function refusal(s: CalcSpec): string | undefined {
  try {
    prepareNwchem(s);
  } catch (error) {
    if (error instanceof InputError) return error.where;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('prepareNwchem', () => {
  it('runs nwchem serially on input.nw with its scratch and permanent directories in the calc directory', () => {
    const job = prepareNwchem(nwSpec({}));
    expect(job.argv).toEqual(['nwchem', 'input.nw']);
    expect(job.files['scratch/.keep']).toBe('');
    expect(job.files['perm/.keep']).toBe('');
    expect(job.captureStdout).toBe('full');
    const text = input(nwSpec({}));
    expect(text).toContain('scratch_dir ./scratch\npermanent_dir ./perm\n');
  });

  it('writes ghost atoms as bq tags and gives them the basis of their element', () => {
    expect(input(nwSpec({}))).toContain(
      [
        'charge 0',
        'geometry units angstrom noautoz nocenter noautosym',
        '  O -1.551007 -0.11452 0.0',
        '  H -1.934259 0.762503 0.0',
        '  H -0.599677 0.040712 0.0',
        '  bqO 1.350625 0.111469 0.0',
        '  bqH 1.680398 -0.373741 -0.758561',
        '  bqH 1.680398 -0.373741 0.758561',
        'end',
        'basis',
        '  O library "6-31g*"',
        '  H library "6-31g*"',
        '  bqO library O "6-31g*"',
        '  bqH library H "6-31g*"',
        'end',
        'scf',
        '  rhf',
        '  nopen 0',
        'end',
        'task scf energy',
      ].join('\n'),
    );
  });

  it('runs a doublet as UHF with one open shell, a cation with its charge', () => {
    const radical = input(nwSpec({ molecule: { atoms: hydroxyl, charge: 0, multiplicity: 2 } }));
    expect(radical).toContain('scf\n  uhf\n  nopen 1\nend\n');
    const rohf = input(
      nwSpec({
        molecule: { atoms: hydroxyl, charge: 0, multiplicity: 2 },
        options: { reference: 'rohf' },
      }),
    );
    expect(rohf).toContain('  rohf\n  nopen 1\n');
    expect(input(nwSpec({ molecule: { atoms: hydroxyl, charge: 1, multiplicity: 1 } }))).toContain(
      '\ncharge 1\n',
    );
  });

  it('writes DFT with the xc line and the multiplicity, MP2 and gradients as tasks', () => {
    const dft = input(
      nwSpec({
        method: 'PBE',
        task: 'gradient',
        molecule: { atoms: hydroxyl, charge: 0, multiplicity: 2 },
      }),
    );
    expect(dft).toContain('dft\n  xc xpbe96 cpbe96\n  mult 2\nend\ntask dft gradient\n');
    expect(input(nwSpec({ method: 'dft', options: { xc: 'b3lyp' } }))).toContain('  xc b3lyp\n');
    expect(input(nwSpec({ method: 'mp2' }))).toContain('task mp2 energy');
  });

  it('keeps every digit of the coordinates, memory, spherical basis and keywords', () => {
    const text = input(
      nwSpec({
        molecule: {
          atoms: [{ element: 'He', x: 0.12345678901234568, y: -1.2345678901234567, z: 2e-7 }],
          charge: 0,
          multiplicity: 1,
        },
        options: { spherical: true },
        keywords: ['scf; thresh 1e-8; end'],
        resources: { cores: 1, memory_mb: 1500, walltime_s: 60 },
      }),
    );
    expect(text).toContain('\n  He 0.12345678901234568 -1.2345678901234567 0.0000002\n');
    expect(text).toContain('\nmemory total 1500 mb\n');
    expect(text).toContain('\nbasis spherical\n');
    expect(text).toContain('\nscf; thresh 1e-8; end\ntask scf energy\n');
  });

  it('refuses RHF for a radical, ROHF-MP2, missing basis and unknown methods', () => {
    const radical = { atoms: hydroxyl, charge: 0, multiplicity: 2 };
    expect(refusal(nwSpec({ molecule: radical, options: { reference: 'rhf' } }))).toBe(
      'options.reference',
    );
    expect(
      refusal(nwSpec({ method: 'mp2', molecule: radical, options: { reference: 'rohf' } })),
    ).toBe('options.reference');
    expect(refusal(nwSpec({ basis: undefined }))).toBe('basis');
    expect(refusal(nwSpec({ method: 'ccsd' }))).toBe('method');
    expect(refusal(nwSpec({ method: undefined }))).toBe('method');
    expect(refusal(nwSpec({ method: 'dft' }))).toBe('options.xc');
    expect(refusal(nwSpec({ task: 'hessian' }))).toBe('task');
  });

  it('refuses keywords that would rewrite what the spec decides', () => {
    for (const keyword of ['task scf gradient', 'dft; xc pbe0; end', 'charge 1', 'scf\nend']) {
      expect(refusal(nwSpec({ keywords: [keyword] }))).toBe('keywords');
    }
  });

  it('writes external charges as a bq block in Å, position first and charge last', () => {
    const text = input(nwSpec({ options: { external_charges: [[-0.834, 1.5, 0, -2]] } }));
    expect(text).toContain('bq units angstrom\n  1.5 0.0 -2.0 -0.834\nend\ntask scf energy');
    expect(input(nwSpec({}))).not.toContain('bq units');
  });

  it('refuses bad external charges, and a bq block in keywords alongside them', () => {
    expect(refusal(nwSpec({ options: { external_charges: [[1, 2, 3]] } }))).toBe(
      'options.external_charges[0]',
    );
    expect(refusal(nwSpec({ options: { external_charges: 'none' } }))).toBe(
      'options.external_charges',
    );
    expect(
      refusal(
        nwSpec({
          options: { external_charges: [[1, 0, 0, 5]] },
          keywords: ['bq; 0 0 9 1; end'],
        }),
      ),
    ).toBe('keywords');
  });

  it('optimises with task optimize in the input frame and runs frequencies with task freq and autosym', () => {
    const water = { atoms: waterStart, charge: 0, multiplicity: 1 };
    const optimize = input(nwSpec({ task: 'optimize', molecule: water }));
    expect(optimize).toContain('geometry units angstrom noautoz nocenter noautosym\n');
    expect(optimize).toMatch(/\ntask scf optimize\n$/);
    const freq = input(nwSpec({ task: 'frequencies', method: 'b3lyp', molecule: water }));
    expect(freq).toContain('geometry units angstrom noautoz nocenter\n');
    expect(freq).toMatch(/\ntask dft freq\n$/);
    const maxiter = input(
      nwSpec({ task: 'optimize', molecule: water, keywords: ['driver; maxiter 2; end'] }),
    );
    expect(maxiter).toContain('driver; maxiter 2; end\ntask scf optimize\n');
  });

  it('refuses ghosts, external charges and another temperature where they do not apply', () => {
    const water = { atoms: waterStart, charge: 0, multiplicity: 1 };
    for (const task of ['optimize', 'frequencies']) {
      expect(refusal(nwSpec({ task }))).toBe('molecule.atoms[3].ghost');
      expect(
        refusal(
          nwSpec({ task, molecule: water, options: { external_charges: [[-0.8, 0, 0, 3]] } }),
        ),
      ).toBe('options.external_charges');
    }
    expect(
      refusal(
        nwSpec({ task: 'frequencies', molecule: water, keywords: ['freq; temp 1 400; end'] }),
      ),
    ).toBe('keywords');
    expect(input(nwSpec({ task: 'gradient', keywords: ['freq; temp 1 400; end'] }))).toContain(
      'freq; temp 1 400; end',
    );
  });

  describe('task nmr', () => {
    const nmrSpec = (fields: Partial<CalcSpec> = {}): CalcSpec =>
      nwSpec({
        task: 'nmr',
        method: 'B3LYP',
        molecule: { atoms: waterStart, charge: 0, multiplicity: 1 },
        ...fields,
      });

    it('runs direct B3LYP in a spherical basis with a shielding property block and COSMO chloroform', () => {
      const text = input(nmrSpec({ options: { solvent: 'Chloroform' } }));
      expect(text).toBe(
        [
          'start retort',
          'title "retort nmr"',
          'scratch_dir ./scratch',
          'permanent_dir ./perm',
          'charge 0',
          'geometry units angstrom noautoz nocenter noautosym',
          '  O 0.0 0.0 0.117',
          '  H 0.0 0.757 -0.468',
          '  H 0.0 -0.757 -0.468',
          'end',
          'basis spherical',
          '  O library "6-31g*"',
          '  H library "6-31g*"',
          'end',
          'dft',
          '  xc b3lyp',
          '  mult 1',
          '  direct',
          'end',
          'cosmo',
          '  solvent chcl3',
          '  do_gasphase False',
          'end',
          'property',
          '  shielding',
          'end',
          'task dft property',
          '',
        ].join('\n'),
      );
    });

    it('writes no cosmo block in vacuum, by default or when asked', () => {
      for (const options of [undefined, { solvent: 'vacuum' }, { solvent: 'none' }]) {
        const text = input(nmrSpec(options === undefined ? {} : { options }));
        expect(text).not.toContain('cosmo');
        expect(text).toContain('property\n  shielding\nend\ntask dft property\n');
      }
    });

    it('gives NWChem its own names of the solvents', () => {
      const names: Record<string, string> = {
        chcl3: 'chcl3',
        DMSO: 'dmso',
        methanol: 'methanol',
        water: 'h2o',
        acetone: 'acetone',
        benzene: 'benzene',
        pyridine: 'pyridine',
        THF: 'thf',
        toluene: 'toluene',
        DCM: 'dcm',
        dichloromethane: 'dcm',
        acetonitrile: 'acetntrl',
        DMF: 'dmf',
      };
      for (const [solvent, nwchem] of Object.entries(names)) {
        expect(input(nmrSpec({ options: { solvent } }))).toContain(
          `cosmo\n  solvent ${nwchem}\n  do_gasphase False\nend\n`,
        );
      }
    });

    it('refuses an unknown solvent, naming the known ones, and a solvent for other tasks', () => {
      expect(() => prepareNwchem(nmrSpec({ options: { solvent: 'hexane' } }))).toThrow(
        /unknown solvent "hexane"; known: vacuum, none, chloroform, chcl3, dmso/,
      );
      expect(refusal(nmrSpec({ options: { solvent: 'toString' } }))).toBe('options.solvent');
      expect(refusal(nmrSpec({ options: { solvent: 3 } }))).toBe('options.solvent');
      expect(refusal(nwSpec({ options: { solvent: 'water' } }))).toBe('options.solvent');
    });

    it('refuses non-DFT methods, a Cartesian basis, ghosts, charges and cosmo or property keywords', () => {
      expect(refusal(nmrSpec({ method: 'hf' }))).toBe('method');
      expect(refusal(nmrSpec({ method: 'mp2' }))).toBe('method');
      expect(refusal(nmrSpec({ options: { spherical: false } }))).toBe('options.spherical');
      expect(refusal(nmrSpec({ molecule: undefined }))).toBe('molecule');
      expect(
        refusal(nmrSpec({ molecule: { atoms: monomerAInDimerBasis, charge: 0, multiplicity: 1 } })),
      ).toBe('molecule.atoms[3].ghost');
      expect(refusal(nmrSpec({ options: { external_charges: [[-0.8, 0, 0, 3]] } }))).toBe(
        'options.external_charges',
      );
      expect(refusal(nmrSpec({ keywords: ['cosmo; solvent h2o; end'] }))).toBe('keywords');
      expect(refusal(nmrSpec({ keywords: ['property; shielding 1 1; end'] }))).toBe('keywords');
      // Other tasks keep taking them as written.
      expect(input(nwSpec({ keywords: ['cosmo; solvent h2o; end'] }))).toContain(
        'cosmo; solvent h2o; end\ntask scf energy',
      );
    });
  });
});
