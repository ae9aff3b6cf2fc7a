/**
 * The history tables, to be appended to store/migrations.ts as one migration. Times are epoch
 * milliseconds like the other tables. `series` names what is measured (HISTORY_SERIES), `key` which
 * one ('' for host-wide series, the disk_id, the ping target).
 *
 * - history_raw: every recorded sample, kept 24 h.
 * - history_rollup: per `step` (300000 = 5 minutes, 3600000 = 1 hour) and bucket start, the average,
 *   extremes and sample count; 5-minute buckets are kept 7 days, hourly ones 90 days.
 * - history_rollup_done: per step, the time before which every bucket has been rolled up, so a
 *   maintenance run only aggregates what is new and a read knows where the finer data takes over.
 */
export const HISTORY_MIGRATION = `CREATE TABLE history_raw (
     series TEXT NOT NULL,
     key TEXT NOT NULL,
     ts INTEGER NOT NULL,
     value REAL NOT NULL,
     PRIMARY KEY (series, key, ts)
   ) STRICT, WITHOUT ROWID;
   CREATE INDEX history_raw_ts ON history_raw (ts);
   CREATE TABLE history_rollup (
     step INTEGER NOT NULL,
     series TEXT NOT NULL,
     key TEXT NOT NULL,
     ts INTEGER NOT NULL,
     avg REAL NOT NULL,
     min REAL NOT NULL,
     max REAL NOT NULL,
     count INTEGER NOT NULL,
     PRIMARY KEY (step, series, key, ts)
   ) STRICT, WITHOUT ROWID;
   CREATE INDEX history_rollup_ts ON history_rollup (step, ts);
   CREATE TABLE history_rollup_done (
     step INTEGER PRIMARY KEY,
     until INTEGER NOT NULL
   ) STRICT;`;
