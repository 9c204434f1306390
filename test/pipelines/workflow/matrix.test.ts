import { describe, expect, it } from 'vitest';
import { expandMatrix } from '../../../src/pipelines/workflow/matrix.js';

describe('expandMatrix', () => {
  it('makes every combination of the lists, keyed by name=value', () => {
    const instances = expandMatrix({
      where: 'wf.yaml:3: matrix',
      csv: undefined,
      lists: [
        { name: 'basis', where: '', values: ['sto-3g', 'cc-pvdz'] },
        { name: 'charge', where: '', values: [0, 1] },
      ],
    });
    expect(instances.map((i) => i.key)).toEqual([
      'basis=sto-3g,charge=0',
      'basis=sto-3g,charge=1',
      'basis=cc-pvdz,charge=0',
      'basis=cc-pvdz,charge=1',
    ]);
    expect(instances[3]?.matrix).toEqual({ basis: 'cc-pvdz', charge: 1 });
  });

  it('numbers values that would make an unreadable key', () => {
    const instances = expandMatrix({
      where: '',
      csv: undefined,
      lists: [{ name: 'cell', where: '', values: [{ a: 1 }, 'with space', 'dir/file.cif'] }],
    });
    expect(instances.map((i) => i.key)).toEqual(['cell#1', 'cell#2', 'cell#3']);
  });

  it('has one instance, default, without a matrix', () => {
    expect(expandMatrix({ where: '', csv: undefined, lists: [] })).toEqual([
      { key: 'default', matrix: {} },
    ]);
  });
});
