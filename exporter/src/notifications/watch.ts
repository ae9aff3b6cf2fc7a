import type { Logger } from 'pino';
import type { SnapshotReader } from '../snapshots.js';
import type { PveSnapshot, PveTasksSnapshot } from '../sources/pve/index.js';
import { PVE_SOURCE, PVE_TASKS_SOURCE } from '../sources/pve/index.js';
import type { Db } from '../store/db.js';
import type { NotificationEngine } from './engine.js';
import { createJournalWatcher, type JournalCheckpoint } from './watchers/journal-watcher.js';
import { createTaskWatcher } from './watchers/task-watcher.js';

const JOURNAL_KEY = 'notify_journal_checkpoint';
const TASKS_KEY = 'notify_task_watcher';

function load<T>(db: Db, key: string): T | undefined {
  const row = db.prepare('SELECT value FROM kv WHERE key = ?').get(key) as { value: string } | undefined;
  try {
    return row ? (JSON.parse(row.value) as T) : undefined;
  } catch {
    return undefined;
  }
}

function save(db: Db, key: string, value: unknown): void {
  db.prepare(
    `INSERT INTO kv (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  ).run(key, JSON.stringify(value), Date.now());
}

export interface Watchers {
  /** Call after each successful refresh of a source (the task watcher follows `pve-tasks`). */
  onSource(source: string): void;
  start(): void;
  stop(): Promise<void>;
}

/**
 * The journal watcher (auth failures, bans, kernel and disk problems, service failures, cluster,
 * shutdowns) and the PVE task watcher (guest lifecycle, backups, migrations), feeding the engine;
 * their positions persist in SQLite so a restart neither repeats nor loses events.
 */
export function createWatchers(deps: {
  db: Db;
  engine: NotificationEngine;
  snapshots: SnapshotReader;
  logger: Logger;
  journal: { enabled: boolean; directory?: string | undefined };
  /** When PVE's webhook reports backup outcomes, the task watcher leaves them to it. */
  backupsFromWebhook: boolean;
}): Watchers {
  const log = deps.logger.child({ component: 'watchers' });
  const guestName = (vmid: number) =>
    deps.snapshots.latest<PveSnapshot>(PVE_SOURCE)?.guests.find((g) => g.vmid === vmid)?.name;
  const submit = (e: Parameters<NotificationEngine['submit']>[0]) => void deps.engine.submit(e);
  const journal = deps.journal.enabled
    ? createJournalWatcher({
        onEvent: submit,
        onCursor: (c) => save(deps.db, JOURNAL_KEY, c),
        checkpoint: load<JournalCheckpoint>(deps.db, JOURNAL_KEY),
        guestName,
        onProblem: (message) => log.warn({ reason: message }, 'journal watcher'),
        ...(deps.journal.directory ? { directory: deps.journal.directory } : {}),
      })
    : undefined;
  const tasks = createTaskWatcher({
    onEvent: submit,
    state: load(deps.db, TASKS_KEY),
    guestName,
    backupOutcomes: !deps.backupsFromWebhook,
  });
  return {
    onSource(source) {
      if (source !== PVE_TASKS_SOURCE) return;
      const snap = deps.snapshots.latest<PveTasksSnapshot>(PVE_TASKS_SOURCE);
      if (!snap) return;
      tasks.onTasks(snap.tasks, snap.node);
      save(deps.db, TASKS_KEY, tasks.state());
    },
    start: () => journal?.start(),
    stop: async () => {
      await journal?.stop();
    },
  };
}
