import { describe, expect, it } from 'vitest';
import type { Atom } from '../../src/chem/molecule.js';
import { MAX_XH_ROTAMERS, dihedral, xhRotamers, xhRotors } from '../../src/chem/xh-rotors.js';
import { parseXyz } from '../../src/chem/xyz.js';
import { realFixture } from '../engines/real-fixtures.js';

function geometry(dir: string, name: string): Atom[] {
  return [...(parseXyz(realFixture(dir, `${name}.xyz`))[0]?.atoms ?? [])];
}

const ANTI_ACETIC = geometry('bond-graph', 'acetic_acid_xtb');
const SYN_ACETIC = geometry('xh-rotors', 'acetic_acid_syn_xtb');
// Acetic acid, 0-based: C0 C1 O2(=) O3(H) H4 H5 H6 H7(on O3).
const O_C_O_H = [2, 1, 3, 7] as const;

function oco(atoms: readonly Atom[]): number {
  return dihedral(atoms, ...O_C_O_H);
}

/** The angle between the shortest ways round of two dihedrals, degrees. */
function gap(a: number, b: number): number {
  return Math.abs(((a - b + 540) % 360) - 180);
}

function distance(a: Atom | undefined, b: Atom | undefined): number {
  if (a === undefined || b === undefined) throw new Error('no such atom');
  return Math.hypot(a.x - b.x, a.y - b.y, a.z - b.z);
}

describe('xhRotors', () => {
  it('finds the O–H of acetic acid as one carboxylic rotor, anti in the Open Babel/xtb geometry and syn in the other', () => {
    const [anti, ...moreAnti] = xhRotors(ANTI_ACETIC);
    expect(moreAnti).toEqual([]);
    expect(anti).toMatchObject({ kind: 'carboxylic', x: 3, y: 1, reference: 2, hydrogens: [7] });
    expect(anti?.targets).toEqual([0, 180]);
    expect(gap(anti?.dihedral ?? NaN, 180)).toBeLessThan(2);
    const [syn] = xhRotors(SYN_ACETIC);
    expect(syn?.kind).toBe('carboxylic');
    expect(gap(syn?.dihedral ?? NaN, 0)).toBeLessThan(2);
  });

  it('finds an alcohol OH staggered, a phenol OH in the plane, and glycine’s NH2 beside its COOH', () => {
    expect(xhRotors(geometry('xh-rotors', 'ethanol_gen3d')).map((r) => r.kind)).toEqual([
      'staggered',
    ]);
    const [phenol, ...more] = xhRotors(geometry('xh-rotors', 'guaiacol_gen3d'));
    expect(more).toEqual([]);
    expect(phenol).toMatchObject({ kind: 'planar', targets: [0, 180] });
    const glycine = xhRotors(geometry('bond-graph', 'glycine_xtb'));
    expect(glycine.map((r) => [r.kind, r.hydrogens.length])).toEqual([
      ['staggered', 2],
      ['carboxylic', 1],
    ]);
  });

  it('finds nothing to turn in a molecule without O–H, S–H or NH2', () => {
    const radical = geometry('bond-graph', 'rad1_gen3d');
    expect(xhRotors(radical)).toEqual([]);
    const [only, ...more] = xhRotamers(radical);
    expect(more).toEqual([]);
    expect(only).toEqual(radical);
  });
});

describe('xhRotamers', () => {
  it('turns the anti COOH of acetic acid syn first, then keeps it as it is, moving only its H', () => {
    const rotamers = xhRotamers(ANTI_ACETIC);
    expect(rotamers).toHaveLength(2);
    const [syn, asBuilt] = rotamers;
    if (syn === undefined) throw new Error('no rotamer');
    expect(gap(oco(syn), 0)).toBeLessThan(1e-6);
    expect(asBuilt).toEqual(ANTI_ACETIC);
    syn.forEach((atom, i) => {
      if (i !== 7) expect(atom).toEqual(ANTI_ACETIC[i]);
    });
    // A rigid turn: the O–H bond and the C–O–H angle (through the C…H distance) are kept.
    expect(distance(syn[3], syn[7])).toBeCloseTo(distance(ANTI_ACETIC[3], ANTI_ACETIC[7]), 10);
    expect(distance(syn[1], syn[7])).toBeCloseTo(distance(ANTI_ACETIC[1], ANTI_ACETIC[7]), 10);
  });

  it('keeps a syn COOH first and gives its anti rotamer second', () => {
    const [first, anti, ...more] = xhRotamers(SYN_ACETIC);
    expect(more).toEqual([]);
    expect(first).toEqual(SYN_ACETIC);
    expect(gap(oco(anti ?? []), 180)).toBeLessThan(1e-6);
  });

  it('gives three staggered orientations of an alcohol OH, the one as built first and unchanged', () => {
    const ethanol = geometry('xh-rotors', 'ethanol_gen3d');
    const [rotor] = xhRotors(ethanol);
    if (rotor === undefined) throw new Error('no rotor');
    const rotamers = xhRotamers(ethanol);
    expect(rotamers).toHaveLength(3);
    expect(rotamers[0]).toEqual(ethanol);
    const turned = rotamers
      .slice(1)
      .map((g) => dihedral(g, rotor.reference, rotor.y, rotor.x, rotor.hydrogens[0] ?? -1));
    const all = [rotor.dihedral, ...turned].map((d) =>
      [60, 180, 300].findIndex((t) => gap(d, t) < 30),
    );
    expect([...all].sort()).toEqual([0, 1, 2]);
  });

  it('gives both in-plane orientations of a phenol OH', () => {
    const guaiacol = geometry('xh-rotors', 'guaiacol_gen3d');
    const [rotor] = xhRotors(guaiacol);
    if (rotor === undefined) throw new Error('no rotor');
    const dihedrals = xhRotamers(guaiacol).map((g) =>
      dihedral(g, rotor.reference, rotor.y, rotor.x, rotor.hydrogens[0] ?? -1),
    );
    expect(dihedrals).toHaveLength(2);
    expect(gap(dihedrals[0] ?? NaN, dihedrals[1] ?? NaN)).toBeGreaterThan(170);
  });

  it('ranks every syn COOH of glycine before the anti ones and honours the cap', () => {
    const glycine = geometry('bond-graph', 'glycine_xtb');
    // glycine: N0 C1 C2 O3(=) O4(H) … H9 on O4.
    const rotamers = xhRotamers(glycine);
    expect(rotamers).toHaveLength(6);
    expect(rotamers.length).toBeLessThanOrEqual(MAX_XH_ROTAMERS);
    const syn = rotamers.map((g) => gap(dihedral(g, 3, 2, 4, 9), 0) < 1e-6);
    expect(syn).toEqual([true, true, true, false, false, false]);
    expect(xhRotamers(glycine, 2)).toEqual(rotamers.slice(0, 2));
  });

  it('leaves out a rotamer that turns an H onto another atom', () => {
    const ethanol = geometry('xh-rotors', 'ethanol_gen3d');
    const [rotor] = xhRotors(ethanol);
    if (rotor === undefined) throw new Error('no rotor');
    const h = rotor.hydrogens[0] ?? -1;
    const [asBuilt, blocked, free] = xhRotamers(ethanol);
    const [o, moved] = [ethanol[rotor.x], blocked?.[h]];
    if (o === undefined || moved === undefined) throw new Error('no rotamer');
    // A lone H on the O→H line of the second rotamer, 1.7 Å from the O (bonded to nothing) and
    // 0.73 Å from where that rotamer puts the hydroxyl H: turning it there would bond the two.
    const f = 1.7 / distance(o, moved);
    const lone: Atom = {
      element: 'H',
      x: o.x + (moved.x - o.x) * f,
      y: o.y + (moved.y - o.y) * f,
      z: o.z + (moved.z - o.z) * f,
    };
    const crowded = [...ethanol, lone];
    expect(xhRotors(crowded)).toHaveLength(1);
    expect(xhRotamers(crowded)).toEqual([asBuilt, free].map((g) => [...(g ?? []), lone]));
  });
});
