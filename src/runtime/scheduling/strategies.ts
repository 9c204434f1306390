import type { Strategy } from '../../core/batch-status.js';
import type { SelectableStatus } from '../../core/item-status.js';
import { predictedCost, type CostInputs } from './cost-model.js';
import { seededShuffle } from '../../core/seeded-random.js';

/**
 * What a strategy knows of an item that a new batch may take, for any pipeline: the pipeline
 * maps its payload to these (a molecule's heavy atoms, its rotatable bonds, the programs it
 * will run).
 */
export interface ItemSummary extends CostInputs {
  readonly item_id: string;
  /** Order of addition: every tie goes to it. */
  readonly seq: number;
  readonly status: SelectableStatus;
  /** Higher first, whatever the strategy. */
  readonly priority: number;
}

/**
 * The ids of at most `size` items for a new batch, in batch order. Items of higher priority
 * always come first; within one priority the strategy orders:
 *
 * - `rerun_first_then_easy`: Rerun before Pending, then fewest heavy atoms;
 * - `by_nheavy`: fewest heavy atoms;
 * - `by_nrotbonds`: fewest rotatable bonds, then fewest heavy atoms;
 * - `random`: a shuffle (Fisher–Yates over the items in order of addition) driven by a
 *   mulberry32 generator seeded with `seed`: the same seed and items give the same batch;
 * - `longest_first`: highest predicted cost first (cost-model.ts), so that the long items
 *   start early and do not leave one worker busy at the end of a batch.
 *
 * An unknown size (null) sorts after every known one. Ties go to the order of addition.
 * Pure: the same arguments always give the same ids.
 */
export function selectItems(
  items: readonly ItemSummary[],
  strategy: Strategy,
  size: number,
  seed: number | null = null,
): string[] {
  const inOrder = [...items].sort((a, b) => a.seq - b.seq);
  let ordered: ItemSummary[];
  switch (strategy) {
    case 'rerun_first_then_easy':
      ordered = inOrder.sort(
        (a, b) => rerunFirst(a, b) || nullsLast(a.heavy_atoms, b.heavy_atoms) || a.seq - b.seq,
      );
      break;
    case 'by_nheavy':
      ordered = inOrder.sort((a, b) => nullsLast(a.heavy_atoms, b.heavy_atoms) || a.seq - b.seq);
      break;
    case 'by_nrotbonds':
      ordered = inOrder.sort(
        (a, b) =>
          nullsLast(a.rotatable_bonds, b.rotatable_bonds) ||
          nullsLast(a.heavy_atoms, b.heavy_atoms) ||
          a.seq - b.seq,
      );
      break;
    case 'random':
      ordered = seededShuffle(inOrder, seed ?? 0);
      break;
    case 'longest_first': {
      const cost = new Map(inOrder.map((i) => [i.item_id, predictedCost(i)]));
      ordered = inOrder.sort(
        (a, b) => (cost.get(b.item_id) ?? 0) - (cost.get(a.item_id) ?? 0) || a.seq - b.seq,
      );
      break;
    }
  }
  // Array.prototype.sort is stable: the strategy's order survives within one priority.
  return ordered
    .sort((a, b) => b.priority - a.priority)
    .slice(0, Math.max(0, size))
    .map((i) => i.item_id);
}

function rerunFirst(a: ItemSummary, b: ItemSummary): number {
  return (a.status === 'Rerun' ? 0 : 1) - (b.status === 'Rerun' ? 0 : 1);
}

function nullsLast(a: number | null, b: number | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  return a - b;
}
