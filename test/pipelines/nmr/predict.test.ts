import { describe, expect, it } from 'vitest';
import type { Atom } from '../../../src/chem/molecule.js';
import type { CalcSpec, JsonValue } from '../../../src/core/calc-spec.js';
import { campaignPaths } from '../../../src/core/campaign-layout.js';
import {
  predictShifts,
  spectrumSticks,
  type PredictOptions,
} from '../../../src/pipelines/nmr/predict.js';
import type { CalcResolution } from '../../../src/runtime/calc-request.js';

const WATER: Atom[] = [
  { element: 'O', x: 0, y: 0, z: 0.1173 },
  { element: 'H', x: 0, y: 0.7572, z: -0.4692 },
  { element: 'H', x: 0, y: -0.7572, z: -0.4692 },
];
const TMS: Atom[] = [
  { element: 'Si', x: 0, y: 0, z: 0 },
  ...[
    [1, 1, 1],
    [-1, -1, 1],
    [-1, 1, -1],
    [1, -1, -1],
  ].map(([x, y, z]) => ({
    element: 'C',
    x: (x ?? 0) * 1.08,
    y: (y ?? 0) * 1.08,
    z: (z ?? 0) * 1.08,
  })),
  ...Array.from({ length: 12 }, (_, i) => ({ element: 'H', x: 3 + i, y: 0, z: 0 })),
];

const ok = (result: Record<string, JsonValue>): CalcResolution => ({
  status: 'succeeded',
  key: 'k',
  cached: false,
  result,
  programVersion: null,
});

const shieldings = (atoms: readonly Atom[], sigma: (element: string, i: number) => number) =>
  atoms.map((a, i) => ({
    index: i + 1,
    element: a.element,
    isotropic_ppm: sigma(a.element, i),
    anisotropy_ppm: 0,
  }));

const LEVEL = {
  functional: 'B3LYP',
  basis: '6-31G*',
  nmr_basis: '6-311+G(2d,p)',
  solvent: 'chcl3',
};

/** predictShifts with DFT optimisation, one conformer and a TMS reference unless `changes` say else. */
function predict(
  label: string,
  atoms: readonly Atom[],
  request: (spec: CalcSpec) => Promise<CalcResolution>,
  changes: Partial<PredictOptions> = {},
) {
  return predictShifts(
    { label, atoms, charge: 0, multiplicity: 1 },
    {
      level: LEVEL,
      optimize: true,
      conformers: 1,
      reference: { kind: 'tms' },
      resources: { cores: 1, walltime_s: 60 },
      searchBudgetS: 60,
      ...changes,
    },
    request,
    campaignPaths('/nonexistent'),
  );
}

describe('predictShifts', () => {
  it('optimises in vacuum at the optimisation basis, computes shieldings at the shielding basis in the solvent, and takes shifts from TMS at the same level', async () => {
    const asked: CalcSpec[] = [];
    const request = (spec: CalcSpec): Promise<CalcResolution> => {
      asked.push(spec);
      const atoms = spec.molecule?.atoms ?? [];
      const tms = spec.label?.startsWith('TMS') === true;
      if (spec.program === 'obabel')
        return Promise.resolve(ok({ geometry: TMS as unknown as JsonValue }));
      if (spec.task === 'optimize') {
        return Promise.resolve(
          ok({ geometry: atoms as unknown as JsonValue, total_energy_hartree: -76.4 }),
        );
      }
      return Promise.resolve(
        ok({
          total_energy_hartree: -76.4,
          shieldings_ppm: shieldings(atoms, (e, i) =>
            tms ? (e === 'C' ? 183 : e === 'H' ? 31.8 : 400) : e === 'O' ? 320 : 30 + i * 0.1,
          ),
        }),
      );
    };
    const outcome = await predict('water', WATER, request);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const p = outcome.prediction;
    const molecule = asked.filter((s) => s.label?.startsWith('water') === true);
    expect(molecule.map((s) => [s.task, s.basis, s.options?.solvent ?? 'vacuum'])).toEqual([
      ['optimize', '6-31G*', 'vacuum'],
      ['nmr', '6-311+G(2d,p)', 'chcl3'],
    ]);
    expect(asked.filter((s) => s.label?.startsWith('TMS') === true).map((s) => s.task)).toEqual([
      'gen3d',
      'optimize',
      'nmr',
    ]);
    expect(p.reference.kind).toBe('tms');
    if (p.reference.kind === 'tms') {
      expect(p.reference.shielding_ppm['1H']).toBeCloseTo(31.8, 10);
      expect(p.reference.shielding_ppm['13C']).toBeCloseTo(183, 10);
    }
    expect(p.atoms.map((a) => [a.index, a.element, a.shielding_ppm])).toEqual([
      [1, 'O', 320],
      [2, 'H', 30.1],
      [3, 'H', 30.2],
    ]);
    expect(p.atoms[1]?.shift_ppm).toBeCloseTo(31.8 - 30.1, 10);
    expect(p.atoms[0]?.shift_ppm).toBeNull();
    // The two H are one group with the mean shift; one stick of height 2.
    expect(p.groups.map((g) => g.atoms)).toEqual([[1], [2, 3]]);
    expect(p.groups[1]?.shift_ppm).toBeCloseTo(31.8 - 30.15, 10);
    expect(spectrumSticks(p, '1H')).toEqual([
      { shift_ppm: p.groups[1]?.shift_ppm, intensity: 2, atoms: [2, 3] },
    ]);
    expect(p.conformers.map((c) => c.weight)).toEqual([1]);
  });

  it('drops a conformer whose bonds changed in the optimisation, and fails when none is left', async () => {
    const request = (): Promise<CalcResolution> => {
      // The optimisation pulls an H off the O.
      const moved = WATER.map((a, i) => (i === 1 ? { ...a, y: 3 } : a));
      return Promise.resolve(
        ok({ geometry: moved as unknown as JsonValue, total_energy_hartree: -76 }),
      );
    };
    const outcome = await predict('water', WATER, request);
    expect(outcome).toEqual({
      ok: false,
      interrupted: false,
      reason: 'every conformer changed its bonds in the DFT optimisation',
    });
  });

  it('drops a conformer whose optimisation failed, keeps the others and weights them by their DFT energies', async () => {
    // Three C–C–O frames (angles 95°, 120°, 145°; heavy-atom RMSD apart well above the search's
    // 0.125 Å) stand for a conformer search's result.
    const bent = (deg: number): Atom[] => {
      const a = deg * (Math.PI / 180);
      return [
        { element: 'C', x: 0, y: 0, z: 0 },
        { element: 'C', x: 1.52, y: 0, z: 0 },
        { element: 'O', x: 1.52 - 1.43 * Math.cos(a), y: 1.43 * Math.sin(a), z: 0 },
      ];
    };
    const found = [bent(95), bent(120), bent(145)];
    const hartreePerKcal = 1 / 627.509474;
    const asked: CalcSpec[] = [];
    const request = (spec: CalcSpec): Promise<CalcResolution> => {
      asked.push(spec);
      const atoms = spec.molecule?.atoms ?? [];
      const index = Number(/conformer (\d+)/.exec(spec.label ?? '')?.[1]);
      if (spec.program === 'obabel') {
        return Promise.resolve(
          ok({
            conformers: found.map((g) => ({ geometry: g as unknown as JsonValue })),
            count: found.length,
            algorithm: 'genetic',
          }),
        );
      }
      // GFN2-xTB keeps each geometry; energies order them as given.
      if (spec.program === 'xtb') {
        // By the C…O distance, whatever frame the search hands over.
        const d = (g: readonly Atom[]) =>
          Math.hypot(
            (g[2]?.x ?? 0) - (g[0]?.x ?? 0),
            (g[2]?.y ?? 0) - (g[0]?.y ?? 0),
            (g[2]?.z ?? 0) - (g[0]?.z ?? 0),
          );
        const i = found.findIndex((g) => Math.abs(d(g) - d(atoms)) < 1e-6);
        return Promise.resolve(
          ok({ geometry: atoms as unknown as JsonValue, total_energy_hartree: -5 + i * 1e-3 }),
        );
      }
      if (spec.task === 'optimize') {
        if (index === 2) {
          return Promise.resolve({
            status: 'failed',
            key: 'k',
            cached: false,
            failure: {
              class: 'opt_not_converged',
              message: 'no convergence in 100 steps',
              retryable: false,
            },
          } as CalcResolution);
        }
        return Promise.resolve(
          ok({
            geometry: atoms as unknown as JsonValue,
            total_energy_hartree: -76.4 + (index === 3 ? 0.5 * hartreePerKcal : 0),
          }),
        );
      }
      return Promise.resolve(
        ok({
          total_energy_hartree: -76.4,
          shieldings_ppm: shieldings(atoms, (e) => (e === 'O' ? 320 + index : 180 + index)),
        }),
      );
    };
    const outcome = await predict('cco', found[0] ?? [], request, {
      conformers: 3,
      reference: { kind: 'factors', factors: { '13C': { slope: -1, intercept: 190 } } as never },
    });
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const p = outcome.prediction;
    expect(p.notes).toContain(
      'conformer 2 dropped: cco conformer 2 optimize B3LYP/6-31G* failed: opt_not_converged: no convergence in 100 steps',
    );
    // The optimisation runs with a driver budget above NWChem's default of 20 steps.
    const opt = asked.find((s) => s.program === 'nwchem' && s.task === 'optimize');
    expect(opt?.keywords).toEqual(['driver; maxiter 100; end']);
    // Conformers 1 and 3 remain, 0.5 kcal/mol apart: weights 1/(1+e^(−0.5/RT)) and the rest.
    const rt = (8.314462618 * 298.15) / 4184;
    const w1 = 1 / (1 + Math.exp(-0.5 / rt));
    expect(p.conformers.map((c) => [c.index, c.kept])).toEqual([
      [1, true],
      [3, true],
    ]);
    expect(p.conformers[0]?.weight).toBeCloseTo(w1, 6);
    expect(p.conformers[1]?.relative_kcal_mol).toBeCloseTo(0.5, 6);
    // Shieldings are the weighted mean of conformers 1 (σC 181) and 3 (σC 183).
    const sigma = w1 * 181 + (1 - w1) * 183;
    expect(p.atoms[0]?.shielding_ppm).toBeCloseTo(sigma, 6);
    expect(p.atoms[0]?.shift_ppm).toBeCloseTo(190 - sigma, 6);
  });
});
