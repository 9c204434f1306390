import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { campaignPaths, SETTINGS_FILE, type CampaignPaths } from '../core/campaign-layout.js';
import { CampaignError } from '../core/errors.js';
import { DAMAGED_STORE_FIX, openDatabase, readCampaignId } from '../store/database.js';
import { CalcStore } from '../store/calc-store.js';
import { BatchStore } from '../store/batch-store.js';
import { CampaignBrowser } from '../store/campaign-browse.js';
import { ItemStore } from '../store/item-store.js';
import { RunStore } from '../store/run-store.js';
import { readSettings, SETTINGS_TEMPLATE, type Settings } from './settings.js';

/**
 * An open campaign: its paths, settings and the stores of its database. Every SQL statement
 * lives in store/: callers get store objects, never the database handle.
 */
export interface Campaign {
  readonly paths: CampaignPaths;
  /** 8 hex digits made when the store was created; names remote directories and SLURM jobs. */
  readonly id: string;
  readonly settings: Settings;
  readonly calcs: CalcStore;
  readonly runs: RunStore;
  /** Work items of every pipeline (pipelines take their own view with `items.of(codec)`). */
  readonly items: ItemStore;
  readonly batches: BatchStore;
  /** Bounded read-only queries for live views (the terminal UI). */
  readonly browse: CampaignBrowser;
  close(): void;
}

/**
 * The campaign a command works on: `--campaign DIR` when given (it must hold retort.yaml),
 * else the nearest directory upwards from `cwd` holding retort.yaml, like git.
 */
export function findCampaignRoot(explicit: string | undefined, cwd: string): string {
  if (explicit !== undefined) {
    const root = resolve(cwd, explicit);
    if (!existsSync(resolve(root, SETTINGS_FILE))) {
      throw new CampaignError(
        `--campaign ${explicit}: no ${SETTINGS_FILE} there; create a campaign with \`retort init ${explicit}\``,
      );
    }
    return root;
  }
  let dir = resolve(cwd);
  for (;;) {
    if (existsSync(resolve(dir, SETTINGS_FILE))) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new CampaignError(
    `no campaign here: neither ${resolve(cwd)} nor any directory above it holds ${SETTINGS_FILE}; create one with \`retort init DIR\` or pass --campaign DIR`,
  );
}

/**
 * Creates a campaign in `dir` (created if missing): settings with every default written out,
 * the store, and the directory layout. Refuses a directory that already is a campaign, and a
 * non-empty directory that is not one (so a campaign is never spread over unrelated files).
 */
export function initCampaign(dir: string): CampaignPaths {
  const paths = campaignPaths(resolve(dir));
  if (existsSync(paths.settings))
    throw new CampaignError(`${paths.root} is already a campaign (${SETTINGS_FILE} exists)`);
  if (existsSync(paths.root)) {
    if (!statSync(paths.root).isDirectory())
      throw new CampaignError(`${paths.root} exists and is not a directory`);
    if (readdirSync(paths.root).length > 0) {
      throw new CampaignError(
        `${paths.root} is not empty; choose a new or empty directory for the campaign`,
      );
    }
  }
  for (const d of [paths.root, paths.work, paths.details, paths.exports, paths.logs])
    mkdirSync(d, { recursive: true });
  writeFileSync(paths.settings, SETTINGS_TEMPLATE, { flag: 'wx' });
  openDatabase(paths.db).close();
  return paths;
}

/**
 * Opens the campaign at `root`. Its store must be there and sound: a missing, damaged or
 * foreign retort.db, or one from a newer release, is refused with one line naming the file and
 * what to do (CampaignError) — never recreated, since the calcs it recorded would be lost.
 */
export function openCampaign(root: string, options: { readonly?: boolean } = {}): Campaign {
  const paths = campaignPaths(root);
  const settings = readSettings(paths.settings);
  if (!existsSync(paths.db)) throw missingStore(paths);
  for (const d of [paths.work, paths.details, paths.exports, paths.logs]) {
    if (options.readonly !== true) mkdirSync(d, { recursive: true });
  }
  const db = openDatabase(paths.db, options);
  return {
    paths,
    id: readCampaignId(db) ?? 'unknown',
    settings,
    calcs: new CalcStore(db),
    runs: new RunStore(db),
    items: new ItemStore(db),
    batches: new BatchStore(db),
    browse: new CampaignBrowser(db),
    close: () => {
      db.close();
    },
  };
}

function missingStore(paths: CampaignPaths): CampaignError {
  const calcDirs = countCalcDirs(paths.work);
  const evidence =
    calcDirs > 0
      ? `work/ holds ${calcDirs} calc director${calcDirs === 1 ? 'y' : 'ies'} it recorded`
      : `${SETTINGS_FILE} says a campaign is here`;
  return new CampaignError(
    `${paths.db}: the campaign's store is missing (${evidence}); ${DAMAGED_STORE_FIX}`,
  );
}

/** Calc directories under work/ (`work/ab/abcd…`). */
function countCalcDirs(work: string): number {
  if (!existsSync(work)) return 0;
  let n = 0;
  for (const prefix of readdirSync(work, { withFileTypes: true })) {
    if (prefix.isDirectory()) n += readdirSync(join(work, prefix.name)).length;
  }
  return n;
}
