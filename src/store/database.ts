import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import Database from 'better-sqlite3';
import { CampaignError, InfrastructureError } from '../core/errors.js';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

/**
 * What to do with a store that cannot be used: the one advice every "damaged store" line ends
 * with. A store is never recreated behind the user's back: the calcs it recorded would be
 * computed again and the results it holds would be gone.
 */
export const DAMAGED_STORE_FIX =
  'restore it from a backup (removing any retort.db-wal and retort.db-shm beside it), or start afresh deliberately in a new campaign (`retort init NEWDIR`, then copy retort.yaml there)';

/**
 * Opens the campaign's SQLite store; a file that does not exist is created as a new store
 * (readonly: refused).
 *
 * An existing file is checked before use, cheaply (its 100-byte header and size, its schema
 * version and one catalogue lookup; never a full integrity check): a file that is not an
 * SQLite database, one shorter than its header says, an SQLite database that is not a retort
 * store and a store from a newer release are each refused with one line naming the file
 * (CampaignError).
 *
 * WAL lets any number of readers (`retort status`, exports) work while the one runner writes.
 * `synchronous = NORMAL` in WAL mode keeps every committed transaction through a crash of the
 * process (SIGKILL included); only a power loss can drop the last few commits, and it never
 * corrupts the file. FULL would add an fsync per transition (measured here: about 2 ms each,
 * i.e. more than the whole per-calc budget of the overhead benchmark).
 */
export function openDatabase(path: string, options: { readonly?: boolean } = {}): Db {
  const readonly = options.readonly ?? false;
  const existed = existsSync(path);
  if (existed) {
    let problem: string | undefined;
    try {
      problem = fileProblem(path);
    } catch (cause) {
      throw new InfrastructureError(`cannot read the store ${path}`, { cause, retryable: false });
    }
    if (problem !== undefined) throw damaged(path, problem);
  }
  let db: Db;
  try {
    db = new Database(path, { readonly, fileMustExist: readonly });
  } catch (cause) {
    throw new InfrastructureError(`cannot open the store ${path}`, { cause, retryable: false });
  }
  try {
    db.pragma('busy_timeout = 10000');
    if (existed) checkSchema(db, path);
    if (readonly && (db.pragma('user_version', { simple: true }) as number) < MIGRATIONS.length) {
      // A store of an older release, opened to be read (status, exports, the TUI): this
      // release's queries need its columns, so it is brought up to date first, by a short
      // read-write open that applies the missing migrations (each one transaction).
      db.close();
      openDatabase(path).close();
      return openDatabase(path, options);
    }
    if (!readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db);
    }
    return db;
  } catch (error) {
    db.close();
    if (isCorruption(error)) throw damaged(path, errorText(error), error);
    throw error;
  }
}

/** Applies the migrations not yet applied, one transaction each. Returns the schema version. */
function migrate(db: Db): number {
  let version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) throw newerStore(db.name, version);
  while (version < MIGRATIONS.length) {
    const sql = MIGRATIONS[version] ?? '';
    const next = version + 1;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${next}`);
    })();
    version = next;
  }
  return version;
}

/** The campaign's id (migration 3), or undefined in a store made before it, opened read-only. */
export function readCampaignId(db: Db): string | undefined {
  if ((db.pragma('user_version', { simple: true }) as number) < 3) return undefined;
  const row = db.prepare("SELECT value FROM campaign WHERE key = 'id'").get() as
    { value: string } | undefined;
  return row?.value;
}

const HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * What is wrong with the file judged by its header alone, or undefined. The header's page count
 * is compared with the file's size only when no write-ahead log is beside it: while one is, a
 * checkpoint may be writing the file (the header first), and the log holds the newest pages.
 */
function fileProblem(path: string): string | undefined {
  const first = readHeader(path);
  if (first.size === 0) return 'the file is empty';
  if (first.header.length < 100 || !first.header.subarray(0, 16).equals(HEADER))
    return 'it is not an SQLite database';
  if (pagesExpected(first.header) * pageSize(first.header) <= first.size) return undefined;
  if (existsSync(`${path}-wal`)) return undefined;
  // A checkpoint that ended since the first look has finished growing the file: look again.
  const again = readHeader(path);
  const expected = pagesExpected(again.header) * pageSize(again.header);
  return expected <= again.size
    ? undefined
    : `it is truncated: its header counts ${expected} bytes, the file holds ${again.size}`;
}

function readHeader(path: string): { header: Buffer; size: number } {
  const fd = openSync(path, 'r');
  try {
    const header = Buffer.alloc(100);
    const n = readSync(fd, header, 0, 100, 0);
    return { header: header.subarray(0, n), size: fstatSync(fd).size };
  } finally {
    closeSync(fd);
  }
}

function pageSize(header: Buffer): number {
  const raw = header.readUInt16BE(16);
  return raw === 1 ? 65536 : raw;
}

/** The header's page count, 0 when the header says it is not to be trusted (an old writer). */
function pagesExpected(header: Buffer): number {
  const changeCounter = header.readUInt32BE(24);
  const validFor = header.readUInt32BE(92);
  return changeCounter === validFor ? header.readUInt32BE(28) : 0;
}

/** Refuses an SQLite database that is not a retort store, or one from a newer retort. */
function checkSchema(db: Db, path: string): void {
  const calcs = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'calcs'")
    .get();
  if (calcs === undefined) {
    throw new CampaignError(
      `${path} is not a retort store (an SQLite database without retort's tables); ${DAMAGED_STORE_FIX}`,
    );
  }
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) throw newerStore(path, version);
}

function newerStore(path: string, version: number): CampaignError {
  return new CampaignError(
    `${path} was written by a newer retort (store schema ${version}; this release knows up to ${MIGRATIONS.length}); use that release or a newer one`,
  );
}

function damaged(path: string, problem: string, cause?: unknown): CampaignError {
  return new CampaignError(`${path}: the store is damaged (${problem}); ${DAMAGED_STORE_FIX}`, {
    cause,
  });
}

/** SQLite's own verdict that the file is not a database or is corrupt. */
function isCorruption(error: unknown): boolean {
  if (!(error instanceof Database.SqliteError)) return false;
  return error.code === 'SQLITE_NOTADB' || error.code.startsWith('SQLITE_CORRUPT');
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
