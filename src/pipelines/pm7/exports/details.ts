import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CampaignPaths } from '../../../core/campaign-layout.js';
import { itemFileName } from '../../../core/item-file-name.js';
import { writeFileAtomic } from '../../../runtime/atomic-write.js';
import type { Campaign } from '../../../runtime/campaign.js';
import type { MoleculeDetail } from '../molecule-detail.js';
import { moleculesOf } from '../molecules.js';

/**
 * `details/<name>.json`, where name is core/item-file-name.ts's name for the mol_id: the id
 * itself for ordinary ids (MOL00001, mol_00001), a bounded name with a hash of the exact id for
 * any other, so that every molecule has its own file.
 */
export function detailPath(paths: CampaignPaths, molId: string): string {
  return join(paths.details, `${itemFileName(molId)}.json`);
}

/** The detail file's content: the MoleculeDetail as pretty JSON (2 spaces), newline-terminated. */
export function detailJson(detail: MoleculeDetail): string {
  return `${JSON.stringify(detail, null, 2)}\n`;
}

/** Writes the molecule's detail file atomically. Returns its path. */
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
  for (const row of moleculesOf(campaign).all()) {
    const path = detailPath(campaign.paths, row.mol_id);
    if (row.detail === null) {
      if (existsSync(path)) rmSync(path, { force: true });
      continue;
    }
    const content = detailJson(row.detail);
    if (!existsSync(path) || readFileSync(path, 'utf8') !== content) writeFileAtomic(path, content);
    written.push(path);
  }
  return written;
}
