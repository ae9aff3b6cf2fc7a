import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { migrations as allMigrations } from './migrations.js';

export type Db = Database.Database;

/** Raised when the data dir or its database cannot be used; the CLI prints it and exits 2. */
export class StoreError extends Error {
  override name = 'StoreError';
}

export const DB_FILE = 'proxmon.db';

/**
 * Opens (creating if needed) the one database in the data dir: WAL so readers never block the
 * writer and a crash loses no committed write, a busy timeout for the CLI running beside the server,
 * an integrity check before anything trusts the file, then pending migrations in one transaction.
 */
export function openStore(dataDir: string, migrations: readonly string[] = allMigrations): Db {
  ensureWritableDir(dataDir);
  const file = join(dataDir, DB_FILE);
  let db: Db;
  try {
    db = new Database(file);
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(String(check));
  } catch (err) {
    throw new StoreError(
      `database ${file} is damaged or not a proxmon database (${(err as Error).message}); ` +
        `restore it from a backup or move it aside to start fresh`,
    );
  }
  migrate(db, migrations, file);
  return db;
}

function migrate(db: Db, migrations: readonly string[], file: string): void {
  const applied = db.pragma('user_version', { simple: true }) as number;
  if (applied > migrations.length) {
    db.close();
    throw new StoreError(
      `database ${file} has schema version ${applied}, newer than this proxmon (${migrations.length}); upgrade proxmon`,
    );
  }
  db.transaction(() => {
    for (let i = applied; i < migrations.length; i++) db.exec(migrations[i]!);
    db.pragma(`user_version = ${migrations.length}`);
  })();
}

function ensureWritableDir(dir: string): void {
  try {
    makeDirs(dir);
    if (!statSync(dir).isDirectory()) throw new StoreError(`data dir ${dir} is not a directory`);
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    if (err instanceof StoreError) throw err;
    throw new StoreError(
      `data dir ${dir} is not writable: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdir spins forever under /proc and /sys (the
 * kernel answers ENOENT for a parent that exists), which would hang start-up on a mistyped path.
 */
function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing) mkdirSync(d, { mode: 0o700 });
}
