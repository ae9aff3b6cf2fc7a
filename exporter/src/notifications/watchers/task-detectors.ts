import type { PveTask } from '../../pve-model/tasks.js';
import type { NotifySeverity } from '../channels/channel.js';
import { isKnownEvent } from '../catalogue.js';
import type { FieldValue, NotificationEvent } from '../event.js';

/**
 * PVE task outcomes → notification events (reference §3.4 TaskWatcher). PURE: the watcher decides
 * which tasks are new and what is suppressed.
 */

export type GuestType = 'vm' | 'ct';

interface TaskKind {
  /** Event for a successful run; `_warning` is tried for WARNINGS, `<guest>_fail` or `fail` for errors. */
  ok: string;
  fail: string;
  /** What the task did, for `{action}` in the fail templates. */
  action: string;
  guest?: GuestType;
}

const vm = (ok: string, action: string): TaskKind => ({ ok, fail: 'vm_fail', action, guest: 'vm' });
const ct = (ok: string, action: string): TaskKind => ({ ok, fail: 'ct_fail', action, guest: 'ct' });

export const TASK_KINDS: Readonly<Record<string, TaskKind>> = {
  qmstart: vm('vm_start', 'start'),
  qmstop: vm('vm_stop', 'stop'),
  qmshutdown: vm('vm_shutdown', 'shutdown'),
  qmreboot: vm('vm_restart', 'reboot'),
  qmreset: vm('vm_restart', 'reset'),
  vzstart: ct('ct_start', 'start'),
  vzstop: ct('ct_stop', 'stop'),
  vzshutdown: ct('ct_shutdown', 'shutdown'),
  vzreboot: ct('ct_restart', 'reboot'),
  qmsnapshot: { ok: 'snapshot_complete', fail: 'snapshot_fail', action: 'snapshot', guest: 'vm' },
  vzsnapshot: { ok: 'snapshot_complete', fail: 'snapshot_fail', action: 'snapshot', guest: 'ct' },
  qmigrate: { ok: 'migration_complete', fail: 'migration_fail', action: 'migrate', guest: 'vm' },
  vzmigrate: { ok: 'migration_complete', fail: 'migration_fail', action: 'migrate', guest: 'ct' },
  vzdump: { ok: 'backup_complete', fail: 'backup_fail', action: 'backup' },
};

/** Guest power events a backup causes (stop/suspend modes): dropped during a vzdump and just after. */
export const GUEST_POWER_EVENTS: ReadonlySet<string> = new Set([
  'vm_start',
  'vm_stop',
  'vm_shutdown',
  'vm_restart',
  'ct_start',
  'ct_stop',
  'ct_shutdown',
  'ct_restart',
]);

export const isMigration = (type: string | undefined) => type === 'qmigrate' || type === 'vzmigrate';

/** `UPID:node:pid:pstart:starttime:type:id:user:` — for rows that lack the split-out fields. */
export function parseUpid(upid: string): { node?: string; type?: string; id?: string; user?: string } {
  const parts = upid.split(':');
  if (parts[0] !== 'UPID' || parts.length < 8) return {};
  const [, node, , , , type, id, user] = parts;
  const out: { node?: string; type?: string; id?: string; user?: string } = {};
  if (node) out.node = node;
  if (type) out.type = type;
  if (id) out.id = id;
  if (user) out.user = user;
  return out;
}

/** The task's fields, filled from its UPID where the listing left them out. */
export function taskFacts(t: PveTask): { type?: string; id?: string; node?: string; user?: string } {
  const u = parseUpid(t.upid);
  return { type: t.type ?? u.type, id: t.id || u.id, node: t.node ?? u.node, user: t.user ?? u.user };
}

export interface TaskEventOptions {
  guestName?: string | undefined;
  /** vzdump outcomes; off when the PVE notification webhook reports backups. */
  backupOutcomes: boolean;
  /** Unix ms, for a finished task without an end time. */
  now: number;
}

/** The event for a finished task, or undefined for task types that are not notified. */
export function taskEvent(task: PveTask, options: TaskEventOptions): NotificationEvent | undefined {
  const facts = taskFacts(task);
  const kind = facts.type !== undefined ? TASK_KINDS[facts.type] : undefined;
  if (!kind || task.outcome === 'running') return undefined;
  if (facts.type === 'vzdump' && !options.backupOutcomes) return undefined;
  let type: string;
  let severity: NotifySeverity;
  if (task.outcome === 'ok') {
    type = kind.ok;
    severity = 'INFO';
  } else if (task.outcome === 'warning') {
    // Only some types have a `_warning` event; the others keep their own type at WARNING.
    type = isKnownEvent(`${kind.ok}_warning`)
      ? `${kind.ok}_warning`
      : kind.ok.replace(/_complete$/, '_warning');
    if (!isKnownEvent(type)) type = kind.ok;
    severity = 'WARNING';
  } else {
    type = kind.fail;
    severity = 'CRITICAL';
  }
  const at = task.endtime !== undefined ? task.endtime * 1000 : options.now;
  return build(task, facts, kind, type, severity, at, options.guestName, reasonOf(task, facts, kind));
}

/** migration_start for a migration seen running. */
export function migrationStartEvent(task: PveTask, guestName?: string): NotificationEvent | undefined {
  const facts = taskFacts(task);
  const kind = facts.type !== undefined ? TASK_KINDS[facts.type] : undefined;
  if (!kind || !isMigration(facts.type) || task.outcome !== 'running') return undefined;
  const at = (task.starttime ?? 0) * 1000;
  const reason = `${facts.type} ${facts.id ?? ''} started by ${facts.user ?? 'unknown'} on ${facts.node ?? '?'}`;
  return build(task, facts, kind, 'migration_start', 'INFO', at, guestName, reason.replace(/\s+/g, ' '));
}

function reasonOf(task: PveTask, facts: ReturnType<typeof taskFacts>, kind: TaskKind): string {
  const what = `${facts.type}${facts.id ? ` ${facts.id}` : ''}`;
  if (task.outcome === 'ok') return `${what}: ${kind.action} finished OK (${facts.user ?? 'unknown user'})`;
  return `${what}: ${task.status ?? 'failed'}`;
}

function build(
  task: PveTask,
  facts: ReturnType<typeof taskFacts>,
  kind: TaskKind,
  type: string,
  severity: NotifySeverity,
  at: number,
  guestName: string | undefined,
  reason: string,
): NotificationEvent {
  const vmid = facts.id !== undefined && /^\d{1,9}$/.test(facts.id) ? Number(facts.id) : undefined;
  const duration =
    task.endtime !== undefined && task.starttime !== undefined ? task.endtime - task.starttime : undefined;
  const fields: Record<string, FieldValue> = {
    reason,
    vmid,
    vmname: guestName,
    guest_type: kind.guest,
    action: kind.action,
    node: facts.node,
    user: facts.user,
    task_type: facts.type,
    status: task.status,
    upid: task.upid,
    duration_seconds: duration !== undefined && duration >= 0 ? duration : undefined,
  };
  for (const k of Object.keys(fields)) if (fields[k] === undefined) delete fields[k];
  return {
    type,
    severity,
    source: 'tasks',
    at,
    fields,
    // A backup job over several guests names none: it is its own entity.
    entity: vmid !== undefined ? { kind: 'guest', id: String(vmid) } : { kind: 'task', id: task.upid },
  };
}
