import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DB_FILE, openStore, StoreError } from './db.js';
import { migrations } from './migrations.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'proxmon-store-'));

describe('openStore', () => {
  it('creates the database in WAL mode with every migration applied', () => {
    const dir = fresh();
    const db = openStore(dir);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(db.prepare(`SELECT value FROM meta WHERE key = 'install_id'`).pluck().get()).toMatch(
      /^[0-9a-f]{32}$/,
    );
    db.close();
    // Reopening applies nothing twice and keeps what was stored.
    const again = openStore(dir);
    expect(again.prepare(`SELECT count(*) FROM meta`).pluck().get()).toBe(2);
    again.close();
  });

  it('applies pending migrations in one transaction: a failing one leaves nothing half-done', () => {
    const dir = fresh();
    openStore(dir, ['CREATE TABLE a (x INTEGER);']).close();
    expect(() => openStore(dir, ['CREATE TABLE a (x INTEGER);', 'CREATE TABLE b (y);', 'NOT SQL'])).toThrow();
    const db = openStore(dir, ['CREATE TABLE a (x INTEGER);']);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'b'`).get()).toBeUndefined();
    db.close();
  });

  it('refuses a damaged database file with a clear error', () => {
    const dir = fresh();
    writeFileSync(join(dir, DB_FILE), Buffer.alloc(8192, 0x5a));
    expect(() => openStore(dir)).toThrow(StoreError);
    expect(() => openStore(dir)).toThrow(/proxmon\.db is damaged or not a proxmon database/);
  });

  it('refuses a schema newer than this build', () => {
    const dir = fresh();
    openStore(dir, ['SELECT 1;', 'SELECT 1;']).close();
    expect(() => openStore(dir, ['SELECT 1;'])).toThrow(/schema version 2, newer than this proxmon/);
  });

  it('refuses a data dir it cannot create, without hanging (even as root: /proc takes no new folders)', () => {
    expect(() => openStore('/proc/proxmon-test/data')).toThrow(
      /data dir \/proc\/proxmon-test\/data is not writable: ENOENT/,
    );
  });

  it('refuses a data dir that is a file', () => {
    const dir = fresh();
    const file = join(dir, 'file');
    writeFileSync(file, 'x');
    expect(() => openStore(file)).toThrow(/data dir .*file is not a directory/);
  });
});
