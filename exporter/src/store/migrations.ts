/**
 * Numbered schema migrations. Append only: a released migration is never edited, a change is a new
 * entry. `PRAGMA user_version` records how many have been applied.
 */
import { HISTORY_MIGRATION } from '../history/schema.js';
import { OCI_SCHEMA } from '../oci/store.js';
import { SMART_TESTS_SCHEMA } from '../smart-tests/store.js';

export const migrations: readonly string[] = [
  // 1: install-wide key/value facts (install id, creation time); later modules keep their own tables.
  `CREATE TABLE meta (
     key TEXT PRIMARY KEY,
     value TEXT NOT NULL
   ) STRICT;
   INSERT INTO meta (key, value) VALUES
     ('install_id', lower(hex(randomblob(16)))),
     ('created_at', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));`,
  // 2: auth — users, sessions, API tokens, login failures, audit log, encrypted secrets.
  `CREATE TABLE users (
     id INTEGER PRIMARY KEY,
     username TEXT NOT NULL UNIQUE COLLATE NOCASE,
     password_hash TEXT NOT NULL,
     role TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
     totp_secret TEXT,            -- encrypted (secrets.ts); NULL when TOTP is off
     totp_pending_secret TEXT,    -- encrypted; set during enrolment until confirmed
     totp_last_step INTEGER,      -- replay protection: the last accepted time step
     backup_codes TEXT,           -- JSON array of salted hashes; used ones are removed
     password_changed_at INTEGER NOT NULL,
     created_at INTEGER NOT NULL
   ) STRICT;
   CREATE TABLE refresh_tokens (
     id INTEGER PRIMARY KEY,
     user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     token_hash TEXT NOT NULL UNIQUE,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     revoked_at INTEGER
   ) STRICT;
   CREATE TABLE api_tokens (
     id INTEGER PRIMARY KEY,
     user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     token_hash TEXT NOT NULL UNIQUE,
     scopes TEXT NOT NULL,        -- JSON array of read, write, admin, terminal
     created_at INTEGER NOT NULL,
     expires_at INTEGER,
     last_used_at INTEGER,
     revoked_at INTEGER
   ) STRICT;
   CREATE TABLE login_failures (
     id INTEGER PRIMARY KEY,
     at INTEGER NOT NULL,
     ip TEXT NOT NULL,
     username TEXT NOT NULL
   ) STRICT;
   CREATE INDEX login_failures_ip ON login_failures (ip, at);
   CREATE INDEX login_failures_user ON login_failures (username, at);
   CREATE TABLE audit_log (
     id INTEGER PRIMARY KEY,
     at INTEGER NOT NULL,
     actor TEXT,                  -- username or token name; NULL when anonymous
     ip TEXT,
     action TEXT NOT NULL,        -- login, login_failed, token_created, settings_changed, ...
     target TEXT,
     detail TEXT                  -- JSON, never a secret
   ) STRICT;
   CREATE INDEX audit_log_at ON audit_log (at);
   CREATE TABLE secrets (
     name TEXT PRIMARY KEY,
     value TEXT NOT NULL          -- encrypted (secrets.ts)
   ) STRICT;`,
  // 3: disk registry — every disk ever seen; one that disappears is marked removed, never forgotten.
  `CREATE TABLE disks (
     disk_id TEXT PRIMARY KEY,
     device TEXT NOT NULL,
     serial TEXT,
     model TEXT,
     size_bytes INTEGER,
     type TEXT NOT NULL,
     first_seen INTEGER NOT NULL,
     last_seen INTEGER NOT NULL,
     removed_at INTEGER
   ) STRICT;`,
  // 4: journal analysis state — where reading stopped, and the log patterns seen over time.
  `CREATE TABLE kv (
     key TEXT PRIMARY KEY,        -- e.g. journal_cursor
     value TEXT NOT NULL,
     updated_at INTEGER NOT NULL
   ) STRICT;
   CREATE TABLE log_patterns (
     hash TEXT PRIMARY KEY,       -- first 8 hex of md5(pattern)
     pattern TEXT NOT NULL,
     severity TEXT NOT NULL,      -- WARNING or CRITICAL
     first_seen INTEGER NOT NULL, -- unix ms
     last_seen INTEGER NOT NULL,
     count INTEGER NOT NULL,
     sample TEXT                  -- the last raw line, for the reason text
   ) STRICT;
   CREATE INDEX log_patterns_last_seen ON log_patterns (last_seen);`,
  // 5: health persistence — errors deduplicated by key (one unresolved row per key, resolved rows kept
  // for history until retention), the events log, dismissal defaults per category, threshold overrides,
  // and storage/interface exclusions. Times are unix ms; only health/store writes these tables.
  `CREATE TABLE health_errors (
     id INTEGER PRIMARY KEY,
     error_key TEXT NOT NULL,
     category TEXT NOT NULL,
     check_name TEXT NOT NULL,
     severity TEXT NOT NULL CHECK (severity IN ('INFO', 'WARNING', 'CRITICAL')),
     reason TEXT NOT NULL,
     details TEXT,                -- JSON object, or NULL
     resource_kind TEXT,          -- details.resource, for vanished-resource cleanup and exclusions
     resource_id TEXT,
     first_seen INTEGER NOT NULL,
     last_seen INTEGER NOT NULL,
     occurrences INTEGER NOT NULL CHECK (occurrences >= 1),
     persistent_at INTEGER,       -- when it reached the persistent count (the event fires once)
     acknowledged_at INTEGER,     -- dismissed when set; expires at acknowledged_at + dismiss_hours
     acknowledged_by TEXT,
     dismiss_hours INTEGER CHECK (dismiss_hours IS NULL OR dismiss_hours > 0), -- NULL = permanent
     dismiss_source TEXT CHECK (dismiss_source IN ('explicit', 'default', 'auto')),
     resolved_at INTEGER,
     resolution TEXT CHECK (resolution IN ('auto', 'vanished', 'excluded')),
     CHECK (last_seen >= first_seen),
     CHECK ((acknowledged_at IS NULL) = (dismiss_source IS NULL)),
     CHECK ((resolved_at IS NULL) = (resolution IS NULL)),
     CHECK (resolved_at IS NULL OR resolved_at >= last_seen)
   ) STRICT;
   CREATE UNIQUE INDEX health_errors_open_key ON health_errors (error_key) WHERE resolved_at IS NULL;
   CREATE INDEX health_errors_open_category ON health_errors (category, severity) WHERE resolved_at IS NULL;
   CREATE INDEX health_errors_open_resource ON health_errors (resource_kind, resource_id)
     WHERE resolved_at IS NULL;
   CREATE INDEX health_errors_resolved_at ON health_errors (resolved_at) WHERE resolved_at IS NOT NULL;
   CREATE INDEX health_errors_key ON health_errors (error_key, id);
   CREATE TABLE health_events (
     id INTEGER PRIMARY KEY,
     at INTEGER NOT NULL,
     type TEXT NOT NULL,          -- new, escalated, downgraded, retriggered, auto_dismissed, resolved, ...
     error_key TEXT NOT NULL,
     category TEXT NOT NULL,
     severity TEXT NOT NULL,
     data TEXT NOT NULL           -- JSON: the rest of the event
   ) STRICT;
   CREATE INDEX health_events_at ON health_events (at);
   CREATE INDEX health_events_key ON health_events (error_key, id);
   CREATE TABLE health_suppression (
     category TEXT PRIMARY KEY,
     dismiss_hours INTEGER CHECK (dismiss_hours IS NULL OR dismiss_hours > 0), -- NULL = permanent
     auto_dismiss INTEGER NOT NULL CHECK (auto_dismiss IN (0, 1)),
     updated_at INTEGER NOT NULL
   ) STRICT;
   CREATE TABLE health_settings (
     key TEXT PRIMARY KEY,        -- threshold_overrides
     value TEXT NOT NULL,         -- JSON
     updated_at INTEGER NOT NULL
   ) STRICT;
   CREATE TABLE health_exclusions (
     kind TEXT NOT NULL CHECK (kind IN ('storage', 'interface')),
     name TEXT NOT NULL,
     health INTEGER NOT NULL CHECK (health IN (0, 1)),               -- 0: kept out of health
     notifications INTEGER NOT NULL CHECK (notifications IN (0, 1)), -- 0: never notified
     reason TEXT,
     created_at INTEGER NOT NULL,
     PRIMARY KEY (kind, name)
   ) STRICT;`,
  // 6: notifications — durable outbox, delivery history, channels, pipeline state (cooldown, bursts,
  // rate windows, quiet-hours and digest holds, counters).
  `CREATE TABLE notify_outbox (
    id INTEGER PRIMARY KEY,              -- delivery order within a channel
    channel TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    severity TEXT NOT NULL,
    message TEXT NOT NULL,               -- JSON RenderedMessage as it will be sent
    original TEXT,                       -- JSON template version when an AI rewrite replaced it
    ai TEXT,                             -- JSON {language, detail} while a rewrite is still to be tried
    state TEXT NOT NULL,                 -- pending | sent | dead
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    finished_at INTEGER
  ) STRICT;
  CREATE INDEX notify_outbox_pending ON notify_outbox (channel, state, id);
  CREATE TABLE notify_history (
    id INTEGER PRIMARY KEY,
    outbox_id INTEGER NOT NULL,
    channel TEXT NOT NULL,
    event_type TEXT NOT NULL,
    severity TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    original_title TEXT,
    original_body TEXT,
    attempt INTEGER NOT NULL,
    at INTEGER NOT NULL,
    success INTEGER NOT NULL,
    error TEXT
  ) STRICT;
  CREATE INDEX notify_history_at ON notify_history (at);
  CREATE INDEX notify_history_channel ON notify_history (channel, at);

  CREATE TABLE notify_channels (
    name TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    spec TEXT NOT NULL,                  -- JSON ChannelSpec without secret values (those live in secrets)
    source TEXT NOT NULL,                -- api | config
    updated_at INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE notify_cooldown (
    fingerprint TEXT PRIMARY KEY,
    last_sent INTEGER NOT NULL,
    count INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE notify_bursts (
    type TEXT PRIMARY KEY,
    started_at INTEGER NOT NULL,
    count INTEGER NOT NULL,              -- events held back after the first
    samples TEXT NOT NULL                -- JSON: up to 20 held-back events
  ) STRICT;
  CREATE TABLE notify_rate (
    grp TEXT NOT NULL,
    at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX notify_rate_grp ON notify_rate (grp, at);
  CREATE TABLE notify_held (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    kind TEXT NOT NULL,                  -- quiet | digest
    at INTEGER NOT NULL,
    event TEXT NOT NULL                  -- JSON NotificationEvent
  ) STRICT;
  CREATE INDEX notify_held_channel ON notify_held (channel, kind, id);
  CREATE TABLE notify_counters (
    name TEXT PRIMARY KEY,               -- sent:<channel>:<result> | suppressed:<reason>
    value INTEGER NOT NULL
  ) STRICT;`,
  // 7-9 live beside the code that uses them; those constants are frozen like every entry here.
  // 7: metric history (raw 24 h, 5-minute 7 d, hourly 90 d).
  HISTORY_MIGRATION,
  // 8: SMART self-test schedules and runs.
  SMART_TESTS_SCHEMA,
  // 9: OCI app deployments.
  OCI_SCHEMA,
];
