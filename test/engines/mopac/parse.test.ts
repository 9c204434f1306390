import { describe, expect, it } from 'vitest';
import type { Atom } from '../../../src/chem/molecule.js';
import type { CalcSpec } from '../../../src/core/calc-spec.js';
import type { Outcome } from '../../../src/core/job-spec.js';
import { parseMopac } from '../../../src/engines/mopac/parse.js';
import { ethanolAtoms, exited, realFixture, spec } from '../real-fixtures.js';

const ethanol = ethanolAtoms();
const energySpec = spec({
  program: 'mopac',
  task: 'energy',
  molecule: { atoms: ethanol, charge: 0, multiplicity: 1 },
});
const optSpec = { ...energySpec, task: 'optimize' };

function parseFixture(name: string, withArc = false, task = optSpec): Outcome {
  const files: Record<string, string> = { 'input.out': realFixture('mopac', `${name}.out`) };
  if (withArc) files['input.arc'] = realFixture('mopac', `${name}.arc`);
  return parseMopac(exited(0, { files }), task);
}

/** The spec of a fixture whose input.mop retort wrote: its atoms, charge 0, `multiplicity`. */
function openShell(name: string, multiplicity: number): CalcSpec {
  const atoms = realFixture('mopac', `${name}.mop`)
    .split('\n')
    .slice(3)
    .filter((line) => line.trim() !== '')
    .map((line): Atom => {
      const [element = '', x = '', , y = '', , z = ''] = line.trim().split(/\s+/);
      return { element, x: Number(x), y: Number(y), z: Number(z) };
    });
  return spec({ program: 'mopac', task: 'optimize', molecule: { atoms, charge: 0, multiplicity } });
}

function failureClass(outcome: Outcome): string | undefined {
  return outcome.ok ? undefined : outcome.failure.class;
}

describe('parseMopac on real MOPAC 22.0.6 outputs', () => {
  it('reads the single-point heat of formation of ethanol and keeps the input geometry', () => {
    const outcome = parseFixture('ethanol_sp', false, energySpec);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.result.heat_of_formation_kcal_mol).toBe(-56.74868);
    expect(outcome.result.ionization_potential_ev).toBe(10.68312);
    expect(outcome.result.gradient_norm_kcal_mol_angstrom).toBeUndefined();
    expect(outcome.result.method).toBe('PM7');
    expect(outcome.programVersion).toBe('22.0.6');
    const geometry = outcome.result.geometry as unknown as Atom[];
    expect(geometry).toHaveLength(9);
    expect(geometry[2]).toEqual({ element: 'O', x: 3.02444, y: 1.33873, z: -0.32084 });
  });

  it('reads the optimised heat of formation, gradient norm and final geometry of ethanol', () => {
    const outcome = parseFixture('ethanol_opt', true);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.result.heat_of_formation_kcal_mol).toBe(-57.83083);
    expect(outcome.result.gradient_norm_kcal_mol_angstrom).toBe(0.88122);
    expect(outcome.result.charge).toBe(0);
    expect(outcome.result.multiplicity).toBe(1);
    const geometry = outcome.result.geometry as unknown as Atom[];
    expect(geometry.map((a) => a.element)).toEqual(ethanol.map((a) => a.element));
    expect(geometry[0]).toEqual({ element: 'C', x: 1.014216278, y: 0.052254338, z: 0.0722691 });
  });

  it('falls back to the archive geometry when the output has no final coordinates block', () => {
    const out = realFixture('mopac', 'ethanol_opt.out').replace(
      /CARTESIAN COORDINATES/g,
      'COORDINATES GONE',
    );
    const outcome = parseMopac(
      exited(0, {
        files: { 'input.out': out, 'input.arc': realFixture('mopac', 'ethanol_opt.arc') },
      }),
      optSpec,
    );
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect((outcome.result.geometry as unknown as Atom[])[8]).toEqual({
      element: 'H',
      x: 2.68374156,
      y: 1.60197997,
      z: -1.1768219,
    });
  });

  it('classifies a failed SCF as scf_not_converged', () => {
    const outcome = parseFixture('fail_scf');
    expect(failureClass(outcome)).toBe('scf_not_converged');
    expect(outcome.programVersion).toBe('22.0.6');
  });

  it('classifies overlapping atoms as geometry_error and names the atoms', () => {
    const outcome = parseFixture('fail_geom');
    expect(failureClass(outcome)).toBe('geometry_error');
    expect(outcome.ok ? '' : outcome.failure.message).toMatch(/2 AND +1/);
  });

  it('classifies a file without real atoms as geometry_error', () => {
    expect(failureClass(parseFixture('fail_garbage'))).toBe('geometry_error');
  });

  it('classifies an unknown keyword as input_error quoting the keyword', () => {
    const outcome = parseFixture('fail_kw');
    expect(failureClass(outcome)).toBe('input_error');
    expect(outcome.ok ? '' : outcome.failure.message).toContain('FOOBAR');
  });

  it('classifies a triplet with an odd electron count as spin_charge', () => {
    expect(failureClass(parseFixture('fail_spin'))).toBe('spin_charge');
  });

  it('classifies a doublet with an even electron count as spin_charge', () => {
    expect(failureClass(parseFixture('fail_doublet_even'))).toBe('spin_charge');
  });

  it('classifies a triplet run without UHF (spin component not spanned) as spin_charge', () => {
    const outcome = parseMopac(
      exited(0, { files: { 'input.out': realFixture('mopac', 'fail_triplet_no_uhf.out') } }),
      openShell('fail_triplet_no_uhf', 3),
    );
    expect(failureClass(outcome)).toBe('spin_charge');
    expect(outcome.ok ? '' : outcome.failure.message).toMatch(/UHF/);
  });

  it.each([
    ['o2_triplet_uhf', 3, -9.17154, 2],
    ['ch2_triplet_uhf', 3, 78.82035, 3],
    ['ch3_doublet_uhf', 2, 27.97128, 4],
  ])('reads the UHF heat of formation of %s', (name, multiplicity, hof, natoms) => {
    const outcome = parseMopac(
      exited(0, { files: { 'input.out': realFixture('mopac', `${name}.out`) } }),
      openShell(name, multiplicity),
    );
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.result.heat_of_formation_kcal_mol).toBe(hof);
    expect(outcome.result.multiplicity).toBe(multiplicity);
    expect(outcome.result.geometry as unknown as Atom[]).toHaveLength(natoms);
  });

  it('keeps an optimisation whose final geometry is bonded as its input (the phenol radical)', () => {
    const s = openShell('rad2_pm7_opt', 2);
    const outcome = parseMopac(
      exited(0, { files: { 'input.out': realFixture('mopac', 'rad2_pm7_opt.out') } }),
      s,
    );
    expect(outcome.ok).toBe(true);
    if (outcome.ok) expect(outcome.result.heat_of_formation_kcal_mol).toBe(-23.46076);
  });

  it('fails as topology_changed, naming the H, when the final geometry is bonded otherwise than the input', () => {
    const s = openShell('rad2_pm7_opt', 2);
    const atoms = s.molecule?.atoms ?? [];
    const o1 = atoms[0];
    if (o1 === undefined) throw new Error('no atoms');
    // The input as if the phenol H16 had sat on the alkoxy O1 (moved by hand, 0.97 Å above it).
    const moved = atoms.map((a, i) => (i === 15 ? { ...a, x: o1.x, y: o1.y, z: o1.z + 0.97 } : a));
    const outcome = parseMopac(
      exited(0, { files: { 'input.out': realFixture('mopac', 'rad2_pm7_opt.out') } }),
      { ...s, molecule: { atoms: moved, charge: 0, multiplicity: 2 } },
    );
    expect(failureClass(outcome)).toBe('topology_changed');
    expect(outcome.ok ? '' : outcome.failure.message).toMatch(/H16 moved from O1 to O9/);
  });

  it('classifies running out of optimisation cycles as opt_not_converged', () => {
    expect(failureClass(parseFixture('fail_cycles'))).toBe('opt_not_converged');
  });

  it('reports a crash when MOPAC wrote no output file', () => {
    const outcome = parseMopac(exited(0, { stderr: 'Segmentation fault\n' }), optSpec);
    expect(failureClass(outcome)).toBe('crash');
    expect(outcome.ok ? '' : outcome.failure.message).toContain('Segmentation fault');
  });

  it('reports a crash, never a result, when the output stops before FINAL HEAT OF FORMATION', () => {
    const full = realFixture('mopac', 'ethanol_opt.out');
    const truncated = full.slice(0, full.indexOf('FINAL HEAT'));
    const outcome = parseMopac(exited(0, { files: { 'input.out': truncated } }), optSpec);
    expect(failureClass(outcome)).toBe('crash');
    expect(outcome.ok ? '' : outcome.failure.message).toContain('no JOB ENDED NORMALLY');
  });

  it('refuses a result whose geometry does not match the input atoms', () => {
    const wrongSpec = {
      ...optSpec,
      molecule: { atoms: ethanol.slice(0, 8), charge: 0, multiplicity: 2 },
    };
    const outcome = parseMopac(
      exited(0, { files: { 'input.out': realFixture('mopac', 'ethanol_opt.out') } }),
      wrongSpec,
    );
    expect(failureClass(outcome)).toBe('parse_error');
  });

  it('reports a missing mopac as program_missing before reading any output', () => {
    const outcome = parseMopac(exited(127, { stderr: 'sh: 1: mopac: not found\n' }), optSpec);
    expect(failureClass(outcome)).toBe('program_missing');
  });
});
