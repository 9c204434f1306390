import { describe, expect, it } from 'vitest';
import type { BsseType } from '../../../src/pipelines/mbe/input.js';
import { planMbe, type PlanKeywords } from '../../../src/pipelines/mbe/plan.js';
import { checkMbeSize, countMbeTasks, WARN_TASKS } from '../../../src/pipelines/mbe/size.js';
import { QCMB_DIR, QCMB_SKIP_REASON, readCase } from './qcmb-cases.js';

const bsseSets: BsseType[][] = [['nocp'], ['cp'], ['vmfc'], ['cp', 'nocp'], ['vmfc', 'cp', 'nocp']];
const levelSets = (n: number): Record<string, string>[] => [
  { '1': 'a' },
  { '1': 'a', '2': 'a' },
  Object.fromEntries(Array.from({ length: n }, (_, i) => [String(i + 1), 'a'])),
  { '1': 'a', '2': 'b' },
  { '1': 'a', '2': 'b', supersystem: 'c' },
  { '1': 'a', supersystem: 'a' },
];

describe('counting the tasks of an expansion without building them', () => {
  it('gives the number of tasks planMbe builds, for every treatment, level layout and size', () => {
    let compared = 0;
    for (let n = 2; n <= 6; n++) {
      for (const bsse_type of bsseSets) {
        for (const levels of levelSets(n)) {
          for (const return_total_data of [false, true]) {
            for (const supersystem_ie_only of [false, true]) {
              const keywords: PlanKeywords = {
                bsse_type,
                levels,
                return_total_data,
                supersystem_ie_only,
              };
              let planned: number;
              try {
                planned = planMbe(keywords, n).tasks.length;
              } catch {
                continue;
              }
              expect(countMbeTasks(keywords, n), JSON.stringify({ n, ...keywords })).toBe(planned);
              compared++;
            }
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(300);
  });

  it.skipIf(QCMB_DIR === undefined)(
    `gives QCManyBody's unique task count of every He4 keyword set (${QCMB_DIR ?? QCMB_SKIP_REASON})`,
    () => {
      const cases = readCase('he4_task_counts.json').cases as Record<
        string,
        {
          bsse_type: BsseType[];
          levels?: Record<string, string>;
          levels_core_form?: Record<string, string>;
          return_total_data: boolean;
          supersystem_ie_only?: boolean;
          n_unique_tasks: number;
        }
      >;
      for (const [name, c] of Object.entries(cases)) {
        const keywords = {
          bsse_type: c.bsse_type,
          levels: c.levels_core_form ?? c.levels ?? {},
          return_total_data: c.return_total_data,
          supersystem_ie_only: c.supersystem_ie_only ?? false,
        };
        expect(countMbeTasks(keywords, 4), name).toBe(c.n_unique_tasks);
      }
    },
  );
});

describe('the size limit', () => {
  const full = (n: number, bsse_type: BsseType[]): PlanKeywords => ({
    bsse_type,
    levels: Object.fromEntries(Array.from({ length: n }, (_, i) => [String(i + 1), 'a'])),
    return_total_data: false,
    supersystem_ie_only: false,
  });

  it('refuses 30 fragments at max_nbody 30 at once, with the count and how to raise the limit', () => {
    expect(() => checkMbeSize(full(30, ['cp']), 30, 90, 200_000, 'big.yaml')).toThrow(
      /^big\.yaml: 1\.07×10\^9 unique tasks .*more than the limit of 200,000.*execution\.max_tasks or --max-tasks/,
    );
  });

  it('warns with the count and the memory above the lower threshold, and is silent below it', () => {
    const big = checkMbeSize(full(16, ['cp']), 16, 48, 200_000, 'mid.yaml');
    expect(big.tasks).toBeGreaterThan(WARN_TASKS);
    expect(big.warning).toMatch(
      /^mid\.yaml: 65,535 unique tasks; planning and preparing them takes about \d+ MB/,
    );
    const small = checkMbeSize(full(4, ['cp']), 4, 12, 200_000, 'small.yaml');
    expect(small.warning).toBeUndefined();
  });

  it('lets the user raise the limit', () => {
    expect(checkMbeSize(full(18, ['cp']), 18, 54, 300_000, 'x.yaml').tasks).toBe(262_143);
    expect(() => checkMbeSize(full(18, ['cp']), 18, 54, 200_000, 'x.yaml')).toThrow(/262,143/);
  });
});
