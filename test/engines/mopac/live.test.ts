import { describe, expect, it } from 'vitest';
import type { Atom } from '../../../src/chem/molecule.js';
import { mopacEngine } from '../../../src/engines/mopac/index.js';
import { hasProgram, runJobDirectly } from '../../helpers/run-job-directly.js';
import { ethanolAtoms, spec } from '../real-fixtures.js';

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
