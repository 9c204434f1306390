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
});
