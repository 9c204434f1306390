import { spawnSync } from 'node:child_process';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Molecule } from '../../src/chem/molecule.js';
import type { PeriodicStructure } from '../../src/chem/structure.js';
import { BUILTIN_TEMPLATES, TemplateLibrary } from '../../src/templates/library.js';
import { loadTemplate, renderTemplate } from '../../src/templates/render.js';
import { resolveValues, type RawValue } from '../../src/templates/values.js';

const HALF = 4.21 / 2;
/** Primitive fcc MgO, a = 4.21 Å. */
export const MGO: PeriodicStructure = {
  lattice_angstrom: [
    [0, HALF, HALF],
    [HALF, 0, HALF],
    [HALF, HALF, 0],
  ],
  sites: [
    { element: 'Mg', fractional: [0, 0, 0] },
    { element: 'O', fractional: [0.5, 0.5, 0.5] },
  ],
};

const OH: Molecule = {
  atoms: [
    { element: 'O', x: 0, y: 0, z: 0 },
    { element: 'H', x: 0.97, y: 0, z: 0 },
  ],
  charge: 0,
  multiplicity: 2,
};

const library = new TemplateLibrary();
const JINJA2 = join(dirname(fileURLToPath(import.meta.url)), 'jinja2-render.py');
const havePythonJinja2 =
  spawnSync('python3', ['-c', 'import jinja2'], { encoding: 'utf8' }).status === 0;

/** The text Python's Jinja2 renders from a library file with the same values. */
function jinja2Render(file: string, values: Record<string, unknown>): string {
  const r = spawnSync('python3', [JINJA2], {
    input: JSON.stringify({ dir: BUILTIN_TEMPLATES, name: basename(file), values }),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

describe('the built-in template library', () => {
  it('lists the templates, not the partials', () => {
    expect(library.list().map((e) => e.name)).toEqual([
      'crystal-bands',
      'crystal-dos',
      'crystal-freq',
      'crystal-opt',
      'crystal-scf',
      'mopac-optimize',
      'nwchem-freq',
      'nwchem-nmr',
      'nwchem-optimize',
      'psi4-energy',
      'psi4-freq',
      'psi4-optimize',
      'qe-bands',
      'qe-dos',
      'qe-relax',
      'qe-scf',
      'qe-vc-relax',
      'xtb-optimize',
    ]);
  });

  it('holds templates that each name an engine and a task and pass the check', () => {
    for (const entry of library.list()) {
      const loaded = loadTemplate(entry.name, library, '/');
      expect(loaded.engine, entry.name).toMatch(/^(crystal|qe|mopac|nwchem|psi4|xtb)$/);
      expect(loaded.task, entry.name).toMatch(/^[a-z]+(-[a-z]+)?$/);
    }
  });

  it('renders crystal-opt as a P1 .d12 with OPTGEOM inside the geometry block', () => {
    const r = renderTemplate(
      'crystal-opt',
      { hamiltonian: 'HF', basis: 'STO-3G' },
      { library, structure: MGO },
    );
    expect([r.engine, r.task]).toEqual(['crystal', 'optimize']);
    expect(r.text).toBe(
      [
        'retort',
        'CRYSTAL',
        '0 0 0',
        '1',
        '2.97691955 2.97691955 2.97691955 60.00000000 60.00000000 60.00000000',
        '2',
        '12 0.00000000 0.00000000 0.00000000',
        '8 0.50000000 0.50000000 0.50000000',
        'OPTGEOM',
        'FULLOPTG',
        'MAXCYCLE',
        '100',
        'ENDOPT',
        'BASISSET',
        'STO-3G',
        'SHRINK',
        '8 16',
        'TOLDEE',
        '8',
        'MAXCYCLE',
        '100',
        'ENDSCF',
        '',
      ].join('\n'),
    );
  });

  it('renders crystal-bands with the fcc path and the NEWK of its imported macro', () => {
    const r = renderTemplate('crystal-bands', { shrink: '6' }, { library });
    expect(r.text).toBe(
      'NEWK\n6 12\n1 0\nBAND\nretort bands\n5 8 200 1 26 1 0\n0 0 0 4 0 4\n4 0 4 4 2 6\n4 2 6 3 3 6\n3 3 6 0 0 0\n0 0 0 4 4 4\nEND\n',
    );
  });

  it('renders mopac-optimize for a radical as UHF with the multiplicity word and charge', () => {
    const r = renderTemplate('mopac-optimize', { keywords: 'PRECISE' }, { library, molecule: OH });
    expect(r.text).toBe(
      'PM7 CHARGE=0 DOUBLET UHF PRECISE\nretort\n\nO 0 1 0 1 0 1\nH 0.97 1 0 1 0 1\n',
    );
  });

  it.skipIf(!havePythonJinja2)(
    'renders every built-in template exactly as Python Jinja2 renders the same files (inheritance, includes, macros)',
    () => {
      const set: Record<string, Record<string, RawValue>> = {
        'qe-scf': { conv_thr: '0.0001', occupations: 'smearing', degauss: '0.02' },
        'qe-relax': { conv_thr: '0.0001' },
        'qe-bands': { conv_thr: '0.0001' },
        'crystal-bands': { path: 'custom', path_lines: '0 0 0 4 4 4\n4 4 4 4 0 4' },
        'crystal-freq': { intensities: 'no' },
        'nwchem-nmr': { solvent: 'chcl3', xc: 'xpbe96 cpbe96' },
        'nwchem-freq': { theory: 'scf' },
        'qe-vc-relax': { cell_dofree: 'shape', conv_thr: '0.0001' },
        'qe-dos': { conv_thr: '0.0001' },
        'xtb-optimize': { model: 'gbsa', solvent: 'chcl3' },
        'psi4-optimize': { method: 'b3lyp', reference: 'uks' },
      };
      for (const entry of library.list()) {
        const loaded = loadTemplate(entry.name, library, '/');
        const context = { structure: MGO, molecule: OH };
        const values = resolveValues(entry.name, loaded.parameters, set[entry.name] ?? {}, context);
        const ours = renderTemplate(entry.name, set[entry.name] ?? {}, { library, ...context });
        const reference = jinja2Render(entry.file, values);
        expect(ours.text, entry.name).toBe(reference.endsWith('\n') ? reference : `${reference}\n`);
      }
    },
  );
});
