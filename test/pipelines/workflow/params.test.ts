import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveParams } from '../../../src/pipelines/workflow/params.js';
import type { ParamDef } from '../../../src/pipelines/workflow/workflow-file.js';
import { tempDir } from '../../helpers/temp-dir.js';

const tmp = tempDir('retort-wf-params-');
afterAll(() => {
  tmp.remove();
});

function param(p: Partial<ParamDef> & Pick<ParamDef, 'name' | 'type'>): ParamDef {
  return {
    where: `wf.yaml:3: params.${p.name}`,
    default: undefined,
    min: undefined,
    max: undefined,
    choices: undefined,
    description: undefined,
    required: false,
    ...p,
  };
}

describe('resolveParams', () => {
  it('reads --set values as their param’s type over the defaults', () => {
    const defs = [
      param({ name: 'n', type: 'int', default: 2 }),
      param({ name: 'ecut', type: 'float', default: 25 }),
      param({ name: 'soc', type: 'bool', default: false }),
      param({ name: 'basis', type: 'string', default: 'sto-3g' }),
    ];
    expect(resolveParams(defs, ['ecut=30.5', 'soc=true'], tmp.dir, tmp.dir)).toEqual({
      n: 2,
      ecut: 30.5,
      soc: true,
      basis: 'sto-3g',
    });
  });

  it('refuses a value of the wrong type, out of its choices, or missing', () => {
    const n = param({ name: 'n', type: 'int', default: 2 });
    expect(() => resolveParams([n], ['n=2.5'], tmp.dir, tmp.dir)).toThrow(
      '--set n: expected a whole number, found 2.5',
    );
    expect(() => resolveParams([n], ['n=two'], tmp.dir, tmp.dir)).toThrow(
      '--set n: expected a number, found "two"',
    );
    const basis = param({
      name: 'basis',
      type: 'string',
      default: 'sto-3g',
      choices: ['sto-3g', 'cc-pvdz'],
    });
    expect(() => resolveParams([basis], ['basis=6-31g'], tmp.dir, tmp.dir)).toThrow(
      '--set basis: expected one of "sto-3g", "cc-pvdz", found "6-31g"',
    );
    const needed = param({ name: 'x', type: 'float', required: true });
    expect(() => resolveParams([needed], [], tmp.dir, tmp.dir)).toThrow(
      'wf.yaml:3: params.x: required: give it with --set x=VALUE',
    );
    expect(() => resolveParams([n], ['n'], tmp.dir, tmp.dir)).toThrow(
      '--set n: expected NAME=VALUE',
    );
  });

  it('resolves a file param against the workflow’s directory and checks it exists', () => {
    writeFileSync(join(tmp.dir, 'si.cif'), 'data_x\n');
    const cif = param({ name: 'cif', type: 'file', default: 'si.cif' });
    expect(resolveParams([cif], [], tmp.dir, '/')).toEqual({ cif: join(tmp.dir, 'si.cif') });
    expect(() => resolveParams([cif], ['cif=nope.cif'], tmp.dir, tmp.dir)).toThrow(
      `--set cif: no such file: ${join(tmp.dir, 'nope.cif')}`,
    );
  });
});
