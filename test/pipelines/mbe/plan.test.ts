import { describe, expect, it } from 'vitest';
import {
  planCounts,
  planMbe,
  taskLabel,
  parseTaskLabel,
  formatPlan,
} from '../../../src/pipelines/mbe/plan.js';
import type { BsseType } from '../../../src/pipelines/mbe/input.js';
import { QCMB_DIR, QCMB_SKIP_REASON, readCase } from './qcmb-cases.js';

interface CountCase {
  all: Record<string, Record<string, number>>;
  cp: Record<string, Record<string, number>>;
  nocp: Record<string, Record<string, number>>;
  vmfc_compute: Record<string, Record<string, number>>;
  n_unique_tasks: number;
  bsse_type_effective: string[];
  nbodies_per_mc_level: Record<string, (number | string)[]>;
  bsse_type: string[];
  levels?: Record<string, string>;
  levels_core_form?: Record<string, string>;
  return_total_data: boolean;
  supersystem_ie_only?: boolean;
  expected_calcinfo_nmbe: number | null;
  task_labels: string[];
}

describe('task labels', () => {
  it('are spelt as json.dumps spells them, with a space after each comma', () => {
    expect(taskLabel('mp2', [1, 3], [1, 2, 3])).toBe('["mp2", [1, 3], [1, 2, 3]]');
    expect(taskLabel('(auto)', [2], [2])).toBe('["(auto)", [2], [2]]');
  });

  it('escape non-ASCII model chemistry names as json.dumps does', () => {
    expect(taskLabel('ccsd(t)/däz', [1], [1])).toBe('["ccsd(t)/d\\u00e4z", [1], [1]]');
  });

  it('parse back into their parts', () => {
    expect(parseTaskLabel('["mp2", [1, 3], [1, 2, 3]]')).toEqual({
      mc: 'mp2',
      real: [1, 3],
      basis: [1, 2, 3],
    });
    expect(parseTaskLabel('not a label')).toBeUndefined();
  });
});

describe.skipIf(QCMB_DIR === undefined)(`He4 task counts (${QCMB_DIR ?? QCMB_SKIP_REASON})`, () => {
  const doc = QCMB_DIR === undefined ? { cases: {} } : readCase('he4_task_counts.json');
  const cases = doc.cases as Record<string, CountCase>;

  it('has the 48 keyword sets', () => {
    expect(Object.keys(cases)).toHaveLength(48);
  });

  for (const [name, c] of Object.entries(cases)) {
    it(`plans ${name} with QCManyBody's counts and exactly its task labels`, () => {
      const levels = c.levels_core_form ?? c.levels ?? {};
      const plan = planMbe(
        {
          bsse_type: c.bsse_type as BsseType[],
          levels,
          return_total_data: c.return_total_data,
          supersystem_ie_only: c.supersystem_ie_only ?? false,
        },
        4,
      );
      expect(plan.bsse_type).toEqual(c.bsse_type_effective);
      expect(Object.fromEntries(plan.nbodies_per_mc_level)).toEqual(c.nbodies_per_mc_level);
      expect([...plan.nbodies_per_mc_level.keys()]).toEqual(Object.keys(c.nbodies_per_mc_level));
      expect(plan.tasks).toHaveLength(c.n_unique_tasks);
      if (c.expected_calcinfo_nmbe !== null)
        expect(plan.tasks).toHaveLength(c.expected_calcinfo_nmbe);
      const counts = planCounts(plan);
      expect(counts.all).toEqual(c.all);
      expect(counts.cp).toEqual(c.cp);
      expect(counts.nocp).toEqual(c.nocp);
      expect(counts.vmfc_compute).toEqual(c.vmfc_compute);
      expect(plan.tasks.map((t) => t.label).sort()).toEqual([...c.task_labels].sort());
      for (const t of plan.tasks) expect(t.label).toBe(taskLabel(t.mc, t.real, t.basis));
    });
  }
});

describe('planning', () => {
  it('keeps tasks unique per model chemistry even when two mcs share a subsystem', () => {
    const plan = planMbe(
      {
        bsse_type: ['nocp'],
        levels: { '1': 'a', '2': 'b' },
        return_total_data: true,
        supersystem_ie_only: false,
      },
      3,
    );
    const labels = plan.tasks.map((t) => t.label);
    expect(new Set(labels).size).toBe(labels.length);
    expect(labels).toContain('["a", [1], [1]]');
    expect(labels).toContain('["b", [1], [1]]');
  });

  it('plans (H2O)16 vmfc through 4 bodies as the 31,596 tasks QCManyBody counts', () => {
    const levels = { '1': 'hf', '2': 'hf', '3': 'hf', '4': 'hf' };
    const plan = planMbe(
      { bsse_type: ['vmfc'], levels, return_total_data: false, supersystem_ie_only: false },
      16,
    );
    expect(plan.tasks).toHaveLength(31596);
  });

  it('prints per-mc counts in the layout of format_calc_plan', () => {
    const plan = planMbe(
      {
        bsse_type: ['cp'],
        levels: { '1': 'ccsd', '2': 'mp2' },
        return_total_data: true,
        supersystem_ie_only: false,
      },
      4,
    );
    const text = formatPlan(plan);
    expect(text).toContain('Model chemistry "ccsd" (§A):');
    expect(text).toMatch(/Number of 1-body computations:\s+4 \(nocp: 4, cp: 0, vmfc_compute: 0\)/);
    expect(text).toContain('Unique tasks (calcinfo_nmbe): 14');
  });
});
