import type { Db } from '../../store/db.js';
import type { PatternRecord, PatternState } from './analyze.js';

/** The `kv` key holding where journal reading stopped. */
export const CURSOR_KEY = 'journal_cursor';

export function loadCursor(db: Db): string | undefined {
  const row = db.prepare(`SELECT value FROM kv WHERE key = ?`).get(CURSOR_KEY) as
    { value: string } | undefined;
  return row?.value;
}

interface PatternRow {
  hash: string;
  pattern: string;
  severity: string;
  first_seen: number;
  last_seen: number;
  count: number;
  sample: string | null;
}

export function loadPatternState(db: Db): Map<string, PatternRecord> {
  const rows = db
    .prepare(`SELECT hash, pattern, severity, first_seen, last_seen, count, sample FROM log_patterns`)
    .all() as PatternRow[];
  return new Map(
    rows.map((r) => [
      r.hash,
      {
        hash: r.hash,
        pattern: r.pattern,
        severity: r.severity === 'CRITICAL' ? 'CRITICAL' : 'WARNING',
        firstSeen: r.first_seen,
        lastSeen: r.last_seen,
        count: r.count,
        sample: r.sample ?? '',
      },
    ]),
  );
}

/**
 * Writes the new pattern state and the cursor of the last line it counted in one transaction: a crash
 * before the commit leaves both as they were (the lines are read and counted again), a crash after it
 * leaves both advanced (the lines are not read again). Nothing is lost or counted twice.
 */
export function saveLogState(
  db: Db,
  state: PatternState,
  cursor: string | undefined,
  now: number,
  beforeCommit?: () => void,
): void {
  const existing = db.prepare(`SELECT hash FROM log_patterns`);
  const remove = db.prepare(`DELETE FROM log_patterns WHERE hash = ?`);
  const upsert = db.prepare(
    `INSERT INTO log_patterns (hash, pattern, severity, first_seen, last_seen, count, sample)
     VALUES (@hash, @pattern, @severity, @firstSeen, @lastSeen, @count, @sample)
     ON CONFLICT (hash) DO UPDATE SET
       pattern = excluded.pattern, severity = excluded.severity, first_seen = excluded.first_seen,
       last_seen = excluded.last_seen, count = excluded.count, sample = excluded.sample`,
  );
  const setCursor = db.prepare(
    `INSERT INTO kv (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  );
  db.transaction(() => {
    for (const { hash } of existing.all() as { hash: string }[]) if (!state.has(hash)) remove.run(hash);
    for (const r of state.values()) upsert.run(r);
    if (cursor !== undefined) setCursor.run(CURSOR_KEY, cursor, now);
    // Test seam: a crash after the writes but before the commit must leave nothing behind.
    beforeCommit?.();
  })();
}
