import { describe, expect, it } from 'vitest';
import type { Atom } from '../../../src/chem/molecule.js';
import type { CalcSpec, JsonValue } from '../../../src/core/calc-spec.js';
import { campaignPaths } from '../../../src/core/campaign-layout.js';
import { predictShifts, spectrumSticks } from '../../../src/pipelines/nmr/predict.js';
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
    const outcome = await predictShifts(
      { label: 'water', atoms: WATER, charge: 0, multiplicity: 1 },
      {
        level: LEVEL,
        optimize: true,
        conformers: 1,
        reference: { kind: 'tms' },
        resources: { cores: 1, walltime_s: 60 },
        searchBudgetS: 60,
      },
      request,
      campaignPaths('/nonexistent'),
    );
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
    const outcome = await predictShifts(
      { label: 'water', atoms: WATER, charge: 0, multiplicity: 1 },
      {
        level: LEVEL,
        optimize: true,
        conformers: 1,
        reference: { kind: 'tms' },
        resources: { cores: 1, walltime_s: 60 },
        searchBudgetS: 60,
      },
      request,
      campaignPaths('/nonexistent'),
    );
    expect(outcome).toEqual({
      ok: false,
      interrupted: false,
      reason: 'every conformer changed its bonds in the DFT optimisation',
    });
  });
});
