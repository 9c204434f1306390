import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CampaignError } from '../../src/core/errors.js';
import { initCampaign, openCampaign } from '../../src/runtime/campaign.js';
import { tempDir } from '../helpers/temp-dir.js';

let tmp: ReturnType<typeof tempDir>;
let root: string;
let db: string;

beforeEach(() => {
  tmp = tempDir();
  root = join(tmp.dir, 'c');
  db = join(root, 'retort.db');
  initCampaign(root);
});
afterEach(() => {
  tmp.remove();
});

/** openCampaign's error, or undefined when it opened. */
function openError(readonly: boolean): unknown {
  try {
    openCampaign(root, { readonly }).close();
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('an open campaign', () => {
  it('hands out its stores and its id, and no database handle', () => {
    const campaign = openCampaign(root);
    expect(campaign.id).toMatch(/^[0-9a-f]{8}$/);
    expect(campaign.calcs.counts().queued).toBe(0);
    expect('db' in campaign).toBe(false);
    campaign.close();
  });

  it('is refused when its store is missing beside calc directories, and no store is made', () => {
    for (const key of ['ab12', 'ab34', 'cd56']) {
      mkdirSync(join(root, 'work', key.slice(0, 2), key), { recursive: true });
    }
    rmSync(db);
    for (const readonly of [false, true]) {
      const error = openError(readonly);
      expect(error).toBeInstanceOf(CampaignError);
      expect((error as Error).message).toBe(
        `${db}: the campaign's store is missing (work/ holds 3 calc directories it recorded); restore it from a backup (removing any retort.db-wal and retort.db-shm beside it), or start afresh deliberately in a new campaign (\`retort init NEWDIR\`, then copy retort.yaml there)`,
      );
      expect(existsSync(db)).toBe(false);
    }
  });

  it('is refused when its store is missing even before any calc ran', () => {
    rmSync(db);
    expect((openError(false) as Error).message).toContain(
      `the campaign's store is missing (retort.yaml says a campaign is here)`,
    );
    expect(existsSync(db)).toBe(false);
  });

  it('is refused when its store is damaged, naming the file', () => {
    writeFileSync(db, 'garbage'.repeat(100));
    const error = openError(false);
    expect(error).toBeInstanceOf(CampaignError);
    expect((error as Error).message).toMatch(
      new RegExp(`^${db}: the store is damaged \\(it is not an SQLite database\\)`),
    );
  });
});
