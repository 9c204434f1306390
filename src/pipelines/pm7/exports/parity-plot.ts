import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadRdkit } from '../../../chem/descriptors.js';
import { isCarboxylicAcid } from '../../../chem/functional-groups.js';
import { parityPlot, type ParityPoint } from '../../../plots/parity.js';
import { writeFileAtomic } from '../../../runtime/atomic-write.js';
import type { Campaign } from '../../../runtime/campaign.js';
import { moleculesOf } from '../molecules.js';
import { referenceColumn, referenceValue } from './reference.js';
import { errorStats } from './stats.js';

/** The parity plot's file name in exports/. */
export const PARITY_PLOT_FILE = 'pm7_vs_reference.svg';

/**
 * The point groups of the PM7 parity plot (issue 10): molecules some of whose geometries the
 * topology guard refused (their bonds changed: see the detail's `topology_rejections`), and
 * carboxylic acids (whose COOH rotamer decides their heat of formation by ~7 kcal/mol). A
 * molecule that is both is drawn as a topology rejection, the rarer and more telling mark.
 */
export const PARITY_GROUPS = {
  topology: 'topology rejections',
  acid: 'carboxylic acids',
  other: 'other molecules',
} as const;

/**
 * The parity plot of a PM7 dataset (plots/parity.ts): PM7 heat of formation (y) against the
 * reference (x) in kcal/mol, each molecule labelled with its id and both values, topology
 * rejections and carboxylic acids marked (see {@link PARITY_GROUPS}), and the title with n,
 * MAE and MSE (mean signed error, PM7 − reference) over every point.
 */
export function parityPlotSvg(
  points: readonly ParityPoint[],
  referenceName = 'reference',
): Promise<string> {
  const stats = errorStats(points.map((p) => ({ value: p.y - p.x, label: p.label })));
  const title = stats
    ? `PM7 vs ${referenceName}: n = ${String(stats.n)}, MAE ${stats.mae.toFixed(2)}, MSE ${signed(stats.mse)} kcal/mol`
    : `PM7 vs ${referenceName}: n = 0`;
  return parityPlot({
    points,
    title,
    xName: referenceName,
    yName: 'PM7',
    xTitle: `${referenceName} (kcal/mol)`,
    yTitle: 'PM7 heat of formation (kcal/mol)',
    unit: 'kcal/mol',
    groups: [PARITY_GROUPS.acid, PARITY_GROUPS.topology],
    ungrouped: PARITY_GROUPS.other,
  });
}

function signed(v: number): string {
  return `${v < 0 ? '−' : '+'}${Math.abs(v).toFixed(2)}`;
}

/**
 * The OK molecules that have both a PM7 heat of formation and a reference value, grouped as
 * {@link PARITY_GROUPS} says (acids found by SMARTS on the SMILES, through RDKit).
 */
export async function parityPoints(campaign: Campaign, column: string): Promise<ParityPoint[]> {
  const rdkit = await loadRdkit();
  const points: ParityPoint[] = [];
  for (const row of moleculesOf(campaign).all()) {
    if (row.status !== 'OK' || row.most_stable_hof_kcal_mol === null) continue;
    const x = referenceValue(row.reference, column);
    if (x === undefined) continue;
    const rejected = (row.detail?.topology_rejections?.length ?? 0) > 0;
    const group = rejected
      ? PARITY_GROUPS.topology
      : (await isCarboxylicAcid(rdkit, row.smiles))
        ? PARITY_GROUPS.acid
        : undefined;
    points.push({
      x,
      y: row.most_stable_hof_kcal_mol,
      label: row.mol_id,
      ...(group === undefined ? {} : { group }),
    });
  }
  return points;
}

/**
 * Writes exports/pm7_vs_reference.svg when the dataset has a reference column and at least one
 * OK molecule has both values. Returns its path, or undefined when there was nothing to plot.
 */
export async function writeParityPlot(campaign: Campaign): Promise<string | undefined> {
  const column = referenceColumn(moleculesOf(campaign));
  if (column === undefined) return undefined;
  const points = await parityPoints(campaign, column);
  if (points.length === 0) return undefined;
  const svg = await parityPlotSvg(points, column);
  mkdirSync(campaign.paths.exports, { recursive: true });
  const path = join(campaign.paths.exports, PARITY_PLOT_FILE);
  writeFileAtomic(path, svg);
  return path;
}
