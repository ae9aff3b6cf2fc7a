import type { DashboardSpec } from './dashboard.js';
import { N, SEVERITY, stat, timeseries } from './panels.js';

export const health: DashboardSpec = {
  uid: 'proxmon-health',
  title: 'proxmon / Health and notifications',
  description: "proxmon's health categories, its notification pipeline, and sign-in security.",
  rows: [
    {
      title: 'Health',
      panels: [
        stat({
          title: 'Health by category',
          description: 'Worst active finding of each category; the proxmon app lists the findings.',
          unit: 'none',
          w: 24,
          h: 7,
          background: true,
          mappings: SEVERITY,
          steps: [
            [1, 'blue'],
            [2, 'orange'],
            [3, 'red'],
          ],
          queries: [{ expr: `proxmon_health_category_severity{${N}}`, legend: '{{node}} {{category}}' }],
        }),
        timeseries({
          title: 'Active errors',
          unit: 'short',
          w: 12,
          h: 8,
          min: 0,
          queries: [
            {
              expr: `sum by (node, severity) (proxmon_health_active_errors{${N}})`,
              legend: '{{node}} {{severity}}',
            },
          ],
        }),
        timeseries({
          title: 'Categories not evaluated',
          description: 'Categories whose sources are down, so their health is unknown.',
          unit: 'short',
          w: 6,
          h: 8,
          min: 0,
          queries: [{ expr: `sum by (node) (proxmon_health_category_unknown{${N}})`, legend: '{{node}}' }],
        }),
        timeseries({
          title: 'Health cycle',
          unit: 's',
          w: 6,
          h: 8,
          min: 0,
          queries: [
            { expr: `proxmon_health_cycle_duration_seconds{${N}}`, legend: '{{node}} duration' },
            {
              expr: `time() - proxmon_health_last_cycle_timestamp_seconds{${N}}`,
              legend: '{{node}} since last cycle',
            },
          ],
        }),
      ],
    },
    {
      title: 'Notifications',
      panels: [
        timeseries({
          title: 'Notifications sent per hour',
          unit: 'short',
          w: 8,
          h: 8,
          min: 0,
          queries: [
            {
              expr: `sum by (node, channel, result) (increase(proxmon_notifications_sent_total{${N}}[1h]))`,
              legend: '{{node}} {{channel}} {{result}}',
            },
          ],
        }),
        timeseries({
          title: 'Notifications suppressed per hour',
          unit: 'short',
          w: 8,
          h: 8,
          min: 0,
          queries: [
            {
              expr: `sum by (node, reason) (increase(proxmon_notifications_suppressed_total{${N}}[1h]))`,
              legend: '{{node}} {{reason}}',
            },
          ],
        }),
        timeseries({
          title: 'Outbox',
          description: 'Deliveries waiting to be sent or retried.',
          unit: 'short',
          w: 8,
          h: 8,
          min: 0,
          queries: [{ expr: `proxmon_notifications_outbox{${N}}`, legend: '{{node}} {{channel}}' }],
        }),
      ],
    },
    {
      title: 'Security',
      panels: [
        timeseries({
          title: 'Sign-in failures per hour',
          unit: 'short',
          w: 12,
          h: 8,
          min: 0,
          queries: [{ expr: `increase(proxmon_auth_failures_total{${N}}[1h])`, legend: '{{node}}' }],
        }),
        stat({
          title: 'Banned IPs',
          description: "Currently banned by proxmon's fail2ban jail.",
          unit: 'none',
          w: 12,
          h: 8,
          steps: [[1, 'orange']],
          queries: [{ expr: `proxmon_auth_banned_ips{${N}}`, legend: '{{node}}' }],
        }),
      ],
    },
  ],
};
