import type { PveTask } from '../../pve-model/tasks.js';
import type { NotificationEvent } from '../event.js';
import {
  GUEST_POWER_EVENTS,
  isMigration,
  migrationStartEvent,
  taskEvent,
  taskFacts,
} from './task-detectors.js';

/** Plain data (JSON-safe) the caller persists between runs. */
export interface TaskWatcherState {
  /** Unix ms: tasks that ended at or before this are never notified (first start, or forgotten UPIDs). */
  since: number;
  /** Finished tasks already handled: [UPID, end in unix ms], oldest end first. */
  seen: Array<[string, number]>;
  /** Running migrations whose migration_start went out. */
  announced: string[];
}

export interface TaskWatcherOptions {
  onEvent: (e: NotificationEvent) => void;
  /** The persisted state; absent on the first run, when everything already finished is skipped. */
  state?: unknown;
  guestName?: (vmid: number) => string | undefined;
  /** vzdump backup_complete/_warning/_fail; turn off when the PVE notification webhook reports backups. */
  backupOutcomes?: boolean;
  /** After a vzdump ends, guest start/stop events stay suppressed this long (its stop/suspend modes cause them). */
  backupQuietMs?: number;
  maxSeen?: number;
  now?: () => number;
}

export interface TaskWatcher {
  /**
   * One refresh of the task list (the pve-tasks snapshot). With `node`, tasks of other nodes (a
   * cluster-wide listing) are left to their own node's exporter.
   */
  onTasks(tasks: readonly PveTask[], node?: string): void;
  state(): TaskWatcherState;
}

export const DEFAULT_TASK_WATCHER = { backupOutcomes: true, backupQuietMs: 120_000, maxSeen: 5_000 } as const;
const MAX_ANNOUNCED = 500;

/**
 * Emits each finished PVE task once: VM/CT power actions, snapshots, migrations (also their start)
 * and, optionally, backups. Guest start/stop during a vzdump on the same node, and for 120 s after,
 * are the backup's own doing and are dropped (failures still pass).
 */
export function createTaskWatcher(options: TaskWatcherOptions): TaskWatcher {
  const now = options.now ?? Date.now;
  const backupOutcomes = options.backupOutcomes ?? DEFAULT_TASK_WATCHER.backupOutcomes;
  const quietMs = options.backupQuietMs ?? DEFAULT_TASK_WATCHER.backupQuietMs;
  const maxSeen = options.maxSeen ?? DEFAULT_TASK_WATCHER.maxSeen;
  const restored = validState(options.state);
  let since = restored?.since ?? now();
  const seen = new Map<string, number>(restored?.seen ?? []);
  const announced = new Set<string>(restored?.announced ?? []);

  const nameOf = (id: string | undefined) =>
    id !== undefined && /^\d{1,9}$/.test(id) ? options.guestName?.(Number(id)) : undefined;

  const emit = (e: NotificationEvent) => {
    options.onEvent(e);
  };

  const forgetOldest = () => {
    if (seen.size <= maxSeen) return;
    const byEnd = [...seen].sort((a, b) => a[1] - b[1]);
    for (const [upid, end] of byEnd.slice(0, seen.size - maxSeen)) {
      seen.delete(upid);
      // Anything ending this early is now refused by time, so a forgotten UPID cannot come back.
      since = Math.max(since, end);
    }
  };

  return {
    onTasks(tasks, node) {
      const at = now();
      const mine = tasks.filter((t) => node === undefined || (taskFacts(t).node ?? node) === node);
      const backups = backupWindows(mine, at, quietMs);
      const finished = mine
        .filter((t) => t.outcome !== 'running')
        .map((t) => ({ t, end: (t.endtime ?? t.starttime ?? at / 1000) * 1000 }))
        .sort((a, b) => a.end - b.end);
      for (const { t, end } of finished) {
        announced.delete(t.upid);
        if (end <= since || seen.has(t.upid)) continue;
        seen.set(t.upid, end);
        const e = taskEvent(t, { guestName: nameOf(taskFacts(t).id), backupOutcomes, now: at });
        if (!e) continue;
        if (GUEST_POWER_EVENTS.has(e.type) && e.severity === 'INFO' && inWindow(backups, end)) continue;
        emit(e);
      }
      for (const t of mine) {
        if (t.outcome !== 'running' || !isMigration(taskFacts(t).type) || announced.has(t.upid)) continue;
        if ((t.starttime ?? 0) * 1000 <= since) continue;
        announced.add(t.upid);
        const e = migrationStartEvent(t, nameOf(taskFacts(t).id));
        if (e) emit(e);
      }
      while (announced.size > MAX_ANNOUNCED) announced.delete(announced.values().next().value!);
      forgetOldest();
    },
    state() {
      return {
        since,
        seen: [...seen].sort((a, b) => a[1] - b[1]),
        announced: [...announced],
      };
    },
  };
}

/** [start, end + quiet] in unix ms of each vzdump in the list; a running one lasts until now. */
export function backupWindows(
  tasks: readonly PveTask[],
  nowMs: number,
  quietMs: number,
): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const t of tasks) {
    if (taskFacts(t).type !== 'vzdump' || t.starttime === undefined) continue;
    const end = t.outcome === 'running' ? nowMs : (t.endtime ?? t.starttime) * 1000;
    out.push([t.starttime * 1000, end + quietMs]);
  }
  return out;
}

const inWindow = (windows: ReadonlyArray<[number, number]>, at: number) =>
  windows.some(([from, to]) => at >= from && at <= to);

function validState(state: unknown): TaskWatcherState | undefined {
  if (typeof state !== 'object' || state === null) return undefined;
  const s = state as Partial<Record<keyof TaskWatcherState, unknown>>;
  if (typeof s.since !== 'number' || !Number.isFinite(s.since)) return undefined;
  const seen = Array.isArray(s.seen)
    ? s.seen.filter(
        (p): p is [string, number] =>
          Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'number' && Number.isFinite(p[1]),
      )
    : [];
  const announced = Array.isArray(s.announced)
    ? s.announced.filter((u): u is string => typeof u === 'string')
    : [];
  return { since: s.since, seen, announced };
}
