import { describe, expect, it } from 'vitest';
import type { Atom } from '../../../src/chem/molecule.js';
import { mopacEngine } from '../../../src/engines/mopac/index.js';
import { hasProgram, runJobDirectly } from '../../helpers/run-job-directly.js';
import { ethanolAtoms, realFixture, spec } from '../real-fixtures.js';

/** The atoms of a fixture input.mop retort wrote (`El x f y f z f` from its fourth line). */
function fixtureAtoms(name: string): Atom[] {
  return realFixture('mopac', `${name}.mop`)
    .split('\n')
    .slice(3)
    .filter((line) => line.trim() !== '')
    .map((line): Atom => {
      const [element = '', x = '', , y = '', , z = ''] = line.trim().split(/\s+/);
      return { element, x: Number(x), y: Number(y), z: Number(z) };
    });
}

describe('MOPAC, live', () => {
  it.skipIf(!hasProgram('mopac'))('optimises ethanol with PM7 to about -57.83 kcal/mol', () => {
    const s = spec({
      program: 'mopac',
      task: 'optimize',
      molecule: { atoms: ethanolAtoms(), charge: 0, multiplicity: 1 },
    });
    const outcome = mopacEngine.parse(runJobDirectly(mopacEngine.prepare(s)), s);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.result.heat_of_formation_kcal_mol).toBeCloseTo(-57.83, 0);
    expect(Math.abs(Number(outcome.result.heat_of_formation_kcal_mol) + 57.83)).toBeLessThan(0.3);
    expect(outcome.result.geometry as unknown as Atom[]).toHaveLength(9);
    expect(outcome.programVersion).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it.skipIf(!hasProgram('mopac'))('optimises triplet O2 to -9.17 kcal/mol with UHF', () => {
    const s = spec({
      program: 'mopac',
      task: 'optimize',
      molecule: { atoms: fixtureAtoms('o2_triplet_uhf'), charge: 0, multiplicity: 3 },
    });
    const outcome = mopacEngine.parse(runJobDirectly(mopacEngine.prepare(s)), s);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(Math.abs(Number(outcome.result.heat_of_formation_kcal_mol) + 9.17)).toBeLessThan(0.05);
  });

  it.skipIf(!hasProgram('mopac'))('optimises triplet methylene', () => {
    const s = spec({
      program: 'mopac',
      task: 'optimize',
      molecule: { atoms: fixtureAtoms('ch2_triplet_uhf'), charge: 0, multiplicity: 3 },
    });
    const outcome = mopacEngine.parse(runJobDirectly(mopacEngine.prepare(s)), s);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.result.heat_of_formation_kcal_mol).toBeCloseTo(78.82, 1);
  });

  it.skipIf(!hasProgram('mopac'))(
    'gives a doublet the heat of formation MOPAC gives it without UHF (its own default)',
    () => {
      const s = spec({
        program: 'mopac',
        task: 'optimize',
        molecule: { atoms: fixtureAtoms('ch3_doublet_uhf'), charge: 0, multiplicity: 2 },
      });
      const job = mopacEngine.prepare(s);
      const withUhf = mopacEngine.parse(runJobDirectly(job), s);
      const input = job.files['input.mop'] ?? '';
      expect(input.split('\n')[0]).toContain(' UHF ');
      const plain = { ...job, files: { 'input.mop': input.replace(' UHF ', ' ') } };
      const without = mopacEngine.parse(runJobDirectly(plain), s);
      expect(withUhf.ok && without.ok).toBe(true);
      if (!withUhf.ok || !without.ok) return;
      expect(withUhf.result.heat_of_formation_kcal_mol).toBe(
        without.result.heat_of_formation_kcal_mol,
      );
      expect(withUhf.result.heat_of_formation_kcal_mol).toBeCloseTo(27.97, 1);
    },
  );

  it.skipIf(!hasProgram('mopac'))('runs a planar methyl radical as a doublet', () => {
    const atoms: Atom[] = [
      { element: 'C', x: 0, y: 0, z: 0 },
      { element: 'H', x: 1.08, y: 0, z: 0 },
      { element: 'H', x: -0.54, y: 0.935307, z: 0 },
      { element: 'H', x: -0.54, y: -0.935307, z: 0 },
    ];
    const s = spec({
      program: 'mopac',
      task: 'energy',
      molecule: { atoms, charge: 0, multiplicity: 2 },
    });
    const job = mopacEngine.prepare(s);
    expect(job.files['input.mop']).toContain('DOUBLET');
    const outcome = mopacEngine.parse(runJobDirectly(job), s);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.result.multiplicity).toBe(2);
    expect(typeof outcome.result.heat_of_formation_kcal_mol).toBe('number');
  });
});
