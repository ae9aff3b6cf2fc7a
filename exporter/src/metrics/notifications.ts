import type { Registry } from 'prom-client';
import { snapshotCounter, snapshotGauge } from './define.js';

export const metricNames = [
  'proxmon_notifications_sent_total',
  'proxmon_notifications_suppressed_total',
  'proxmon_notifications_outbox',
] as const;

/** What the notification metrics read (persisted counters, so they survive restarts). */
export interface NotificationMetricsSource {
  counters(): ReadonlyMap<string, number>;
  waiting(): ReadonlyMap<string, number>;
  channels(): readonly string[];
}

export function registerNotificationMetrics(
  registry: Registry,
  source: NotificationMetricsSource | undefined,
): void {
  snapshotCounter(
    registry,
    {
      name: 'proxmon_notifications_sent_total',
      help: 'Delivery attempts per channel and result (success, failure)',
      labelNames: ['channel', 'result'],
    },
    (emit) => {
      if (!source) return;
      for (const [name, value] of source.counters()) {
        const m = /^sent:(.+):(success|failure)$/.exec(name);
        if (m) emit({ channel: m[1]!, result: m[2]! }, value);
      }
    },
  );
  snapshotCounter(
    registry,
    {
      name: 'proxmon_notifications_suppressed_total',
      help: 'Events not sent, by reason (cooldown, rate_limit, aggregated, excluded, disabled, no_channel)',
      labelNames: ['reason'],
    },
    (emit) => {
      if (!source) return;
      for (const [name, value] of source.counters())
        if (name.startsWith('suppressed:')) emit({ reason: name.slice(11) }, value);
    },
  );
  snapshotGauge(
    registry,
    {
      name: 'proxmon_notifications_outbox',
      help: 'Deliveries waiting in the durable outbox, per channel',
      labelNames: ['channel'],
    },
    (emit) => {
      if (!source) return;
      const waiting = source.waiting();
      for (const channel of source.channels()) emit({ channel }, waiting.get(channel) ?? 0);
    },
  );
}
