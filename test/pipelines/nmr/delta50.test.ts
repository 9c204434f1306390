import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDelta50, selectMolecules } from '../../../src/pipelines/nmr/delta50.js';

describe('readDelta50', () => {
  it('reads the shipped 50 molecules with 342 assigned H and 221 assigned C shifts', () => {
    const all = readDelta50();
    expect(all).toHaveLength(50);
    const h = all.reduce((n, m) => n + m.shifts['1H'].size, 0);
    const c = all.reduce((n, m) => n + m.shifts['13C'].size, 0);
    expect([h, c]).toEqual([342, 221]);
    const acetaldehyde = all.find((m) => m.id === 'compound_03');
    expect(acetaldehyde?.name).toBe('Acetaldehyde');
    expect(acetaldehyde?.atoms).toHaveLength(7);
    expect(acetaldehyde?.shifts['1H'].get(4)).toBe(9.8);
    expect(acetaldehyde?.shifts['13C'].get(1)).toBe(199.97);
  });

  it('refuses an assignment that points at an atom of another element, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'delta50-'));
    try {
      mkdirSync(join(dir, 'molecules'));
      writeFileSync(join(dir, 'molecules', 'm1.xyz'), '2\nCO\nC 0 0 0\nO 0 0 1.13\n');
      writeFileSync(
        join(dir, 'experimental_shifts.json'),
        JSON.stringify({ molecules: { m1: { name: 'CO', h1_assignments: { '2': 1.0 } } } }),
      );
      expect(() => readDelta50(dir)).toThrow(
        /m1\.h1_assignments\.2: expected the 1-based index of an H atom/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('selects molecules by id or number and refuses an unknown one', () => {
    const all = readDelta50();
    expect(selectMolecules(all, ['3', 'compound_01'], '--molecules').map((m) => m.id)).toEqual([
      'compound_01',
      'compound_03',
    ]);
    expect(() => selectMolecules(all, ['77'], '--molecules')).toThrow(/unknown molecule "77"/);
  });
});
