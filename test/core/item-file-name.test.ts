import { describe, expect, it } from 'vitest';
import { itemFileName } from '../../src/core/item-file-name.js';

describe('itemFileName', () => {
  it('keeps an ordinary id as it is', () => {
    expect(itemFileName('MOL00001')).toBe('MOL00001');
    expect(itemFileName('benzene-7.b')).toBe('benzene-7.b');
  });

  it('gives ids that differ only in characters not allowed in file names different names', () => {
    const names = ['a/b', 'a?b', 'a_b', 'a b', 'a%2Fb'].map(itemFileName);
    expect(new Set(names).size).toBe(5);
    for (const n of names) expect(n).not.toContain('/');
    expect(itemFileName('..')).toBe('%2E%2E');
  });

  it('bounds the name of a long id, and still tells two long ids apart', () => {
    const a = itemFileName(`${'x'.repeat(299)}a`);
    const b = itemFileName(`${'x'.repeat(299)}b`);
    expect(a.length).toBeLessThanOrEqual(77);
    expect(a).not.toBe(b);
    expect(itemFileName('é'.repeat(200))).toMatch(/^(%C3%A9)+@[0-9a-f]{16}$/);
  });
});
