import { describe, expect, it } from 'vitest';
import type { Atom } from '../../../src/chem/molecule.js';
import { parseXyz } from '../../../src/chem/xyz.js';
import type { CalcSpec } from '../../../src/core/calc-spec.js';
import type { Outcome } from '../../../src/core/job-spec.js';
import { obabelEngine } from '../../../src/engines/obabel/index.js';
import { parseObabel } from '../../../src/engines/obabel/parse.js';
import { exited, realFixture, spec } from '../real-fixtures.js';

const octane = parseXyz(realFixture('openbabel', 'octane.xyz'))[0]?.atoms ?? [];

function gen3d(smiles: string, multiplicity = 1, charge = 0): CalcSpec {
  return spec({ program: 'obabel', task: 'gen3d', molecule: { smiles, charge, multiplicity } });
}

function conformers(algorithm: string): CalcSpec {
  return spec({
    program: 'obabel',
    task: 'conformers',
    molecule: { atoms: octane, charge: 0, multiplicity: 1 },
    options: { algorithm },
  });
}

function failure(outcome: Outcome): { class: string; message: string } {
  if (outcome.ok) throw new Error('expected a failure');
  return outcome.failure;
}

describe('parseObabel on real Open Babel 3.1.1 outputs', () => {
  it('reads a gen3d geometry with its atom count', () => {
    const outputs = exited(0, {
      stderr: '1 molecule converted\n',
      files: { 'output.xyz': realFixture('openbabel', 'ethanol.xyz') },
    });
    const outcome = parseObabel(outputs, gen3d('CCO'));
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.result.atom_count).toBe(9);
    expect((outcome.result.geometry as unknown as Atom[])[2]).toEqual({
      element: 'O',
      x: 3.02444,
      y: 1.33873,
      z: -0.32084,
    });
  });

  it('refuses a closed-shell structure declared as a doublet, so no radical is silently a singlet', () => {
    const outputs = exited(0, { files: { 'output.xyz': realFixture('openbabel', 'ethanol.xyz') } });
    const f = failure(parseObabel(outputs, gen3d('CCO', 2)));
    expect(f.class).toBe('spin_charge');
    expect(f.message).toContain('multiplicity 2');
  });

  it('reports unreadable SMILES as input_error quoting Open Babel', () => {
    const stderr =
      '==============================\n*** Open Babel Warning  in ParseSmiles\n  Invalid SMILES string: 1 unmatched ring bonds.\n\n0 molecules converted\n';
    const f = failure(
      parseObabel(exited(0, { stderr, files: { 'output.xyz': '' } }), gen3d('C1CC(')),
    );
    expect(f.class).toBe('input_error');
    expect(f.message).toBe(
      'Open Babel could not read SMILES C1CC(: Invalid SMILES string: 1 unmatched ring bonds.',
    );
  });

  it('refuses the collapsed geometry that gen3d fast writes in Open Babel 3.1.1', () => {
    const outputs = exited(0, {
      files: { 'output.xyz': realFixture('openbabel', 'ethanol_gen3d_fast_bug.xyz') },
    });
    expect(failure(parseObabel(outputs, gen3d('CCO'))).class).toBe('geometry_error');
  });

  it('reads all ten frames of a genetic conformer search', () => {
    const outputs = exited(0, {
      files: { 'conformers.xyz': realFixture('openbabel', 'octane_conf10.xyz') },
    });
    const outcome = parseObabel(outputs, conformers('genetic'));
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.result.count).toBe(10);
    const list = outcome.result.conformers as unknown as { geometry: Atom[] }[];
    expect(list).toHaveLength(10);
    expect(list.every((c) => c.geometry.length === 26)).toBe(true);
  });

  it('reads all 52 Confab conformers although Open Babel prints 0 molecules converted', () => {
    const outputs = exited(0, {
      stderr: '..generated 52 conformers\n\n0 molecules converted\n',
      files: { 'conformers.xyz': realFixture('openbabel', 'octane_confab.xyz') },
    });
    const outcome = parseObabel(outputs, conformers('confab'));
    expect(outcome.ok && outcome.result.count).toBe(52);
  });

  it('reports a conformer search that wrote nothing as a crash', () => {
    expect(failure(parseObabel(exited(0, { stderr: 'boom\n' }), conformers('genetic'))).class).toBe(
      'crash',
    );
  });

  it('reads the version from obabel -V', () => {
    expect(
      obabelEngine.versionProbe?.parse('Open Babel 3.1.1 -- Jan  4 2023 -- 09:58:24\n', ''),
    ).toBe('3.1.1');
  });

  it('refuses output made without libfaketime, which the clock seeded rather than the seed', () => {
    const outputs = exited(0, {
      stderr:
        "ERROR: ld.so: object '/usr/$LIB/faketime/libfaketime.so.1' from LD_PRELOAD cannot be preloaded (cannot open shared object file): ignored.\n1 molecule converted\n",
      files: { 'output.xyz': realFixture('openbabel', 'ethanol.xyz') },
    });
    const f = failure(parseObabel(outputs, gen3d('CCO')));
    expect(f.class).toBe('program_missing');
    expect(f.message).toMatch(/libfaketime is not installed/);
  });
});
