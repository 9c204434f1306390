import { describe, expect, it } from 'vitest';
import { BOHR_TO_ANGSTROM, type MbeMolecule } from '../../../src/pipelines/mbe/input.js';
import { buildSubsystem, subsystemMolecule } from '../../../src/pipelines/mbe/subsystem.js';

/** The water trimer of the qcmb cases (bohr), neutral closed-shell fragments. */
const GEOMETRY_BOHR = [
  -2.76373224, -1.24377706, -0.15444566, -1.12357791, -2.0622797, -0.05243799, -3.80792362,
  -2.08705525, 1.06090407, 2.46924614, -1.75437739, -0.17092884, 3.10318395, 0.01036782,
  -0.06232161, 3.12278523, -2.44255711, 1.39563946, 0.29760709, 2.99811621, -0.00578218,
  -0.74416431, 3.09026186, 1.45745547, 1.24116082, 4.57432651, 0.00474566,
];
const TRIMER: MbeMolecule = {
  symbols: ['O', 'H', 'H', 'O', 'H', 'H', 'O', 'H', 'H'],
  geometry_bohr: GEOMETRY_BOHR,
  fragments: [
    [0, 1, 2],
    [3, 4, 5],
    [6, 7, 8],
  ],
  fragment_charges: [0, 0, 0],
  fragment_multiplicities: [1, 1, 1],
  molecular_charge: 0,
  molecular_multiplicity: 1,
};

describe('subsystems of the water trimer', () => {
  it('builds a cp task (2 real in the full-cluster basis) with the ghost interleaved in basis order', () => {
    const s = buildSubsystem(TRIMER, { real: [1, 3], basis: [1, 2, 3] });
    expect(s.atoms.map((a) => `${a.element}${a.ghost === true ? '(ghost)' : ''}`)).toEqual([
      'O',
      'H',
      'H',
      'O(ghost)',
      'H(ghost)',
      'H(ghost)',
      'O',
      'H',
      'H',
    ]);
    expect(s.atom_indices).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(s.atoms[3]?.x).toBe((GEOMETRY_BOHR[9] ?? 0) * BOHR_TO_ANGSTROM);
    expect(s.atoms[8]?.z).toBe((GEOMETRY_BOHR[26] ?? 0) * BOHR_TO_ANGSTROM);
    expect(s.charge).toBe(0);
    expect(s.multiplicity).toBe(1);
    expect(s.embedding_charges).toEqual([]);
  });

  it('builds a vmfc task (1 real in a dimer basis) with only the basis fragments', () => {
    const s = buildSubsystem(TRIMER, { real: [3], basis: [2, 3] });
    expect(s.atom_indices).toEqual([3, 4, 5, 6, 7, 8]);
    expect(s.atoms.map((a) => a.ghost === true)).toEqual([true, true, true, false, false, false]);
    expect(s.atoms[0]).toEqual({
      element: 'O',
      x: 2.46924614 * BOHR_TO_ANGSTROM,
      y: -1.75437739 * BOHR_TO_ANGSTROM,
      z: -0.17092884 * BOHR_TO_ANGSTROM,
      ghost: true,
    });
  });

  it('takes charge and multiplicity from the real fragments only, high-spin as qcelemental', () => {
    const ions: MbeMolecule = {
      ...TRIMER,
      symbols: ['O', 'H', 'H', 'O', 'H', 'H', 'O', 'H', 'H'],
      fragment_charges: [1, -1, 1],
      fragment_multiplicities: [2, 2, 2],
      molecular_charge: 1,
      molecular_multiplicity: 4,
    };
    const cp = buildSubsystem(ions, { real: [1, 3], basis: [1, 2, 3] });
    expect([cp.charge, cp.multiplicity]).toEqual([2, 3]);
    const vmfc = buildSubsystem(ions, { real: [2], basis: [2, 3] });
    expect([vmfc.charge, vmfc.multiplicity]).toEqual([-1, 2]);
    expect(subsystemMolecule(vmfc)).toEqual({ atoms: vmfc.atoms, charge: -1, multiplicity: 2 });
  });

  it('puts embedding charges (bohr) on the fragments outside the basis', () => {
    const q = { '1': [-0.8, 0.4, 0.4], '2': [-0.7, 0.35, 0.35], '3': [-0.6, 0.3, 0.3] };
    const s = buildSubsystem(TRIMER, { real: [1], basis: [1] }, q);
    expect(s.embedding_charges).toHaveLength(6);
    expect(s.embedding_charges[0]).toEqual([-0.7, [2.46924614, -1.75437739, -0.17092884]]);
    expect(buildSubsystem(TRIMER, { real: [1], basis: [1, 2, 3] }, q).embedding_charges).toEqual(
      [],
    );
  });
});
