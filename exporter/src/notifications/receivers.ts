import { z } from 'zod';
import type { NotifySeverity } from './channels/channel.js';
import type { NotificationEvent } from './event.js';

/** Alertmanager's webhook payload, version 4 (only what proxmon reads; the rest passes). */
export const alertmanagerPayload = z.looseObject({
  version: z.literal('4'),
  status: z.enum(['firing', 'resolved']),
  externalURL: z.string().optional(),
  alerts: z
    .array(
      z.looseObject({
        status: z.enum(['firing', 'resolved']),
        labels: z.record(z.string(), z.string()),
        annotations: z.record(z.string(), z.string()).default({}),
        startsAt: z.string(),
        endsAt: z.string().optional(),
        generatorURL: z.string().optional(),
        fingerprint: z.string().min(1).max(64),
      }),
    )
    .max(1000),
});
export type AlertmanagerPayload = z.output<typeof alertmanagerPayload>;

const severityOf = (label: string | undefined): NotifySeverity => {
  switch (label?.toLowerCase()) {
    case 'critical':
    case 'page':
    case 'error':
      return 'CRITICAL';
    case 'info':
    case 'none':
      return 'INFO';
    default:
      return 'WARNING';
  }
};

/**
 * One event per alert. The fingerprint includes the alert's own fingerprint, status and start, so
 * Alertmanager's repeats and an HA pair's duplicate posts notify once, and a new firing notifies again.
 */
export function alertmanagerEvents(p: AlertmanagerPayload, at: number): NotificationEvent[] {
  return p.alerts.map((a) => ({
    type: a.status === 'firing' ? 'alert_firing' : 'alert_resolved',
    severity: a.status === 'resolved' ? 'OK' : severityOf(a.labels.severity),
    source: 'alertmanager',
    at,
    fields: {
      alertname: a.labels.alertname ?? 'alert',
      summary: a.annotations.summary ?? '',
      description: a.annotations.description ?? '',
      runbook_url: a.annotations.runbook_url,
      node: a.labels.node ?? a.labels.instance,
      labels: Object.entries(a.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(', '),
      started_at: a.startsAt,
      url: a.generatorURL ?? p.externalURL,
    },
    fingerprint: `am:${a.fingerprint}:${a.status}:${a.startsAt}`,
  }));
}

/** The body proxmon asks PVE's webhook target to send (see the setup route). */
export const pveWebhookPayload = z.looseObject({
  title: z.string().max(256),
  message: z.string().max(262_144).default(''),
  severity: z.string().max(32).default('info'),
  timestamp: z.coerce.number().int().positive(),
  fields: z.record(z.string(), z.unknown()).default({}),
});
export type PveWebhookPayload = z.output<typeof pveWebhookPayload>;

/** PVE's severities (info, notice, warning, error, unknown) onto ours. */
const pveSeverity = (s: string): NotifySeverity =>
  /crit|err|alert|emerg/i.test(s) ? 'CRITICAL' : /warn|notice/i.test(s) ? 'WARNING' : 'INFO';

/** Classifies a PVE notification by its `type` field (vzdump, fencing, replication, package-updates, system-mail). */
export function pveWebhookEvent(p: PveWebhookPayload, at: number): NotificationEvent {
  const severity = pveSeverity(p.severity);
  const fieldType = typeof p.fields.type === 'string' ? p.fields.type : '';
  const failed = severity === 'CRITICAL';
  let type: string;
  switch (fieldType) {
    case 'vzdump':
      type = failed ? 'backup_fail' : severity === 'WARNING' ? 'backup_warning' : 'backup_complete';
      break;
    case 'fencing':
      type = 'split_brain';
      break;
    case 'replication':
      type = failed ? 'replication_fail' : 'replication_complete';
      break;
    case 'package-updates':
      type = 'update_available';
      break;
    case 'system-mail':
      type = /^cron\b/i.test(p.title) ? 'cron_output' : 'system_mail';
      break;
    default:
      type = /backup/i.test(p.title) ? (failed ? 'backup_fail' : 'backup_complete') : 'system_problem';
  }
  const hostname = typeof p.fields.hostname === 'string' ? p.fields.hostname : undefined;
  const job = typeof p.fields['job-id'] === 'string' ? p.fields['job-id'] : undefined;
  return {
    type,
    severity: type.endsWith('_complete') ? 'INFO' : severity,
    source: 'pve_webhook',
    at,
    fields: { title: p.title, reason: p.message.slice(0, 4000), node: hostname, job },
    fingerprint: `pve:${type}:${p.timestamp}:${job ?? p.title}`,
  };
}
