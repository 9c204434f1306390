import { InputError } from '../../core/errors.js';
import type { Decision } from './molecule-detail.js';

/**
 * How many conformers go to MOPAC, by the molecule's rotatable bonds:
 * at most `rigidMax` → `rigid`; at most `mediumMax` → `medium`; more → `flexible`.
 */
export interface ConformerCountRules {
  readonly rigidMax: number;
  readonly rigid: number;
  readonly mediumMax: number;
  readonly medium: number;
  readonly flexible: number;
}

/**
 * rigid (≤ 1 rotatable bond) → 3, medium (2–4) → 3, flexible (≥ 5) → 5. Rigid molecules get 3
 * (as many as CREST + PM7 runs use) although the search usually finds one conformer of them:
 * where it finds more (N-invertomers of ring amines, ring conformers, OH orientations), GFN2-xTB
 * and PM7 often rank them otherwise — N-methylpiperidine's axial N-methyl lies 0.55 kcal/mol
 * above the equatorial one in GFN2-xTB and 3.2 kcal/mol below it in PM7; the
 * 1,4-dimethylpiperazine invertomer lowest in PM7 (by 4.9 kcal/mol) is the highest of three in
 * GFN2-xTB.
 */
export const DEFAULT_CONFORMER_COUNT_RULES: ConformerCountRules = {
  rigidMax: 1,
  rigid: 3,
  mediumMax: 4,
  medium: 3,
  flexible: 5,
};

/** The number of conformers to send to MOPAC, and the decision that explains it. */
export interface ConformerCount {
  readonly count: number;
  readonly decision: Decision;
}

/**
 * The number of conformers to send to MOPAC: the rules' count for `nrotbonds`, capped by
 * `maxConformers` (when given) and by `available` (what the search returned). Zero only when
 * nothing is available. Throws InputError for negative or fractional inputs and rules whose
 * classes overlap.
 */
export function conformerCount(
  nrotbonds: number,
  available: number,
  rules: ConformerCountRules = DEFAULT_CONFORMER_COUNT_RULES,
  maxConformers?: number,
): ConformerCount {
  checkCount('nrotbonds', nrotbonds, 0);
  checkCount('available', available, 0);
  if (maxConformers !== undefined) checkCount('max_conformers', maxConformers, 1);
  checkRules(rules);

  let flexibility: string;
  let wanted: number;
  if (nrotbonds <= rules.rigidMax) {
    flexibility = `rigid (≤ ${rules.rigidMax})`;
    wanted = rules.rigid;
  } else if (nrotbonds <= rules.mediumMax) {
    flexibility = `medium (${rules.rigidMax + 1}–${rules.mediumMax})`;
    wanted = rules.medium;
  } else {
    flexibility = `flexible (≥ ${rules.mediumMax + 1})`;
    wanted = rules.flexible;
  }
  const reasons = [
    `${nrotbonds} rotatable bond${nrotbonds === 1 ? '' : 's'}: ${flexibility} → ${wanted}`,
  ];
  let count = wanted;
  if (maxConformers !== undefined && maxConformers < count) {
    count = maxConformers;
    reasons.push(`capped at max_conformers ${maxConformers}`);
  }
  if (available < count) {
    count = available;
    reasons.push(
      `the conformer search returned only ${available} conformer${available === 1 ? '' : 's'}`,
    );
  }
  return {
    count,
    decision: {
      decision: `send ${count} conformer${count === 1 ? '' : 's'} to MOPAC`,
      reason: reasons.join('; '),
      // The rotatable-bond classes are a heuristic: a rule of thumb, not a measured spread.
      confidence: 0.8,
      timestamp: new Date().toISOString(),
    },
  };
}

function checkCount(field: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new InputError(field, `expected an integer ≥ ${min}, got ${String(value)}`);
  }
}

function checkRules(rules: ConformerCountRules): void {
  checkCount('rules.rigidMax', rules.rigidMax, 0);
  checkCount('rules.mediumMax', rules.mediumMax, rules.rigidMax);
  checkCount('rules.rigid', rules.rigid, 1);
  checkCount('rules.medium', rules.medium, 1);
  checkCount('rules.flexible', rules.flexible, 1);
}
