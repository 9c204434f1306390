import { describe, expect, it } from 'vitest';
import type { Atom } from '../../../src/chem/molecule.js';
import { xtbEngine } from '../../../src/engines/xtb/index.js';
import { hasProgram, runJobDirectly } from '../../helpers/run-job-directly.js';
import { ethanolAtoms, spec } from '../real-fixtures.js';

describe('xtb, live', () => {
  it.skipIf(!hasProgram('xtb'))('optimises ethanol with GFN2 to about -11.3943 Eh', () => {
    const s = spec({
      program: 'xtb',
      task: 'optimize',
      molecule: { atoms: ethanolAtoms(), charge: 0, multiplicity: 1 },
    });
    const outcome = xtbEngine.parse(runJobDirectly(xtbEngine.prepare(s)), s);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.result.total_energy_hartree).toBeCloseTo(-11.3943, 3);
    expect(outcome.result.geometry as unknown as Atom[]).toHaveLength(9);
    expect(outcome.programVersion).toMatch(/^\d+\.\d+/);
  });

  it.skipIf(!hasProgram('xtb'))('computes a single point of ethanol', () => {
    const s = spec({
      program: 'xtb',
      task: 'energy',
      molecule: { atoms: ethanolAtoms(), charge: 0, multiplicity: 1 },
    });
    const outcome = xtbEngine.parse(runJobDirectly(xtbEngine.prepare(s)), s);
    expect(outcome.ok && outcome.result.total_energy_hartree).toBeCloseTo(-11.3934, 3);
  });
});
