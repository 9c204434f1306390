import { existsSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { cleanupTempDirs, commandLines, runCli, tempCampaign } from '../helpers/cli.js';

afterEach(async () => {
  expect(await cleanupTempDirs()).toEqual([]);
});

/** A campaign that has run one calc (so work/ holds its directory). */
function campaignWithWork(): string {
  const dir = tempCampaign();
  writeFileSync(join(dir, 'calcs.jsonl'), commandLines([{ argv: ['echo', 'hello'] }]));
  const r = runCli(['run', 'calcs.jsonl'], { cwd: dir });
  expect(r.status, r.stderr).toBe(0);
  return dir;
}

const damages: Record<string, { damage: (db: string) => void; line: RegExp }> = {
  'a missing store next to calc directories': {
    damage: (db) => {
      for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
    },
    line: /the campaign's store is missing \(work\/ holds 1 calc directory it recorded\); restore it from a backup/,
  },
  'a store cut in half': {
    damage: (db) => {
      truncateSync(db, Math.floor(statSync(db).size / 2));
    },
    line: /the store is damaged \(it is truncated: .*\); restore it from a backup/,
  },
  'a store overwritten with garbage bytes': {
    damage: (db) => {
      writeFileSync(db, Buffer.alloc(statSync(db).size, 'not a database '));
    },
    line: /the store is damaged \(it is not an SQLite database\); restore it from a backup/,
  },
  'a store from a newer release': {
    damage: (db) => {
      const raw = new Database(db);
      raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
      raw.close();
    },
    line: /was written by a newer retort \(store schema \d+; this release knows up to \d+\); use that release or a newer one/,
  },
};

describe('a damaged store', () => {
  for (const [name, { damage, line }] of Object.entries(damages)) {
    it(`is reported in one line by status and run, and left as it is: ${name}`, () => {
      const dir = campaignWithWork();
      const db = join(dir, 'retort.db');
      damage(db);
      const before = existsSync(db) ? readFileSync(db) : undefined;
      for (const args of [['status'], ['run', 'calcs.jsonl']]) {
        const r = runCli(args, { cwd: dir });
        expect(r.status, args[0]).toBe(2);
        const lines = r.stderr.split('\n').filter((l) => l !== '');
        expect(lines, args[0]).toHaveLength(1);
        expect(lines[0]).toMatch(line);
        expect(lines[0]?.startsWith(`retort: ${db}`)).toBe(true);
        expect(r.stderr).not.toContain('internal error');
      }
      expect(existsSync(db) ? readFileSync(db) : undefined).toEqual(before);
    });
  }
});
