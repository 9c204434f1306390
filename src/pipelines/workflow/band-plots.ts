import { join } from 'node:path';
import { DEFAULT_RESOURCES } from '../../core/calc-spec.js';
import { itemFileName } from '../../core/item-file-name.js';
import { qeBandStructureSvg } from '../../engines/qe/band-plot.js';
import { writeFileAtomic } from '../../runtime/atomic-write.js';
import type { Campaign } from '../../runtime/campaign.js';
import type { InstanceItem } from './export.js';

/**
 * Draws the band structure of every succeeded `qe` `bands` step of a workflow's instances into
 * `dir` as `workflow-<name>-<instance>-<step>-bands.svg` (encoded as core/item-file-name.ts
 * does; the k-path distances come from the
 * calc's structure, so the spec is read back from the store). Returns the files written.
 */
export async function writeWorkflowBandPlots(
  campaign: Campaign,
  instances: readonly InstanceItem[],
  workflow: string,
  dir: string,
): Promise<string[]> {
  const written: string[] = [];
  for (const item of instances) {
    const instance = item.payload.instance;
    for (const [step, record] of Object.entries(item.result?.steps ?? {})) {
      if (record.program !== 'qe' || record.task !== 'bands' || record.state !== 'succeeded')
        continue;
      const calc = record.key === null ? undefined : campaign.calcs.get(record.key);
      if (calc?.result == null) continue;
      const file = join(
        dir,
        `${itemFileName(`workflow-${workflow}-${instance}-${step}`)}-bands.svg`,
      );
      const svg = await qeBandStructureSvg(
        { ...calc.spec, resources: DEFAULT_RESOURCES },
        calc.result,
        `${workflow}: ${instance}, step ${step}`,
      );
      writeFileAtomic(file, svg);
      written.push(file);
    }
  }
  return written;
}
