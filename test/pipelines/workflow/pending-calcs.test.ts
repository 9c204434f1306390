import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { calcKey } from '../../../src/core/calc-key.js';
import { DEFAULT_RESOURCES, type CalcSpec } from '../../../src/core/calc-spec.js';
import { getEngine } from '../../../src/engines/registry.js';
import { pendingCalcs } from '../../../src/pipelines/workflow/pending-calcs.js';
import { checkWorkflow } from '../../../src/pipelines/workflow/workflow-check.js';
import type { CalcResolution, RequestCalc } from '../../../src/runtime/calc-request.js';
import { tempDir } from '../../helpers/temp-dir.js';

let tmp: ReturnType<typeof tempDir>;

beforeEach(() => {
  tmp = tempDir('retort-wf-pending-');
});

afterEach(() => {
  tmp.remove();
});

/** A store lookup over `stored` (label → how the store holds it); anything else is not run. */
function lookup(stored: Readonly<Record<string, 'succeeded' | 'failed'>> = {}): RequestCalc {
  return (spec: CalcSpec): Promise<CalcResolution> => {
    const key = calcKey(spec, getEngine(spec.program).adapterVersion);
    const held = stored[spec.label ?? ''];
    if (held === 'succeeded') {
      const geometry = [
        { element: 'O', x: 0, y: 0, z: 0 },
        ...['H', 'H'].map((element, i) => ({ element, x: 0.96 * (i * 2 - 1), y: 0.3, z: 0 })),
      ];
      return Promise.resolve({
        status: 'succeeded',
        key,
        cached: true,
        result: { geometry, charge: 0, multiplicity: 1, total_energy_hartree: -5 },
        programVersion: null,
      });
    }
    if (held === 'failed') {
      return Promise.resolve({
        status: 'failed',
        key,
        cached: true,
        failure: { class: 'scf_not_converged', message: 'no convergence' },
      });
    }
    return Promise.resolve({ status: 'not_run', key, reason: 'not in the store' });
  };
}

async function checked(text: string) {
  const file = join(tmp.dir, 'wf.yaml');
  writeFileSync(file, text);
  return checkWorkflow(file, [], tmp.dir, DEFAULT_RESOURCES);
}

const CHAIN = `name: w
matrix:
  smiles: [O, CO]
steps:
  opt: { program: xtb, task: optimize, method: GFN2, smiles: "\${{ matrix.smiles }}" }
  sp:
    needs: [opt]
    program: psi4
    method: hf
    basis: sto-3g
    molecule: \${{ steps.opt.result }}
  gap:
    needs: [sp]
    program: psi4
    method: hf
    basis: sto-3g
    charge: \${{ steps.sp.result.total_energy_hartree > 0 }}
    molecule: \${{ steps.opt.result }}
`;

describe('pendingCalcs', () => {
  it("lists every step's calc with the 3D geometry it needs first, each after the steps it needs", async () => {
    const calcs = await pendingCalcs(await checked(CHAIN), lookup());
    expect(calcs.map((c) => [c.label, c.spec.program, c.spec.task, c.after ?? []])).toEqual([
      ['w/smiles=O/opt (3D from SMILES)', 'obabel', 'gen3d', []],
      ['w/smiles=O/opt', 'xtb', 'optimize', [0]],
      ['w/smiles=O/sp', 'psi4', 'energy', [1]],
      ['w/smiles=O/gap', 'psi4', 'energy', [2]],
      ['w/smiles=CO/opt (3D from SMILES)', 'obabel', 'gen3d', []],
      ['w/smiles=CO/opt', 'xtb', 'optimize', [4]],
      ['w/smiles=CO/sp', 'psi4', 'energy', [5]],
      ['w/smiles=CO/gap', 'psi4', 'energy', [6]],
    ]);
    // The SMILES' atoms stand in for its geometry, and reach the steps that read it.
    const elements = (i: number) => calcs[i]?.spec.molecule?.atoms?.map((a) => a.element).sort();
    expect(elements(1)).toEqual(['H', 'H', 'O']);
    expect(elements(2)).toEqual(['H', 'H', 'O']);
    expect(elements(6)).toEqual(['C', 'H', 'H', 'H', 'H', 'O']);
    // gap reads a result field the stand-in lacks: its stated program and task, the molecule
    // of the step it needs.
    expect(elements(7)).toEqual(['C', 'H', 'H', 'H', 'H', 'O']);
  });

  it('leaves out what the store holds and the steps after a stored failure', async () => {
    const calcs = await pendingCalcs(
      await checked(CHAIN),
      lookup({
        'w/smiles=O/opt (3D from SMILES)': 'succeeded',
        'w/smiles=O/opt': 'succeeded',
        'w/smiles=CO/opt (3D from SMILES)': 'succeeded',
        'w/smiles=CO/opt': 'failed',
      }),
    );
    expect(calcs.map((c) => [c.label, c.after ?? []])).toEqual([
      ['w/smiles=O/sp', []],
      ['w/smiles=O/gap', [0]],
    ]);
  });

  it('lists a calc that two instances share once', async () => {
    const calcs = await pendingCalcs(
      await checked(`name: w
matrix:
  tag: [a, b]
steps:
  opt: { program: xtb, task: optimize, method: GFN2, smiles: O, label: water }
`),
      lookup(),
    );
    expect(calcs.map((c) => c.label)).toEqual(['water (3D from SMILES)', 'water']);
  });
});
