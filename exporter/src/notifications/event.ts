import { createHash } from 'node:crypto';
import type { NotifySeverity } from './channels/channel.js';

export type EventSource =
  'health' | 'journal' | 'tasks' | 'pve_webhook' | 'alertmanager' | 'api' | 'cli' | 'pipeline';

export type FieldValue = string | number | boolean | null | undefined;

/** Something that happened and may be worth telling someone about. */
export interface NotificationEvent {
  type: string;
  severity: NotifySeverity;
  source: EventSource;
  /** Unix ms. */
  at: number;
  /** Named facts; templates use them as `{name}`. */
  fields: Record<string, FieldValue>;
  /** What it is about (guest 101, disk sda, ip 10.0.0.5): one cooldown per entity and type. */
  entity?: { kind: string; id: string };
  /** Overrides the derived fingerprint (Alertmanager's own fingerprint, for instance). */
  fingerprint?: string;
}

/**
 * Identity for cooldown and dedupe: `type:entityKind:entityId`, or the type plus a hash of the reason
 * when the event names no entity (so two different problems of one type are not merged).
 */
export function fingerprintOf(e: NotificationEvent): string {
  if (e.fingerprint) return e.fingerprint;
  if (e.entity) return `${e.type}:${e.entity.kind}:${e.entity.id}`;
  const reason = String(e.fields.reason ?? e.fields.title ?? '');
  return `${e.type}:${createHash('sha256').update(reason).digest('hex').slice(0, 12)}`;
}
