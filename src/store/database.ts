import Database from 'better-sqlite3';
import { InfrastructureError } from '../core/errors.js';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

/**
 * Opens the campaign's SQLite store.
 *
 * WAL lets any number of readers (`retort status`, exports) work while the one runner writes.
 * `synchronous = NORMAL` in WAL mode keeps every committed transaction through a crash of the
 * process (SIGKILL included); only a power loss can drop the last few commits, and it never
 * corrupts the file. FULL would add an fsync per transition (measured here: about 2 ms each,
 * i.e. more than the whole per-calc budget of the overhead benchmark).
 */
export function openDatabase(path: string, options: { readonly?: boolean } = {}): Db {
  let db: Db;
  try {
    db = new Database(path, {
      readonly: options.readonly ?? false,
      fileMustExist: options.readonly ?? false,
    });
  } catch (cause) {
    throw new InfrastructureError(`cannot open the store ${path}`, { cause, retryable: false });
  }
  db.pragma('busy_timeout = 10000');
  if (options.readonly !== true) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
  }
  return db;
}

/** Applies the migrations not yet applied, one transaction each. Returns the schema version. */
export function migrate(db: Db): number {
  let version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new InfrastructureError(
      `the store has schema version ${version}, newer than this retort knows (${MIGRATIONS.length}); upgrade retort`,
      { retryable: false },
    );
  }
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
