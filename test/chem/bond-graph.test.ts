import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  BOND_TOLERANCE,
  bondChanges,
  describeChanges,
  bondGraph,
  smilesGraphChanges,
} from '../../src/chem/bond-graph.js';
import { loadRdkit } from '../../src/chem/descriptors.js';
import type { Atom } from '../../src/chem/molecule.js';
import { smilesAtoms } from '../../src/chem/smiles-atoms.js';
import { parseXyz } from '../../src/chem/xyz.js';
import { realFixture } from '../engines/real-fixtures.js';
import { hasProgram } from '../helpers/run-job-directly.js';

function geometry(name: string): Atom[] {
  return [...(parseXyz(realFixture('bond-graph', `${name}.xyz`))[0]?.atoms ?? [])];
}

async function graphOf(smiles: string) {
  const atoms = await smilesAtoms(await loadRdkit(), smiles);
  if (atoms === undefined) throw new Error(`RDKit cannot read ${smiles}`);
  return atoms.graph;
}

/** `atoms` with hydrogen `h` (0-based) put `length` Å from atom `onto`, away from atom `behind`. */
function moveH(atoms: readonly Atom[], h: number, onto: number, behind: number, length: number) {
  const [o, b] = [atoms[onto], atoms[behind]];
  if (o === undefined || b === undefined) throw new Error('no such atom');
  const d = [o.x - b.x, o.y - b.y, o.z - b.z];
  const n = Math.hypot(...d);
  return atoms.map((a, i) =>
    i === h
      ? {
          ...a,
          x: o.x + (length * (d[0] ?? 0)) / n,
          y: o.y + (length * (d[1] ?? 0)) / n,
          z: o.z + (length * (d[2] ?? 0)) / n,
        }
      : a,
  );
}

describe('bondGraph', () => {
  it('bonds acetic acid as its SMILES: C1–C2, C2–O3, C2–O4, three H on C1, one on O4', () => {
    const graph = bondGraph(geometry('acetic_acid_xtb'));
    expect(graph.neighbours).toEqual([[1, 4, 5, 6], [0, 2, 3], [1], [1, 7], [0], [0], [0], [3]]);
  });

  it('does not bond a hydrogen to the O it only hydrogen-bonds to (1.2 × radii: 1.16 Å for O–H)', () => {
    expect(BOND_TOLERANCE * (0.31 + 0.66)).toBeCloseTo(1.164, 3);
    const atoms: Atom[] = [
      { element: 'O', x: 0, y: 0, z: 0 },
      { element: 'H', x: 0.97, y: 0, z: 0 },
      { element: 'O', x: 2.8, y: 0, z: 0 },
    ];
    expect(bondGraph(atoms).neighbours).toEqual([[1], [0], []]);
  });
});

describe('bondChanges between geometries of the same atom order', () => {
  it('finds nothing between the Open Babel start and an intact GFN2-xTB conformer', () => {
    expect(bondChanges(geometry('rad1_gen3d'), geometry('rad1_xtb_intact'))).toEqual([]);
  });

  it('names the H that GFN2-xTB moved from the aldehyde C onto the alkoxy O', () => {
    expect(bondChanges(geometry('rad1_gen3d'), geometry('rad1_xtb_h_migrated'))).toEqual([
      'H17 moved from C9 to O1',
    ]);
  });

  it('sees an H moved between the two O of a COOH', () => {
    const acid = geometry('acetic_acid_xtb');
    // H8 from O4 onto O3, 0.97 Å out along C2→O3.
    expect(bondChanges(acid, moveH(acid, 7, 2, 1, 0.97))).toEqual(['H8 moved from O4 to O3']);
  });

  it('reports the bonds of an atom moved away as broken', () => {
    const acid = geometry('acetic_acid_xtb');
    const far = acid.map((a, i) => (i === 0 ? { ...a, x: a.x - 3 } : a));
    expect(bondChanges(acid, far)).toEqual([
      'C1–C2 bond broken',
      'C1–H5 bond broken',
      'C1–H6 bond broken',
      'C1–H7 bond broken',
    ]);
  });
});

describe('describeChanges', () => {
  it('names the first changes and counts the rest, so a collapsed geometry stays one short line', () => {
    const acid = geometry('acetic_acid_xtb');
    const collapsed = acid.map((a, i) => ({ ...a, x: i * 0.1, y: 0, z: 0 }));
    const changes = bondChanges(acid, collapsed);
    expect(changes.length).toBeGreaterThan(6);
    const line = describeChanges(changes);
    expect(line.split('; ')).toHaveLength(7);
    expect(line).toMatch(new RegExp(`; … ${changes.length - 6} more$`));
    expect(describeChanges(['H8 moved from O4 to O3'])).toBe('H8 moved from O4 to O3');
  });
});

describe('smilesGraphChanges: a geometry against its SMILES', () => {
  it('accepts the Open Babel starts of the radical, acetic acid and glycine', async () => {
    expect(smilesGraphChanges(await graphOf('[O]Cc1ccccc1C=O'), geometry('rad1_gen3d'))).toEqual(
      [],
    );
    expect(smilesGraphChanges(await graphOf('CC(=O)O'), geometry('acetic_acid_gen3d'))).toEqual([]);
    expect(smilesGraphChanges(await graphOf('NCC(=O)O'), geometry('glycine_xtb'))).toEqual([]);
  });

  it('refuses the xtb conformer whose H migrated: O1 gained it, C9 lost it', async () => {
    expect(
      smilesGraphChanges(await graphOf('[O]Cc1ccccc1C=O'), geometry('rad1_xtb_h_migrated')),
    ).toEqual(['O1 carries 1 H, the SMILES 0', 'C9 carries 0 H, the SMILES 1']);
  });

  it('refuses a COOH with its H on the other O, which has the same formula and standard InChI', async () => {
    const acid = geometry('acetic_acid_xtb');
    expect(smilesGraphChanges(await graphOf('CC(=O)O'), moveH(acid, 7, 2, 1, 0.97))).toEqual([
      'O3 carries 1 H, the SMILES 0',
      'O4 carries 0 H, the SMILES 1',
    ]);
  });

  it('refuses glycine turned zwitterion (the acid H on the N)', async () => {
    const glycine = geometry('glycine_xtb');
    const zwitterion = moveH(glycine, 9, 0, 1, 1.02);
    expect(smilesGraphChanges(await graphOf('NCC(=O)O'), zwitterion)).toEqual([
      'N1 carries 3 H, the SMILES 2',
      'O5 carries 0 H, the SMILES 1',
    ]);
  });

  it('refuses a geometry whose heavy atoms are not in SMILES order', async () => {
    const acid = geometry('acetic_acid_xtb');
    const swapped = [acid[2], acid[1], acid[0], ...acid.slice(3)] as Atom[];
    expect(smilesGraphChanges(await graphOf('CC(=O)O'), swapped)).toEqual([
      'the heavy atoms are not those of the SMILES in SMILES order (C C O O)',
    ]);
  });

  it('counts explicit [H] atoms of a SMILES as hydrogens of their heavy atom', async () => {
    const graph = await graphOf('[2H]OC');
    expect(graph).toEqual({
      heavy: [
        { element: 'O', hydrogens: 1 },
        { element: 'C', hydrogens: 3 },
      ],
      bonds: [[0, 1]],
    });
  });
});

describe.skipIf(!hasProgram('obabel'))('Open Babel --gen3d keeps the SMILES order (live)', () => {
  it.each([
    'OC(=O)c1ccccc1O',
    'C[N+](C)(C)CC([O-])=O',
    'N[C@@H](Cc1ccccc1)C(=O)O',
    'CC(C)(C)c1ccc(O)cc1',
    '[O]Cc1ccccc1O',
    'C1CC2CCC1C2',
    '[2H]OC(=O)CBr',
  ])(
    'gives %s heavy atoms in SMILES order, bonded and hydrogenated as the SMILES',
    async (smiles) => {
      const xyz = execFileSync('obabel', [`-:${smiles}`, '-oxyz', '--gen3d'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 60_000,
      });
      const atoms = parseXyz(xyz)[0]?.atoms ?? [];
      expect(smilesGraphChanges(await graphOf(smiles), atoms)).toEqual([]);
    },
  );
});
