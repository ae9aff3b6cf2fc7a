/**
 * Numbered schema migrations. Append only: a released migration is never edited, a change is a new
 * entry. `PRAGMA user_version` records how many have been applied.
 */
export const migrations: readonly string[] = [
  // 1: install-wide key/value facts (install id, creation time); later modules keep their own tables.
  `CREATE TABLE meta (
     key TEXT PRIMARY KEY,
     value TEXT NOT NULL
   ) STRICT;
   INSERT INTO meta (key, value) VALUES
     ('install_id', lower(hex(randomblob(16)))),
     ('created_at', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));`,
];
