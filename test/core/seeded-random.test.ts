import { describe, expect, it } from 'vitest';
import { mulberry32, seededShuffle } from '../../src/core/seeded-random.js';

describe('mulberry32', () => {
  it('gives one sequence per seed, in [0, 1)', () => {
    const a = Array.from({ length: 1000 }, mulberry32(5));
    expect(Array.from({ length: 1000 }, mulberry32(5))).toEqual(a);
    expect(Array.from({ length: 1000 }, mulberry32(6))).not.toEqual(a);
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = a.reduce((s, x) => s + x, 0) / a.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });
});

describe('seededShuffle', () => {
  it('returns a permutation, the same for one seed, and leaves the input alone', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const once = seededShuffle(items, 3);
    expect(seededShuffle(items, 3)).toEqual(once);
    expect(once).not.toEqual(items);
    expect([...once].sort((a, b) => a - b)).toEqual(items);
    expect(items[0]).toBe(0);
  });
});
