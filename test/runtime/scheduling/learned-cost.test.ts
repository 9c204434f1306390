import { describe, expect, it } from 'vitest';
import type { Atom } from '../../../src/chem/molecule.js';
import { heuristicCalcSeconds } from '../../../src/runtime/scheduling/cost-model.js';
import {
  CostModel,
  median,
  type CostedSpec,
} from '../../../src/runtime/scheduling/learned-cost.js';

/** A chain of `n` carbons (their places do not matter to the model). */
function carbons(n: number): Atom[] {
  return Array.from({ length: n }, (_, i) => ({ element: 'C', x: 1.5 * i, y: 0, z: 0 }));
}

function spec(n: number, extra: Partial<CostedSpec> = {}): CostedSpec {
  return {
    program: 'psi4',
    task: 'energy',
    method: 'hf',
    basis: 'def2-svp',
    molecule: { atoms: carbons(n), charge: 0, multiplicity: 1 },
    ...extra,
  };
}

describe('CostModel', () => {
  it('learns a power law in the size from timings and predicts between and beyond them', () => {
    // t = 2e-4 · electrons^2.5, electrons = 6 per carbon.
    const t = (n: number) => 2e-4 * (6 * n) ** 2.5;
    const model = CostModel.learn([1, 2, 4, 8].map((n) => ({ spec: spec(n), durationS: t(n) })));
    for (const n of [3, 6, 16]) {
      const p = model.predict(spec(n));
      expect(p.source).toBe('method');
      expect(p.seconds).toBeCloseTo(t(n), 6);
    }
  });

  it('fits against another size when asked: heavy atoms leave the hydrogens out', () => {
    // t = 0.5 · (heavy atoms)^2 over methyl chains C_nH_(2n+2): fitted against heavy atoms it is
    // exact; against electrons (which count the hydrogens too) it is not.
    const alkane = (n: number): CostedSpec =>
      spec(n, {
        molecule: {
          atoms: [
            ...carbons(n),
            ...Array.from({ length: 2 * n + 2 }, (_, i) => ({
              element: 'H',
              x: 0,
              y: 1.1 * i,
              z: 0,
            })),
          ],
          charge: 0,
          multiplicity: 1,
        },
      });
    const samples = [1, 2, 4, 8].map((n) => ({ spec: alkane(n), durationS: 0.5 * n ** 2 }));
    expect(CostModel.learn(samples, 'heavy_atoms').predict(alkane(16)).seconds).toBeCloseTo(128, 6);
    expect(CostModel.learn(samples).predict(alkane(16)).seconds).not.toBeCloseTo(128, 0);
  });

  it('falls back from method and basis to the task, to the program, then to the heuristic', () => {
    const model = CostModel.learn([
      { spec: spec(2), durationS: 10 },
      { spec: spec(2, { task: 'gradient' }), durationS: 30 },
    ]);
    expect(model.predict(spec(2)).source).toBe('method');
    expect(model.predict(spec(2, { method: 'b3lyp' }))).toMatchObject({ source: 'task' });
    expect(model.predict(spec(2, { method: 'b3lyp' })).seconds).toBeCloseTo(10, 9);
    expect(model.predict(spec(2, { task: 'hessian' }))).toMatchObject({ source: 'program' });
    expect(model.predict(spec(2, { program: 'xtb' }))).toEqual({
      source: 'heuristic',
      seconds: heuristicCalcSeconds('xtb', 12),
    });
  });

  it("with one size, scales by the heuristic's exponent for the program", () => {
    const model = CostModel.learn([
      { spec: spec(2), durationS: 8 },
      { spec: spec(2), durationS: 12 },
    ]);
    // psi4's heuristic exponent is 3: twice the electrons, eight times the (geometric mean) time.
    expect(model.predict(spec(4)).seconds).toBeCloseTo(Math.sqrt(8 * 12) * 8, 6);
  });

  it('gives a calc without a geometry the median of its group', () => {
    const command = (label: string): CostedSpec => ({
      program: 'command',
      task: 'run',
      method: label,
    });
    const model = CostModel.learn([3, 5, 100].map((s) => ({ spec: command('x'), durationS: s })));
    expect(model.predict(command('x'))).toEqual({ source: 'method', seconds: 5 });
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});
