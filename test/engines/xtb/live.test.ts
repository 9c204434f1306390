import { describe, expect, it } from 'vitest';
import type { Atom } from '../../../src/chem/molecule.js';
import { xtbEngine } from '../../../src/engines/xtb/index.js';
import { hasProgram, runJobDirectly } from '../../helpers/run-job-directly.js';
import { ethanolAtoms, exited, realFixture, spec } from '../real-fixtures.js';

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

  it.skipIf(!hasProgram('xtb'))(
    'runs seeded GFN-FF dynamics: one spec gives the same snapshots twice, another seed others',
    () => {
      const md = (seed: number) =>
        spec({
          program: 'xtb',
          task: 'md',
          method: 'GFN-FF',
          molecule: { atoms: ethanolAtoms(), charge: 0, multiplicity: 1 },
          options: { snapshots: 5, time_ps: 5, seed },
        });
      const run = (seed: number): unknown => {
        const outcome = xtbEngine.parse(runJobDirectly(xtbEngine.prepare(md(seed))), md(seed));
        expect(outcome.ok).toBe(true);
        return outcome.ok ? outcome.result.snapshots : undefined;
      };
      const first = run(1);
      expect(first).toHaveLength(5);
      expect(run(1)).toEqual(first);
      expect(run(2)).not.toEqual(first);
    },
  );

  it.skipIf(!hasProgram('xtb'))(
    'reproduces the recorded trajectory of ethanol: start velocities as when it was recorded',
    () => {
      const s = spec({
        program: 'xtb',
        task: 'md',
        method: 'GFN-FF',
        molecule: { atoms: ethanolAtoms(), charge: 0, multiplicity: 1 },
        options: { snapshots: 4, time_ps: 2 },
      });
      const outcome = xtbEngine.parse(runJobDirectly(xtbEngine.prepare(s)), s);
      const recorded = xtbEngine.parse(
        exited(0, {
          stdout: realFixture('xtb', 'ethanol_gfnff_md.stdout'),
          files: { 'xtb.trj': realFixture('xtb', 'ethanol_gfnff_md.trj') },
        }),
        s,
      );
      expect(outcome.ok && recorded.ok).toBe(true);
      if (!outcome.ok || !recorded.ok) return;
      // To 1e-8 Å and 1e-10 Eh, not to the last digit: recorded on an Intel machine, an AMD
      // EPYC one gives the same trajectory but for the 14th digit. Other start velocities move
      // the atoms by tenths of an Å within these 2 ps.
      const frames = (r: typeof outcome.result) =>
        r.snapshots as unknown as { energy_hartree: number; geometry: Atom[] }[];
      const [now, then] = [frames(outcome.result), frames(recorded.result)];
      expect(now).toHaveLength(then.length);
      now.forEach((frame, i) => {
        const old = then[i];
        expect(Math.abs(frame.energy_hartree - (old?.energy_hartree ?? NaN))).toBeLessThan(1e-10);
        expect(frame.geometry.map((a) => a.element)).toEqual(old?.geometry.map((a) => a.element));
        frame.geometry.forEach((a, k) => {
          const b = old?.geometry[k];
          const d = Math.hypot(a.x - (b?.x ?? NaN), a.y - (b?.y ?? NaN), a.z - (b?.z ?? NaN));
          expect(d).toBeLessThan(1e-8);
        });
      });
    },
  );
});
