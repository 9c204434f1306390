import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCif } from '../../../src/chem/cif.js';
import { primitiveOfFaceCentred } from '../../../src/chem/structure.js';
import { calcKey } from '../../../src/core/calc-key.js';
import { InputError } from '../../../src/core/errors.js';
import { qeEngine } from '../../../src/engines/qe/index.js';
import { FCC_PATH } from '../../../src/engines/qe/kpath.js';
import { realFixture } from '../real-fixtures.js';
import { SILICON, SMALL, STRAINED_SILICON, siBandsSpec, siSpec } from './si.js';

const realCif = (name: string): string =>
  readFileSync(
    join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'cif', name),
    'utf8',
  );

const input = (s = siSpec('scf')): string => qeEngine.prepare(s).files['pw.in'] ?? '';

describe('the qe engine prepares pw.x inputs', () => {
  it('writes the inputs the real fixtures were run from', () => {
    expect(input()).toBe(realFixture('qe', 'si-scf.in'));
    expect(input(siSpec('relax', SMALL, STRAINED_SILICON))).toBe(realFixture('qe', 'si-relax.in'));
    expect(input(siSpec('vc-relax'))).toBe(realFixture('qe', 'si-vc-relax.in'));
    expect(input(siBandsSpec())).toBe(realFixture('qe', 'si-bands.in'));
  });

  it('runs pw.x single-threaded on the spec’s cores with stdout captured whole', () => {
    const job = qeEngine.prepare(siSpec('scf'));
    expect(job.argv).toEqual(['pw.x', '-input', 'pw.in']);
    expect(job.env).toEqual({ OMP_NUM_THREADS: '1' });
    expect(job.captureStdout).toBe('full');
    expect(job.outputs).toContain('out/retort.save/charge-density.dat');
    expect(job.parentInputs).toBeUndefined();
  });

  it('writes the cell in Å, crystal coordinates and the default pseudopotential', () => {
    const text = input();
    expect(text).toContain("calculation = 'scf'");
    expect(text).toContain("pseudo_dir = '/usr/share/espresso/pseudo'");
    expect(text).toContain('ATOMIC_SPECIES\nSi 0.0 Si.pz-vbc.UPF\n');
    expect(text).toContain('CELL_PARAMETERS angstrom\n0.0 2.715 2.715\n');
    expect(text).toContain('ATOMIC_POSITIONS crystal\nSi 0.0 0.0 0.0\nSi 0.25 0.25 0.25\n');
    expect(text).toContain('K_POINTS automatic\n4 4 4 0 0 0\n');
  });

  it('derives the k-grid from kspacing when no grid is given', () => {
    // |b| of primitive fcc Si is 2π√3/5.43 = 2.004 Å⁻¹: 9 points at 0.25, 5 at 0.5.
    expect(input(siSpec('scf', { ecutwfc: 12 }))).toContain('K_POINTS automatic\n9 9 9 0 0 0');
    expect(input(siSpec('scf', { kspacing: 0.5 }))).toContain('K_POINTS automatic\n5 5 5 0 0 0');
    expect(input(siSpec('scf', { kpoints: [2, 3, 4], kpoints_shift: [1, 1, 0] }))).toContain(
      '2 3 4 1 1 0',
    );
  });

  it('writes smearing, cutoffs, convergence and relaxation settings', () => {
    const text = input(
      siSpec('vc-relax', {
        ecutwfc: 25,
        ecutrho: 200,
        occupations: 'smearing',
        degauss: 0.02,
        conv_thr: 1e-10,
        electron_maxstep: 40,
        forc_conv_thr: 1e-4,
        nstep: 20,
        press: 10,
        pw_keywords: { 'electrons.mixing_beta': 0.3, 'system.nosym': true },
      }),
    );
    for (const line of [
      'ecutwfc = 25',
      'ecutrho = 200',
      "occupations = 'smearing'",
      "smearing = 'mv'",
      'degauss = 0.02',
      'conv_thr = 1e-10',
      'electron_maxstep = 40',
      'forc_conv_thr = 0.0001',
      'nstep = 20',
      '&ions\n/',
      '&cell\n  press = 10\n/',
      'mixing_beta = 0.3',
      'nosym = .true.',
    ]) {
      expect(text).toContain(line);
    }
  });

  it('follows the fcc path with points per segment from its length', () => {
    const text = input(siBandsSpec());
    const lines = text.slice(text.indexOf('K_POINTS crystal_b')).trim().split('\n');
    expect(lines[1]).toBe(String(FCC_PATH.length));
    // Γ–X is 2π/a = 1.157 Å⁻¹: 12 points at 10 per Å⁻¹; X–W half of it: 6.
    expect(lines[2]).toBe('0.0 0.0 0.0 12 ! G');
    expect(lines[3]).toBe('0.5 0.0 0.5 6 ! X');
    expect(lines.slice(2).map((l) => l.split('! ')[1])).toEqual(FCC_PATH.map((p) => p.label));
  });

  it('takes an explicit k-path for any lattice', () => {
    const parent = calcKey(siSpec('scf'), '1');
    const text = input(
      siSpec('bands', {
        parent,
        kpath: [
          { label: 'G', fractional: [0, 0, 0] },
          { label: 'L', fractional: [0.5, 0.5, 0.5] },
        ],
        kpath_density: 5,
      }),
    );
    // Γ–L is (√3/2)·2π/a = 1.002 Å⁻¹: 5 points at 5 per Å⁻¹.
    expect(text).toContain('K_POINTS crystal_b\n2\n0.0 0.0 0.0 5 ! G\n0.5 0.5 0.5 1 ! L\n');
  });

  it('asks the runtime for the parent scf’s out/ directory in nscf and bands', () => {
    const parent = calcKey(siSpec('scf'), qeEngine.adapterVersion);
    const job = qeEngine.prepare(siBandsSpec());
    expect(job.parentInputs).toEqual([{ calcKey: parent, path: 'out' }]);
    const nscf = qeEngine.prepare(siSpec('nscf', { ...SMALL, parent, nbnd: 10 }));
    expect(nscf.parentInputs).toEqual([{ calcKey: parent, path: 'out' }]);
    expect(nscf.files['pw.in']).toContain('nbnd = 10');
    expect(nscf.files['pw.in']).not.toContain('tstress');
    // The parent is an option, so it is part of the key: another scf, another bands calc.
    const other = siSpec('bands', { ecutwfc: 12, parent: '0'.repeat(64), kpath_density: 10 });
    expect(calcKey(other, '1')).not.toBe(calcKey(siBandsSpec(), '1'));
  });

  it('gives bands 8 bands for silicon’s 8 valence electrons: 4 occupied and 4 empty', () => {
    expect(input(siBandsSpec())).toContain('nbnd = 8');
  });

  it('refuses specs it cannot run, naming the field', () => {
    const refuse = (s: Parameters<typeof qeEngine.prepare>[0], text: string): void => {
      expect(() => qeEngine.prepare(s)).toThrow(InputError);
      expect(() => qeEngine.prepare(s)).toThrow(text);
    };
    refuse(siSpec('energy'), 'task: qe cannot run task "energy"');
    refuse(
      { ...siSpec('scf'), structure: undefined },
      'structure: qe scf needs a crystal structure',
    );
    refuse({ ...siSpec('scf'), method: 'pbe' }, 'method: qe takes no method');
    refuse(
      siSpec('bands', SMALL),
      'options.parent: bands starts from the charge density of an scf',
    );
    refuse(siSpec('scf', { parent: '0'.repeat(64) }), 'options.parent: scf starts from scratch');
    refuse(siSpec('scf', { ecutwfx: 20 }), 'options.ecutwfx: unknown option for qe scf');
    refuse(siSpec('scf', { kpoints: [4, 4] }), 'options.kpoints: expected three integers');
    refuse(
      siSpec('scf', { pseudopotentials: { Ge: 'Ge.UPF' } }),
      'options.pseudopotentials.Ge: no Ge',
    );
    refuse(
      siSpec('scf', { pw_keywords: { 'control.prefix': 'x' } }),
      'options.pw_keywords.control.prefix: not here: retort sets it',
    );
    refuse(
      siSpec('scf', { pw_keywords: { 'ions.ion_dynamics': 'bfgs' } }),
      'pw.x reads no &ions for scf',
    );
    refuse(siSpec('scf', { pw_keywords: { ecutwfc: 20 } }), 'expected "namelist.name"');
    refuse(
      siSpec('scf', { pw_keywords: { 'system.occupations': 'smearing' } }),
      'not here: use options.occupations',
    );
    refuse(
      siSpec('scf', SMALL, {
        ...SILICON,
        sites: [{ element: 'Fe', fractional: [0, 0, 0] }],
      }),
      'options.pseudopotentials.Fe: no default pseudopotential for Fe',
    );
    const parent = '0'.repeat(64);
    refuse(
      siSpec(
        'bands',
        { parent },
        {
          ...SILICON,
          lattice_angstrom: [
            [5.43, 0, 0],
            [0, 5.43, 0],
            [0, 0, 5.43],
          ],
        },
      ),
      'options.kpath: the automatic band path is for primitive fcc cells',
    );
    refuse(
      siSpec('bands', { parent, pseudopotentials: { Si: 'Si.pbe-rrkj.UPF' } }),
      'options.nbnd: bands needs options.nbnd',
    );
  });

  it('follows the fcc path in the primitive cell of a CIF’s cubic cell', () => {
    const structure = primitiveOfFaceCentred(readCif(realCif('si.cif')));
    if (structure === undefined) throw new Error('si.cif is face-centred');
    const text = input(siSpec('bands', { parent: '0'.repeat(64) }, structure));
    expect(text).toContain('K_POINTS crystal_b\n10\n0.0 0.0 0.0 ');
    expect(text).toContain('ATOMIC_POSITIONS crystal\nSi 0.0 0.0 0.0\nSi 0.25 0.25 0.25\n');
  });
});
