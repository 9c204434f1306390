import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CampaignPaths } from '../../../core/campaign-layout.js';
import { writeFileAtomic } from '../../../runtime/atomic-write.js';
import type { Campaign } from '../../../runtime/campaign.js';
import type { MoleculeRow } from '../../../store/molecule-store.js';
import type { MoleculeDetail } from '../molecule-detail.js';

/** A molecule's stored detail (`molecules.detail_json`), or undefined when it never ran. */
export function moleculeDetail(row: MoleculeRow): MoleculeDetail | undefined {
  return row.detail_json === null ? undefined : (JSON.parse(row.detail_json) as MoleculeDetail);
}

/**
 * `details/<mol_id>.json`. A mol_id comes from the user's file, so it is percent-encoded
 * (encodeURIComponent) to stay one file inside details/; ordinary ids (MOL00001, mol_00001)
 * are unchanged.
 */
export function detailPath(paths: CampaignPaths, molId: string): string {
  const name = encodeURIComponent(molId).replace(/^\.{1,2}$/, (dots) => dots.replace(/\./g, '%2E'));
  return join(paths.details, `${name}.json`);
}

/** The detail file's content: the MoleculeDetail as pretty JSON (2 spaces), newline-terminated. */
export function detailJson(detail: MoleculeDetail): string {
  return `${JSON.stringify(detail, null, 2)}\n`;
}

/** Writes `details/<mol_id>.json` atomically. Returns its path. */
export function writeDetail(paths: CampaignPaths, detail: MoleculeDetail): string {
  mkdirSync(paths.details, { recursive: true });
  const path = detailPath(paths, detail.mol_id);
  writeFileAtomic(path, detailJson(detail));
  return path;
}

/**
 * Regenerates every molecule's detail file from the store and returns their paths. A file that
 * already holds the right content is left alone (reading is far cheaper than creating a file,
 * and a 30,000-molecule export mostly finds them current). A molecule whose detail was cleared
 * (all_or_nothing reset) loses its stale file, so the folder never disagrees with the store.
 */
export function writeAllDetails(campaign: Campaign): string[] {
  mkdirSync(campaign.paths.details, { recursive: true });
  const written: string[] = [];
  for (const row of campaign.molecules.all()) {
    const path = detailPath(campaign.paths, row.mol_id);
    const detail = moleculeDetail(row);
    if (detail === undefined) {
      if (existsSync(path)) rmSync(path, { force: true });
      continue;
    }
    const content = detailJson(detail);
    if (!existsSync(path) || readFileSync(path, 'utf8') !== content) writeFileAtomic(path, content);
    written.push(path);
  }
  return written;
}
