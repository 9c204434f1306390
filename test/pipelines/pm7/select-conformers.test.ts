import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import {
  DEFAULT_CONFORMER_COUNT_RULES,
  conformerCount,
} from '../../../src/pipelines/pm7/select-conformers.js';

describe('conformerCount', () => {
  it('sends 3 conformers of a rigid or medium molecule and 5 of a flexible one', () => {
    const counts = [0, 1, 2, 3, 4, 5, 9].map((n) => conformerCount(n, 20).count);
    expect(counts).toEqual([3, 3, 3, 3, 3, 5, 5]);
  });

  it('explains the class in its decision', () => {
    const { decision } = conformerCount(3, 20);
    expect(decision.decision).toBe('send 3 conformers to MOPAC');
    expect(decision.reason).toBe('3 rotatable bonds: medium (2–4) → 3');
    expect(decision.confidence).toBeGreaterThan(0);
    expect(decision.confidence).toBeLessThanOrEqual(1);
    expect(Number.isNaN(Date.parse(decision.timestamp))).toBe(false);
    expect(conformerCount(1, 20).decision.reason).toBe('1 rotatable bond: rigid (≤ 1) → 3');
  });

  it('is capped by max_conformers and by what the search returned, saying so', () => {
    const capped = conformerCount(7, 20, DEFAULT_CONFORMER_COUNT_RULES, 2);
    expect(capped.count).toBe(2);
    expect(capped.decision.reason).toMatch(/capped at max_conformers 2/);
    const few = conformerCount(7, 4, DEFAULT_CONFORMER_COUNT_RULES, 10);
    expect(few.count).toBe(4);
    expect(few.decision.reason).toMatch(/returned only 4 conformers/);
    expect(conformerCount(7, 1).decision.decision).toBe('send 1 conformer to MOPAC');
  });

  it('sends nothing when the search returned nothing', () => {
    expect(conformerCount(2, 0).count).toBe(0);
  });

  it('follows configured rules', () => {
    const rules = { rigidMax: 0, rigid: 2, mediumMax: 6, medium: 4, flexible: 10 };
    expect([0, 1, 6, 7].map((n) => conformerCount(n, 50, rules).count)).toEqual([2, 4, 4, 10]);
    expect(conformerCount(7, 50, rules).decision.reason).toMatch(/flexible \(≥ 7\) → 10/);
  });

  it('refuses negative or fractional counts and overlapping rules', () => {
    expect(() => conformerCount(-1, 3)).toThrow(InputError);
    expect(() => conformerCount(1.5, 3)).toThrow(/nrotbonds/);
    expect(() => conformerCount(1, 3, DEFAULT_CONFORMER_COUNT_RULES, 0)).toThrow(/max_conformers/);
    expect(() =>
      conformerCount(1, 3, { ...DEFAULT_CONFORMER_COUNT_RULES, rigidMax: 5, mediumMax: 4 }),
    ).toThrow(/mediumMax/);
  });
});
