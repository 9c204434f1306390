import { describe, expect, it } from 'vitest';
import { calcKey, keyedSpec } from '../../src/core/calc-key.js';
import type { CalcSpec } from '../../src/core/calc-spec.js';

const spec: CalcSpec = {
  program: 'mopac',
  task: 'optimize',
  method: 'PM7',
  molecule: {
    atoms: [
      { element: 'O', x: 0, y: 0, z: 0.1173 },
      { element: 'H', x: 0, y: 0.7572, z: -0.4692 },
      { element: 'H', x: 0, y: -0.7572, z: -0.4692 },
    ],
    charge: 0,
    multiplicity: 1,
  },
  resources: { cores: 1, walltime_s: 60 },
};

describe('calcKey', () => {
  it('is a sha256 hex digest', () => {
    expect(calcKey(spec, '1')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not depend on resources or label', () => {
    const other: CalcSpec = { ...spec, resources: { cores: 8, walltime_s: 9999 }, label: 'water' };
    expect(calcKey(other, '1')).toBe(calcKey(spec, '1'));
  });

  it('changes with the adapter version, the method, the charge and the multiplicity', () => {
    const base = calcKey(spec, '1');
    expect(calcKey(spec, '2')).not.toBe(base);
    expect(calcKey({ ...spec, method: 'PM6' }, '1')).not.toBe(base);
    const mol = spec.molecule;
    if (mol === undefined) throw new Error('no molecule');
    expect(calcKey({ ...spec, molecule: { ...mol, charge: 1, multiplicity: 2 } }, '1')).not.toBe(
      base,
    );
    expect(calcKey({ ...spec, molecule: { ...mol, multiplicity: 3 } }, '1')).not.toBe(base);
  });

  it('treats coordinates equal to 1e-6 Å as the same geometry, and larger moves as another', () => {
    const mol = spec.molecule;
    const atoms = mol?.atoms;
    if (mol === undefined || atoms === undefined) throw new Error('no atoms');
    const shift = (d: number): CalcSpec => ({
      ...spec,
      molecule: { ...mol, atoms: atoms.map((a) => ({ ...a, x: a.x + d })) },
    });
    expect(calcKey(shift(1e-9), '1')).toBe(calcKey(spec, '1'));
    expect(calcKey(shift(1e-4), '1')).not.toBe(calcKey(spec, '1'));
  });

  it('tells a ghost atom from a real one', () => {
    const mol = spec.molecule;
    const atoms = mol?.atoms;
    if (mol === undefined || atoms === undefined) throw new Error('no atoms');
    const ghosted: CalcSpec = {
      ...spec,
      molecule: { ...mol, atoms: atoms.map((a, i) => (i === 0 ? { ...a, ghost: true } : a)) },
    };
    expect(calcKey(ghosted, '1')).not.toBe(calcKey(spec, '1'));
  });

  it('keeps everything that decides the result in the keyed spec', () => {
    const keyed = keyedSpec({ ...spec, keywords: ['PRECISE'], label: 'x' });
    expect(keyed).toMatchObject({
      program: 'mopac',
      task: 'optimize',
      method: 'PM7',
      keywords: ['PRECISE'],
    });
    expect(keyed).not.toHaveProperty('resources');
    expect(keyed).not.toHaveProperty('label');
  });

  it('gives a molecule spec the key it had before specs could carry a crystal structure', () => {
    expect(calcKey(spec, '1')).toBe(
      '4b41659b9c6fa0bf276f3c92f319af8a870bfb7f26a3d093ec1c09727b9205d9',
    );
    expect(keyedSpec(spec)).not.toHaveProperty('structure');
  });

  it('keys a crystal structure with its cell to 1e-6 Å and fractional positions to 1e-8', () => {
    const crystal = (da: number, df: number): CalcSpec => ({
      program: 'qe',
      task: 'scf',
      structure: {
        lattice_angstrom: [
          [0, 2.715 + da, 2.715],
          [2.715, 0, 2.715],
          [2.715, 2.715, 0],
        ],
        sites: [
          { element: 'Si', fractional: [0, 0, 0] },
          { element: 'Si', fractional: [0.25 + df, 0.25, 0.25] },
        ],
      },
      resources: { cores: 1, walltime_s: 60 },
    });
    const base = calcKey(crystal(0, 0), '1');
    expect(calcKey(crystal(1e-9, 1e-11), '1')).toBe(base);
    expect(calcKey(crystal(1e-4, 0), '1')).not.toBe(base);
    expect(calcKey(crystal(0, 1e-6), '1')).not.toBe(base);
    expect(keyedSpec(crystal(1e-9, 1e-11)).structure?.sites[1]?.fractional).toEqual([
      0.25, 0.25, 0.25,
    ]);
  });
});
