import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { calcWorkdir, type CampaignPaths } from '../../core/campaign-layout.js';
import type { Failure } from '../../core/failure.js';
import type { JobSpec } from '../../core/job-spec.js';
import type { StagedParent } from '../../executors/executor.js';
import type { CalcStore } from '../../store/calc-store.js';

/**
 * The local paths a job's `parentInputs` are copied from (see JobSpec): each in the calc
 * directory of a parent that succeeded. A parent that has no successful result, or whose
 * directory lacks the path, is this calc's `input_error`, said in one line.
 */
export function stagedParents(
  calcs: CalcStore,
  paths: CampaignPaths,
  job: JobSpec,
): { readonly parents: StagedParent[] } | { readonly failure: Failure } {
  const parents: StagedParent[] = [];
  for (const { calcKey, path } of job.parentInputs ?? []) {
    const parent = calcs.get(calcKey);
    const short = calcKey.slice(0, 12);
    if (parent?.status !== 'succeeded') {
      return {
        failure: {
          class: 'input_error',
          message:
            parent === undefined
              ? `parent calc ${short} is not in this campaign: run it first (its key is what its own retort calc printed)`
              : `parent calc ${short} has no successful result (it is ${parent.status}${parent.failure === null ? '' : `: ${parent.failure.class}`})`,
        },
      };
    }
    const from = join(calcWorkdir(paths, calcKey), path);
    if (!existsSync(from)) {
      return {
        failure: {
          class: 'input_error',
          message: `parent calc ${short} succeeded but its directory has no ${path} (${from}) to copy`,
        },
      };
    }
    parents.push({ from, path });
  }
  return { parents };
}
