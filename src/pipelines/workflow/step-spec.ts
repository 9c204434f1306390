import { loadRdkit } from '../../chem/descriptors.js';
import { smilesAtoms } from '../../chem/smiles-atoms.js';
import type { RequestCalc } from '../../runtime/calc-request.js';
import type { CalcLine } from '../calc-list/calc-line.js';
import { gen3dGeometry, lineToSpec, type LineSpec } from '../calc-list/line-to-spec.js';
import type { CheckedWorkflow } from './workflow-check.js';

/**
 * A step's calc line made into its spec as a calc list's line is (calc-list/line-to-spec.ts):
 * the radical electrons of its SMILES as the default multiplicity, a template from the
 * workflow's library, a SMILES' 3D geometry asked of `request` (the runner, or the store when
 * planning).
 */
export async function stepSpec(
  workflow: CheckedWorkflow,
  line: CalcLine,
  where: string,
  request: RequestCalc,
): Promise<LineSpec> {
  const radicals =
    line.smiles === undefined
      ? undefined
      : (await smilesAtoms(await loadRdkit(), line.smiles))?.radicalElectrons;
  return lineToSpec(
    line,
    where,
    workflow.def.dir,
    workflow.defaults,
    gen3dGeometry(request, line.multiplicity !== undefined),
    radicals,
    workflow.library,
  );
}
