import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { CalcSpec } from '../../../src/core/calc-spec.js';
import { InputError } from '../../../src/core/errors.js';
import { readCalcListFile, runCalcList } from '../../../src/pipelines/calc-list/calc-list.js';

const dir = mkdtempSync(join(tmpdir(), 'retort-calc-list-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
const defaults = { cores: 1, walltime_s: 60 };
let n = 0;

/** Writes the lines as a calc list and reads it back, checked. */
function check(...lines: object[]) {
  const file = join(dir, `list-${++n}.jsonl`);
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n'));
  return readCalcListFile(file, defaults);
}

const ethanol = { program: 'mopac', method: 'PM7', smiles: 'CCO' };

describe('checking a calc list whole before anything runs', () => {
  it('accepts good lines of every kind of start geometry', async () => {
    const list = await check(
      ethanol,
      {
        program: 'xtb',
        atoms: [
          ['H', 0, 0, 0],
          ['H', 0.74, 0, 0],
        ],
      },
      { program: 'obabel', smiles: '[NH4+]' },
      { program: 'mopac', smiles: '[CH3]', multiplicity: 2 },
      { program: 'command', argv: ['true'] },
    );
    expect(list.lines).toHaveLength(5);
  });

  it('refuses a radical SMILES stated as a singlet, naming the line and the hint', async () => {
    await expect(
      check(ethanol, { program: 'mopac', smiles: '[CH3]', multiplicity: 1 }),
    ).rejects.toThrow(
      /list-\d+\.jsonl:2: multiplicity: 9 electrons \(charge 0\) cannot have multiplicity 1.*check the multiplicity against the SMILES/,
    );
    await expect(check({ program: 'obabel', smiles: 'C', charge: 1 })).rejects.toThrow(
      /:1: multiplicity: 9 electrons \(charge 1\).*state the multiplicity/,
    );
  });

  it('refuses more unpaired electrons than the SMILES holds: septet O2', async () => {
    await expect(check({ program: 'mopac', smiles: '[O][O]', multiplicity: 7 })).rejects.toThrow(
      /:1: multiplicity: multiplicity 7 needs 6 unpaired electrons, but the valence shells of these atoms hold at most 4/,
    );
  });

  it('takes the multiplicity of a SMILES without one from its unpaired electrons', async () => {
    const list = await check(
      { program: 'mopac', smiles: '[O][O]' },
      { program: 'mopac', smiles: '[CH3]' },
      { program: 'mopac', smiles: 'CCO' },
    );
    expect(list.lines.map((l) => l.radicalElectrons)).toEqual([2, 1, 0]);
    // The geometry step is the first calc each line asks for; it carries the multiplicity.
    const requested: CalcSpec[] = [];
    const results = await runCalcList(list, (spec) => {
      requested.push(spec);
      return Promise.resolve({ status: 'not_run', key: 'k', reason: 'not run in this test' });
    });
    expect(results.map((r) => r.status)).toEqual(['not_run', 'not_run', 'not_run']);
    expect(requested.map((s) => [s.molecule?.smiles, s.molecule?.multiplicity])).toEqual([
      ['[O][O]', 3],
      ['[CH3]', 2],
      ['CCO', 1],
    ]);
  });

  it('has the engine check a SMILES line before its geometry exists', async () => {
    await expect(check(ethanol, { ...ethanol, options: { no_such_option: 1 } })).rejects.toThrow(
      /list-\d+\.jsonl:2: options\.no_such_option/,
    );
  });

  it('refuses an unknown program, a missing xyz file and a field of another program', async () => {
    await expect(check(ethanol, { program: 'gaussian99', smiles: 'C' })).rejects.toThrow(
      /:2: program: unknown program "gaussian99"; known: mopac, xtb, obabel, command, crest, psi4, nwchem/,
    );
    await expect(check({ program: 'xtb', xyz: 'nowhere.xyz' })).rejects.toThrow(
      /:1: xyz: cannot read/,
    );
    await expect(check({ program: 'xtb', smiles: 'C', argv: ['x'] })).rejects.toThrow(
      /:1: argv: only the "command" program takes argv/,
    );
  });

  it('reads every field of a line through the field reader, naming line and field', async () => {
    await expect(check(ethanol, { ...ethanol, cores: 0 })).rejects.toThrow(
      /:2: cores: expected a whole number ≥ 1, found 0/,
    );
    await expect(check({ ...ethanol, smile: 'C' })).rejects.toThrow(
      /:1: smile: unknown field \(did you mean "smiles"\?\)/,
    );
    await expect(check({ ...ethanol, xyz: 'a.xyz' })).rejects.toThrow(
      /:1: xyz: give one of smiles, xyz, atoms or structure, not several/,
    );
    await expect(check({ method: 'PM7' })).rejects.toThrow(/:1: program: required/);
  });

  it('runs nothing when it refuses: no calc is requested', async () => {
    const requested: CalcSpec[] = [];
    const error = await check(ethanol, { program: 'mopac', smiles: '[CH3]', multiplicity: 1 }).then(
      (list) => runCalcList(list, (spec) => (requested.push(spec), Promise.reject(new Error()))),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect(requested).toEqual([]);
  });
});

const SI_CIF = fileURLToPath(new URL('../../fixtures/cif/si.cif', import.meta.url));
const H = 5.43 / 2;
const silicon = {
  cell: [
    [0, H, H],
    [H, 0, H],
    [H, H, 0],
  ],
  sites: [
    { element: 'Si', fractional: [0, 0, 0] },
    { element: 'si', fractional: [0.25, 0.25, 0.25] },
  ],
};
const qeScf = { program: 'qe', task: 'scf', options: { ecutwfc: 12 } };

/** The specs a checked list would request, without running anything. */
async function specsOf(...lines: object[]): Promise<CalcSpec[]> {
  const requested: CalcSpec[] = [];
  const list = await check(...lines);
  await runCalcList(list, (spec) => {
    requested.push(spec);
    return Promise.resolve({
      status: 'not_run' as const,
      key: 'k',
      reason: 'not run in this test',
    });
  });
  return requested;
}

describe('a crystal structure on a calc-list line', () => {
  it('takes an inline cell and sites as the spec structure, element spelling normalised', async () => {
    const [spec] = await specsOf({ ...qeScf, structure: silicon });
    expect(spec?.structure).toEqual({
      lattice_angstrom: silicon.cell,
      sites: [
        { element: 'Si', fractional: [0, 0, 0] },
        { element: 'Si', fractional: [0.25, 0.25, 0.25] },
      ],
    });
    expect(spec?.molecule).toBeUndefined();
    expect(spec?.options).toEqual({ ecutwfc: 12 });
  });

  it('reads a CIF path relative to the list directory', async () => {
    writeFileSync(join(dir, 'si.cif'), readFileSync(SI_CIF, 'utf8'));
    const [spec] = await specsOf({ ...qeScf, structure: 'si.cif' });
    expect(spec?.structure?.sites).toHaveLength(8);
    expect(spec?.structure?.lattice_angstrom[0]).toEqual([5.431, 0, 0]);
  });

  it('names the CIF, its line and the list line of a broken CIF', async () => {
    writeFileSync(join(dir, 'broken.cif'), 'data_x\n_cell_length_a 5.4\n_cell_length_b abc\n');
    await expect(check(ethanol, { ...qeScf, structure: 'broken.cif' })).rejects.toThrow(
      /:2: structure: .*broken\.cif:3: expected a number, got "abc"/,
    );
    await expect(check({ ...qeScf, structure: 'missing.cif' })).rejects.toThrow(
      /:1: structure: cannot read .*missing\.cif/,
    );
  });

  it('refuses a malformed inline structure naming the line and the field path', async () => {
    const bad = (structure: object) => check(ethanol, { ...qeScf, structure });
    await expect(
      bad({
        ...silicon,
        cell: [
          [0, H, H],
          [H, 0, H],
        ],
      }),
    ).rejects.toThrow(/:2: structure\.cell: expected \[\[ax, ay, az\]/);
    await expect(
      bad({
        ...silicon,
        cell: [
          [0, H, H],
          [H, 0, 'x'],
          [H, H, 0],
        ],
      }),
    ).rejects.toThrow(/:2: structure\.cell\[1\]: expected \[x, y, z\] in Å/);
    await expect(
      bad({
        ...silicon,
        cell: [
          [1, 0, 0],
          [2, 0, 0],
          [0, 0, 1],
        ],
      }),
    ).rejects.toThrow(/:2: structure\.cell: the three vectors span no volume/);
    await expect(
      bad({ ...silicon, sites: [{ element: 'Xx', fractional: [0, 0, 0] }] }),
    ).rejects.toThrow(/:2: structure\.sites\[0\]\.element: expected an element symbol/);
    await expect(
      bad({ ...silicon, sites: [{ element: 'Si', fractional: [0, 0] }] }),
    ).rejects.toThrow(/:2: structure\.sites\[0\]\.fractional: expected \[fa, fb, fc\]/);
    await expect(bad({ lattice: silicon.cell, sites: silicon.sites })).rejects.toThrow(
      /:2: structure\.lattice: unknown field/,
    );
    await expect(bad({ cell: silicon.cell })).rejects.toThrow(/:2: structure\.sites: required/);
  });

  it('refuses a structure together with a molecule, or with a charge', async () => {
    await expect(check({ ...qeScf, structure: silicon, smiles: 'C' })).rejects.toThrow(
      /:1: structure: give one of smiles, xyz, atoms or structure, not several/,
    );
    await expect(check({ ...qeScf, structure: silicon, charge: 1 })).rejects.toThrow(
      /:1: charge: a crystal structure takes no charge/,
    );
  });

  it('has the engine check the structure line: qe refuses a task it lacks', async () => {
    await expect(check({ ...qeScf, task: 'energy', structure: silicon })).rejects.toThrow(
      /:1: .*energy/,
    );
  });
});
