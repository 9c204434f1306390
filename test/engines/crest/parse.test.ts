import { describe, expect, it } from 'vitest';
import type { Atom } from '../../../src/chem/molecule.js';
import type { CalcSpec } from '../../../src/core/calc-spec.js';
import type { Outcome } from '../../../src/core/job-spec.js';
import { crestEngine } from '../../../src/engines/crest/index.js';
import { exited, spec } from '../real-fixtures.js';
import {
  BUTANOIC_ACID,
  METHYL_ACETATE,
  METHYL_ACETATE_INPUT,
  firstFrame,
  haveCrestFixtures,
  noCrestFixtures,
  readText,
} from './crest-fixtures.js';

function crestSpec(atoms: readonly Atom[], walltime_s = 600): CalcSpec {
  return spec({
    program: 'crest',
    task: 'conformers',
    molecule: { atoms, charge: 0, multiplicity: 1 },
    resources: { cores: 1, walltime_s },
  });
}

interface Conformer {
  geometry: Atom[];
  energy_hartree: number;
}

function conformersOf(outcome: Outcome): Conformer[] {
  if (!outcome.ok) throw new Error(`expected a result, got ${outcome.failure.message}`);
  return outcome.result.conformers as unknown as Conformer[];
}

function failureOf(outcome: Outcome): { class: string; message: string } {
  if (outcome.ok) throw new Error('expected a failure');
  return outcome.failure;
}

describe.skipIf(!haveCrestFixtures)(
  `crest parse on real CREST ensembles (${noCrestFixtures})`,
  () => {
    it('reads the 3 conformers of methyl acetate with their GFN2 energies', () => {
      const input = firstFrame(METHYL_ACETATE_INPUT);
      const s = crestSpec(input);
      const outcome = crestEngine.parse(
        exited(0, { files: { 'crest_conformers.xyz': readText(METHYL_ACETATE) } }),
        s,
      );
      const conformers = conformersOf(outcome);
      expect(outcome.ok && outcome.result.count).toBe(3);
      expect(outcome.ok && outcome.result.method).toBe('crest');
      expect(conformers.map((c) => c.geometry.length)).toEqual([11, 11, 11]);
      expect(conformers[0]?.energy_hartree).toBe(-17.61980176);
      expect(conformers[1]?.energy_hartree).toBe(-17.61970437);
      expect(conformers[0]?.geometry[0]).toEqual({
        element: 'C',
        x: 1.7608426008,
        y: 0.629403397,
        z: -0.0039131336,
      });
      const energies = conformers.map((c) => c.energy_hartree);
      expect([...energies].sort((a, b) => a - b)).toEqual(energies);
    });

    it('reads the 6 conformers of butanoic acid', () => {
      const input = firstFrame(BUTANOIC_ACID);
      const outcome = crestEngine.parse(
        exited(0, { files: { 'crest_conformers.xyz': readText(BUTANOIC_ACID) } }),
        crestSpec(input),
      );
      const conformers = conformersOf(outcome);
      expect(conformers).toHaveLength(6);
      expect(conformers.every((c) => c.geometry.length === 14)).toBe(true);
      expect(conformers.every((c) => c.energy_hartree < -20)).toBe(true);
    });

    it('refuses an ensemble whose atoms do not match the input as parse_error', () => {
      const outcome = crestEngine.parse(
        exited(0, { files: { 'crest_conformers.xyz': readText(BUTANOIC_ACID) } }),
        crestSpec(firstFrame(METHYL_ACETATE_INPUT)),
      );
      expect(failureOf(outcome).class).toBe('parse_error');
      expect(failureOf(outcome).message).toMatch(/11 input atoms/);
    });

    it('refuses reordered atoms as parse_error', () => {
      const input = [...firstFrame(METHYL_ACETATE_INPUT)].reverse();
      const outcome = crestEngine.parse(
        exited(0, { files: { 'crest_conformers.xyz': readText(METHYL_ACETATE) } }),
        crestSpec(input),
      );
      expect(failureOf(outcome).class).toBe('parse_error');
    });

    it('refuses a frame without an energy on its comment line as parse_error', () => {
      const text = readText(METHYL_ACETATE).replace('-17.61970437', 'no energy');
      const outcome = crestEngine.parse(
        exited(0, { files: { 'crest_conformers.xyz': text } }),
        crestSpec(firstFrame(METHYL_ACETATE_INPUT)),
      );
      expect(failureOf(outcome).message).toMatch(/conformer 2 has no energy/);
    });
  },
);

describe('crest parse without an ensemble', () => {
  const atoms: Atom[] = [
    { element: 'H', x: 0, y: 0, z: 0 },
    { element: 'H', x: 0, y: 0, z: 0.74 },
  ];

  it('reports a missing or empty ensemble as a crash with the last words of crest', () => {
    const missing = crestEngine.parse(
      exited(0, { stdout: 'something\n  no conformers found  \n' }),
      crestSpec(atoms),
    );
    expect(failureOf(missing)).toEqual({
      class: 'crash',
      message: 'crest wrote no crest_conformers.xyz: no conformers found',
    });
    const empty = crestEngine.parse(
      exited(0, { files: { 'crest_conformers.xyz': '\n' } }),
      crestSpec(atoms),
    );
    expect(failureOf(empty).class).toBe('crash');
  });

  it('reports a non-zero exit as a crash and keeps the version it printed', () => {
    const outcome = crestEngine.parse(
      exited(1, { stdout: ' Version 2.12, Thu\n', stderr: 'Segmentation fault\n' }),
      crestSpec(atoms),
    );
    expect(failureOf(outcome)).toEqual({
      class: 'crash',
      message: 'crest stopped (exit 1): Segmentation fault',
    });
    expect(outcome.programVersion).toBe('2.12');
  });

  it('reports a walltime stop as timeout', () => {
    const outcome = crestEngine.parse(
      { ...exited(0), exitCode: null, signal: 'SIGTERM', timedOut: true },
      crestSpec(atoms, 90),
    );
    expect(failureOf(outcome).class).toBe('timeout');
    expect(failureOf(outcome).message).toMatch(/90 s/);
  });

  it('reports an unreadable ensemble as parse_error', () => {
    const outcome = crestEngine.parse(
      exited(0, { files: { 'crest_conformers.xyz': '2\n-1.0\nH 0 0\n' } }),
      crestSpec(atoms),
    );
    expect(failureOf(outcome).class).toBe('parse_error');
  });
});
