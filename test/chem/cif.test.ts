import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readCif } from '../../src/chem/cif.js';
import {
  primitiveOfFaceCentred,
  toCartesian,
  type PeriodicStructure,
} from '../../src/chem/structure.js';
import { InputError } from '../../src/core/errors.js';

const CIF_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'cif');
const cif = (name: string): string => readFileSync(join(CIF_DIR, name), 'utf8');

/** Shortest distance (Å) between two different sites, through the periodic boundary. */
function nearest(s: PeriodicStructure): number {
  let best = Infinity;
  s.sites.forEach((a, i) => {
    s.sites.forEach((b, j) => {
      if (i === j) return;
      for (const shift of [-1, 0, 1].flatMap((x) =>
        [-1, 0, 1].flatMap((y) => [-1, 0, 1].map((z) => [x, y, z])),
      )) {
        const d = toCartesian(s.lattice_angstrom, [
          b.fractional[0] - a.fractional[0] + (shift[0] ?? 0),
          b.fractional[1] - a.fractional[1] + (shift[1] ?? 0),
          b.fractional[2] - a.fractional[2] + (shift[2] ?? 0),
        ]);
        best = Math.min(best, Math.hypot(...d));
      }
    });
  });
  return best;
}

describe('reading CIF files', () => {
  it('expands diamond silicon (Fd-3m, 192 operations) into the 8 atoms of the cubic cell', () => {
    const s = readCif(cif('si.cif'), 'si.cif');
    expect(s.lattice_angstrom).toEqual([
      [5.431, 0, 0],
      [0, 5.431, 0],
      [0, 0, 5.431],
    ]);
    expect(s.sites).toHaveLength(8);
    expect(s.sites.every((site) => site.element === 'Si')).toBe(true);
    expect(s.sites.map((site) => site.fractional.join(' ')).sort()).toEqual(
      [
        '0 0 0',
        '0 0.5 0.5',
        '0.5 0 0.5',
        '0.5 0.5 0',
        '0.25 0.25 0.25',
        '0.25 0.75 0.75',
        '0.75 0.25 0.75',
        '0.75 0.75 0.25',
      ].sort(),
    );
    expect(nearest(s)).toBeCloseTo((5.431 * Math.sqrt(3)) / 4, 10);
  });

  it('expands rock salt (Fm-3m) into 4 Na and 4 Cl, reading elements from charged type symbols', () => {
    const s = readCif(cif('nacl.cif'), 'nacl.cif');
    expect(s.sites.filter((site) => site.element === 'Na')).toHaveLength(4);
    expect(s.sites.filter((site) => site.element === 'Cl')).toHaveLength(4);
    expect(nearest(s)).toBeCloseTo(2.82, 10);
  });

  it('reads a P1 file without operations, elements from labels, comments and quoted values', () => {
    const text = [
      'data_test # a comment',
      "_symmetry_space_group_name_H-M 'P 1'",
      '_cell_length_a 3.0',
      '_cell_length_b 4.0',
      '_cell_length_c 5.0',
      '_cell_angle_alpha 90',
      '_cell_angle_beta 90',
      '_cell_angle_gamma 90',
      '_journal_title',
      ';',
      'a text field with _cell_length_a 99 inside',
      ';',
      'loop_',
      '_atom_site_label',
      '_atom_site_fract_x',
      '_atom_site_fract_y',
      '_atom_site_fract_z',
      'O1 0.1 0.2 1.3',
      'Mg2 -0.5 0.5 0.5',
    ].join('\n');
    const s = readCif(text);
    expect(s.lattice_angstrom[0]).toEqual([3, 0, 0]);
    expect(s.sites.map((site) => site.element)).toEqual(['O', 'Mg']);
    expect(s.sites[0]?.fractional[2]).toBeCloseTo(0.3, 12);
    expect(s.sites[1]?.fractional).toEqual([0.5, 0.5, 0.5]);
  });

  it('refuses a space group without operations, partial occupancy and broken operations, naming the file', () => {
    const head = [
      'data_x',
      '_cell_length_a 4',
      '_cell_length_b 4',
      '_cell_length_c 4',
      '_cell_angle_alpha 90',
      '_cell_angle_beta 90',
      '_cell_angle_gamma 90',
    ];
    const atoms = [
      'loop_',
      '_atom_site_label',
      '_atom_site_fract_x',
      '_atom_site_fract_y',
      '_atom_site_fract_z',
      'Fe1 0 0 0',
    ];
    expect(() =>
      readCif([...head, "_space_group_name_H-M_alt 'I m -3 m'", ...atoms].join('\n'), 'fe.cif'),
    ).toThrow(/^fe\.cif: space group Im-3m without a list of symmetry operations/);
    const partial = [
      ...head,
      'loop_',
      '_atom_site_label',
      '_atom_site_fract_x',
      '_atom_site_fract_y',
      '_atom_site_fract_z',
      '_atom_site_occupancy',
      'Fe1 0 0 0 0.5',
    ];
    expect(() => readCif(partial.join('\n'), 'fe.cif')).toThrow(
      'fe.cif:14: site Fe1 is partly occupied (0.5)',
    );
    const badOp = [...head, 'loop_', '_symmetry_equiv_pos_as_xyz', "'x,y'", ...atoms];
    expect(() => readCif(badOp.join('\n'), 'fe.cif')).toThrow(
      'cannot read symmetry operation "x,y"',
    );
    expect(() => readCif('no data here', 'x.cif')).toThrow(InputError);
    expect(() => readCif([...head.slice(0, 3), ...atoms].join('\n'), 'x.cif')).toThrow(
      'x.cif: no _cell_length_c',
    );
  });

  it('reduces the cubic cells of silicon and rock salt to their primitive fcc cells', () => {
    const si = primitiveOfFaceCentred(readCif(cif('si.cif')));
    const h = 5.431 / 2;
    expect(si?.lattice_angstrom).toEqual([
      [0, h, h],
      [h, 0, h],
      [h, h, 0],
    ]);
    expect(si?.sites).toEqual([
      { element: 'Si', fractional: [0, 0, 0] },
      { element: 'Si', fractional: [0.25, 0.25, 0.25] },
    ]);
    const nacl = primitiveOfFaceCentred(readCif(cif('nacl.cif')));
    expect(nacl?.sites).toEqual([
      { element: 'Na', fractional: [0, 0, 0] },
      { element: 'Cl', fractional: [0.5, 0.5, 0.5] },
    ]);
    expect(
      nearest(
        nacl ?? {
          lattice_angstrom: [
            [1, 0, 0],
            [0, 1, 0],
            [0, 0, 1],
          ],
          sites: [],
        },
      ),
    ).toBeCloseTo(2.82, 10);
  });

  it('leaves a cell that is not face-centred alone', () => {
    const cubic: PeriodicStructure = {
      lattice_angstrom: [
        [3, 0, 0],
        [0, 3, 0],
        [0, 0, 3],
      ],
      sites: [
        { element: 'Cs', fractional: [0, 0, 0] },
        { element: 'Cl', fractional: [0.5, 0.5, 0.5] },
      ],
    };
    expect(primitiveOfFaceCentred(cubic)).toBeUndefined();
    // Body-centred: one centring translation holds, the face ones do not.
    const bcc: PeriodicStructure = {
      ...cubic,
      sites: [
        { element: 'Fe', fractional: [0, 0, 0] },
        { element: 'Fe', fractional: [0.5, 0.5, 0.5] },
      ],
    };
    expect(primitiveOfFaceCentred(bcc)).toBeUndefined();
  });
});
