import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('refuses a radical SMILES at the default multiplicity from its atoms, naming the line', async () => {
    await expect(check(ethanol, { program: 'mopac', smiles: '[CH3]' })).rejects.toThrow(
      /list-\d+\.jsonl:2: multiplicity: 9 electrons \(charge 0\) cannot have multiplicity 1.*give multiplicity 2/,
    );
    await expect(check({ program: 'obabel', smiles: 'C', charge: 1 })).rejects.toThrow(
      /:1: multiplicity: 9 electrons \(charge 1\)/,
    );
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
      /:1: xyz: give one of smiles, xyz or atoms, not several/,
    );
    await expect(check({ method: 'PM7' })).rejects.toThrow(/:1: program: required/);
  });

  it('runs nothing when it refuses: no calc is requested', async () => {
    const requested: CalcSpec[] = [];
    const error = await check(ethanol, { program: 'mopac', smiles: '[CH3]' }).then(
      (list) => runCalcList(list, (spec) => (requested.push(spec), Promise.reject(new Error()))),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect(requested).toEqual([]);
  });
});
