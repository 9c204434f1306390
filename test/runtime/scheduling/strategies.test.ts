import { describe, expect, it } from 'vitest';
import { predictedCost } from '../../../src/runtime/scheduling/cost-model.js';
import { selectItems, type ItemSummary } from '../../../src/runtime/scheduling/strategies.js';

function item(
  id: string,
  seq: number,
  heavy: number | null,
  rot: number | null = 0,
  extra: Partial<ItemSummary> = {},
): ItemSummary {
  return {
    item_id: id,
    seq,
    status: 'Pending',
    priority: 0,
    heavy_atoms: heavy,
    rotatable_bonds: rot,
    programs: ['obabel', 'xtb', 'mopac'],
    ...extra,
  };
}

const ITEMS: readonly ItemSummary[] = [
  item('A', 1, 5, 3),
  item('B', 2, 2, 0, { status: 'Rerun' }),
  item('C', 3, 3, 6),
  item('D', 4, 1, 1),
  item('E', 5, 3, 0),
];

describe('selectItems', () => {
  it('rerun_first_then_easy: Rerun items first, then fewest heavy atoms, ties in order of addition', () => {
    expect(selectItems(ITEMS, 'rerun_first_then_easy', 10)).toEqual(['B', 'D', 'C', 'E', 'A']);
    expect(selectItems(ITEMS, 'rerun_first_then_easy', 2)).toEqual(['B', 'D']);
  });

  it('by_nheavy: fewest heavy atoms first, whatever the status', () => {
    expect(selectItems(ITEMS, 'by_nheavy', 10)).toEqual(['D', 'B', 'C', 'E', 'A']);
  });

  it('by_nrotbonds: fewest rotatable bonds, then fewest heavy atoms', () => {
    expect(selectItems(ITEMS, 'by_nrotbonds', 10)).toEqual(['B', 'E', 'D', 'A', 'C']);
  });

  it('longest_first: highest predicted cost first', () => {
    const ids = selectItems(ITEMS, 'longest_first', 10);
    const byId = new Map(ITEMS.map((i) => [i.item_id, i]));
    const costs = ids.map((id) => {
      const i = byId.get(id);
      return i === undefined ? Number.NaN : predictedCost(i);
    });
    expect(costs).toEqual([...costs].sort((a, b) => b - a));
    expect(ids[0]).toBe('A');
    expect(ids.at(-1)).toBe('D');
  });

  it('random: the same seed gives the same batch whatever order the items come in; another seed another', () => {
    const many = Array.from({ length: 50 }, (_, i) => item(`M${i}`, i + 1, 1 + (i % 7)));
    const a = selectItems(many, 'random', 10, 7);
    expect(a).toHaveLength(10);
    expect(new Set(a).size).toBe(10);
    expect(selectItems([...many].reverse(), 'random', 10, 7)).toEqual(a);
    expect(selectItems(many, 'random', 10, 8)).not.toEqual(a);
  });

  it('takes items of higher priority first under every strategy', () => {
    const urgent = [...ITEMS, item('Z', 6, 40, 9, { priority: 2 })];
    for (const strategy of [
      'rerun_first_then_easy',
      'by_nheavy',
      'by_nrotbonds',
      'random',
    ] as const)
      expect(selectItems(urgent, strategy, 1, 1)).toEqual(['Z']);
    const cheapUrgent = [...ITEMS, item('Y', 6, 1, 0, { priority: 1 })];
    expect(selectItems(cheapUrgent, 'longest_first', 2)).toEqual(['Y', 'A']);
  });

  it('puts items of unknown size after every known one', () => {
    const unknown = [item('U', 1, null, null), item('K', 2, 30, 2)];
    expect(selectItems(unknown, 'by_nheavy', 2)).toEqual(['K', 'U']);
    expect(selectItems(unknown, 'longest_first', 2)).toEqual(['K', 'U']);
  });
});

describe('predictedCost', () => {
  it('grows with heavy atoms and with rotatable bonds, and adds up over programs', () => {
    const base = { heavy_atoms: 5, rotatable_bonds: 1, programs: ['xtb', 'mopac'] };
    expect(predictedCost({ ...base, heavy_atoms: 10 })).toBeGreaterThan(predictedCost(base));
    expect(predictedCost({ ...base, rotatable_bonds: 4 })).toBeGreaterThan(predictedCost(base));
    expect(predictedCost(base)).toBeCloseTo(
      predictedCost({ ...base, programs: ['xtb'] }) +
        predictedCost({ ...base, programs: ['mopac'] }),
    );
    expect(predictedCost({ ...base, heavy_atoms: null })).toBe(0);
  });
});
