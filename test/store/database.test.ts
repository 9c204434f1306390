import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CampaignError } from '../../src/core/errors.js';
import { openDatabase } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { tempDir } from '../helpers/temp-dir.js';

let tmp: ReturnType<typeof tempDir>;
let path: string;

beforeEach(() => {
  tmp = tempDir();
  path = join(tmp.dir, 'retort.db');
});
afterEach(() => {
  tmp.remove();
});

/** A store as `retort init` leaves it: created, migrated, closed. */
function newStore(): void {
  openDatabase(path).close();
}

/** Opening `path` both ways fails with one CampaignError line naming it; the file is kept. */
function expectRefused(expected: RegExp): void {
  const before = existsSync(path) ? readFileSync(path) : undefined;
  for (const readonly of [false, true]) {
    let thrown: unknown;
    try {
      openDatabase(path, { readonly }).close();
    } catch (error) {
      thrown = error;
    }
    expect(thrown, `readonly: ${String(readonly)}`).toBeInstanceOf(CampaignError);
    const message = (thrown as CampaignError).message;
    expect(message).toMatch(expected);
    expect(message.startsWith(path)).toBe(true);
    expect(message).not.toContain('\n');
  }
  expect(readFileSync(path)).toEqual(before);
}

describe('opening the store', () => {
  it('creates a new store at the latest schema when the file does not exist', () => {
    const db = openDatabase(path);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
  });

  it('opens a sound store again, read-write and read-only, also while a writer has it open', () => {
    newStore();
    const writer = openDatabase(path);
    writer.prepare("INSERT INTO campaign (key, value) VALUES ('probe', 'x')").run();
    expect(existsSync(`${path}-wal`)).toBe(true);
    const reader = openDatabase(path, { readonly: true });
    expect(reader.prepare("SELECT value FROM campaign WHERE key = 'probe'").pluck().get()).toBe(
      'x',
    );
    reader.close();
    writer.close();
    openDatabase(path).close();
  });

  it('refuses a file of garbage bytes as not an SQLite database, and keeps it', () => {
    writeFileSync(path, Buffer.from('this was never a database, just bytes '.repeat(200)));
    expectRefused(
      /the store is damaged \(it is not an SQLite database\); restore it from a backup/,
    );
  });

  it('refuses an empty file instead of taking it for a new store', () => {
    writeFileSync(path, '');
    expectRefused(/the store is damaged \(the file is empty\)/);
  });

  it('refuses a store cut in half as truncated', () => {
    newStore();
    truncateSync(path, Math.floor(statSync(path).size / 2));
    expectRefused(/the store is damaged \(it is truncated: its header counts \d+ bytes/);
  });

  it('refuses a store whose catalogue page SQLite finds malformed', () => {
    newStore();
    const bytes = readFileSync(path);
    bytes.fill(0xa5, 100, 4096);
    writeFileSync(path, bytes);
    expectRefused(/the store is damaged \(.*malformed.*\); restore it from a backup/);
  });

  it('refuses an SQLite database that is not a retort store', () => {
    const other = new Database(path);
    other.exec('CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)');
    other.close();
    expectRefused(/is not a retort store/);
  });

  it('refuses a store written by a newer release, naming both schema versions', () => {
    newStore();
    const raw = new Database(path);
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    raw.close();
    expectRefused(
      new RegExp(
        `was written by a newer retort \\(store schema ${MIGRATIONS.length + 1}; this release knows up to ${MIGRATIONS.length}\\)`,
      ),
    );
  });
});
