import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { equivalentAtomClasses } from '../../src/chem/atom-equivalence.js';
import { parseXyz } from '../../src/chem/xyz.js';

function delta50(id: string) {
  const [frame] = parseXyz(readFileSync(`data/delta50/molecules/${id}.xyz`, 'utf8'), id);
  return frame?.atoms ?? [];
}

/** Groups of 1-based atom indices sharing a class, in order of their first atom. */
function groups(classes: readonly number[]): number[][] {
  const out = new Map<number, number[]>();
  classes.forEach((c, i) => out.set(c, [...(out.get(c) ?? []), i + 1]));
  return [...out.values()];
}

describe('equivalentAtomClasses', () => {
  it('groups the methyl hydrogens of acetaldehyde and keeps the aldehyde H apart', () => {
    // DELTA50 compound 3: C1 (CHO), C2 (CH3), O3, H4 (CHO), H5–H7 (CH3).
    expect(groups(equivalentAtomClasses(delta50('compound_03')))).toEqual([
      [1],
      [2],
      [3],
      [4],
      [5, 6, 7],
    ]);
  });

  it('makes the two carbons of oxirane and its four hydrogens equivalent', () => {
    const atoms = delta50('compound_04');
    const g = groups(equivalentAtomClasses(atoms));
    const hydrogens = g.find((members) => members.length === 4);
    expect(hydrogens?.every((i) => atoms[i - 1]?.element === 'H')).toBe(true);
    expect(
      g.some(
        (members) => members.length === 2 && members.every((i) => atoms[i - 1]?.element === 'C'),
      ),
    ).toBe(true);
  });

  it('makes all six carbons of cyclohexane equivalent, and all twelve hydrogens', () => {
    const atoms = delta50('compound_37');
    const g = groups(equivalentAtomClasses(atoms));
    expect(g.map((m) => m.length).sort((a, b) => a - b)).toEqual([6, 12]);
  });
});
