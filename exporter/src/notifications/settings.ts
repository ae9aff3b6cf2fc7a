import { z } from 'zod';
import type { Db } from '../store/db.js';
import { CHANNEL_TYPES } from './channels/channel.js';
import { EVENT_GROUPS } from './catalogue.js';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM (24 h)');
export const CHANNEL_NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;

/** What a channel does besides where it sends: filters, quiet hours, digest, AI. */
export const channelPolicySchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Per group: false mutes the whole group on this channel (default: all on). */
  groups: z.partialRecord(z.enum(EVENT_GROUPS), z.boolean()).default({}),
  /** Per event type: overrides the catalogue's default. */
  events: z.record(z.string().regex(/^[a-z0-9_]{1,64}$/), z.boolean()).default({}),
  /** Events below this severity are not sent here (OK always passes: it closes what was sent). */
  min_severity: z.enum(['INFO', 'WARNING', 'CRITICAL']).default('INFO'),
  /** Local time window in which only CRITICAL goes out; the rest arrives as one summary afterwards. */
  quiet_hours: z.strictObject({ start: hhmm, end: hhmm }).optional(),
  /** INFO events (lifecycle and backups excepted) are collected and sent once a day at this time. */
  digest: z.strictObject({ time: hhmm }).optional(),
  ai: z
    .strictObject({
      enabled: z.boolean().default(false),
      detail: z.enum(['brief', 'standard', 'detailed']).default('standard'),
      language: z
        .string()
        .regex(/^[a-z]{2}$/)
        .default('en'),
    })
    .prefault({}),
});
export type ChannelPolicy = z.output<typeof channelPolicySchema>;

/** A channel as stored and provisioned: name, type, type-specific config (validated by its kind), policy. */
export const channelSpecSchema = channelPolicySchema.extend({
  name: z.string().regex(CHANNEL_NAME, 'lowercase letters, digits, - and _ (max 40)'),
  type: z.enum(CHANNEL_TYPES),
  config: z.record(z.string(), z.unknown()).default({}),
});
export type ChannelSpec = z.output<typeof channelSpecSchema>;

const perWindow = z.strictObject({
  per_minute: z.number().int().min(1).max(1000),
  per_hour: z.number().int().min(1).max(10_000),
});

/** Global notification settings (API and YAML share the shape). */
export const notifySettingsSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Display name of this host in messages (default: the hostname). */
  hostname: z.string().min(1).max(100).optional(),
  /** IANA time zone for quiet hours and the digest (default: the process's). */
  timezone: z.string().min(1).max(64).optional(),
  cooldown: z
    .strictObject({
      /** One message per fingerprint per this long, unless a type or group says otherwise. */
      default_seconds: z
        .number()
        .int()
        .min(0)
        .max(7 * 86_400)
        .default(3600),
      by_group: z.partialRecord(z.enum(EVENT_GROUPS), z.number().int().min(0)).default({}),
      by_type: z.record(z.string(), z.number().int().min(0)).default({}),
    })
    .prefault({}),
  rate_limits: z.partialRecord(z.enum(EVENT_GROUPS), perWindow).default({}),
  retention_days: z.number().int().min(1).max(3650).default(90),
  max_attempts: z.number().int().min(1).max(100).default(12),
});
export type NotifySettings = z.output<typeof notifySettingsSchema>;

/** Where the global settings live in the kv table (shared by the engine and `proxmon notify`). */
export const SETTINGS_KEY = 'notify_settings';

/** The stored global settings; defaults when none are stored or the stored ones no longer validate. */
export function readNotifySettings(db: Db): NotifySettings {
  const row = db.prepare('SELECT value FROM kv WHERE key = ?').get(SETTINGS_KEY) as
    { value: string } | undefined;
  const parsed = notifySettingsSchema.safeParse(row ? JSON.parse(row.value) : {});
  return parsed.success ? parsed.data : notifySettingsSchema.parse({});
}

/** Short cooldowns where repeats are separate happenings (a guest started twice is two starts). */
export const BUILTIN_GROUP_COOLDOWN: Partial<Record<(typeof EVENT_GROUPS)[number], number>> = {
  vm_ct: 5,
  backup: 10,
  // An alert instance (fingerprint, status, start) notifies once; Alertmanager's repeats do not.
  alerts: 7 * 86_400,
};
export const BUILTIN_TYPE_COOLDOWN: Record<string, number> = {
  system_shutdown: 5,
  system_reboot: 5,
  system_startup: 5,
  error_resolved: 0,
  // alert_resolved keeps the alerts group's cooldown: its fingerprint names one alert instance
  // (fingerprint, status, start), so only the same resolution sent again (an HA pair, a re-sent
  // group) is held back, never a later one.
  webhook_test: 0,
  custom: 0,
};

/** Per-group ceilings (sliding minute and hour), from the reference. */
export const DEFAULT_RATE_LIMITS: Record<
  (typeof EVENT_GROUPS)[number],
  { per_minute: number; per_hour: number }
> = {
  security: { per_minute: 5, per_hour: 30 },
  storage: { per_minute: 3, per_hour: 20 },
  cluster: { per_minute: 5, per_hour: 20 },
  network: { per_minute: 3, per_hour: 15 },
  resources: { per_minute: 3, per_hour: 20 },
  vm_ct: { per_minute: 10, per_hour: 60 },
  backup: { per_minute: 5, per_hour: 30 },
  services: { per_minute: 5, per_hour: 30 },
  health: { per_minute: 10, per_hour: 60 },
  updates: { per_minute: 3, per_hour: 15 },
  hardware: { per_minute: 5, per_hour: 30 },
  alerts: { per_minute: 20, per_hour: 200 },
  other: { per_minute: 5, per_hour: 30 },
};

/** Burst windows: the first event passes, the rest become one summary if at least `min` arrived. */
export const BURSTS: Record<string, { windowSeconds: number; min: number; summary: string }> = {
  auth_fail: { windowSeconds: 120, min: 3, summary: 'burst_auth_fail' },
  ip_block: { windowSeconds: 120, min: 3, summary: 'burst_ip_block' },
  disk_io_error: { windowSeconds: 60, min: 3, summary: 'burst_disk_io' },
  split_brain: { windowSeconds: 300, min: 2, summary: 'burst_cluster' },
  node_disconnect: { windowSeconds: 300, min: 2, summary: 'burst_cluster' },
  service_fail: { windowSeconds: 90, min: 2, summary: 'burst_service_fail' },
  system_problem: { windowSeconds: 90, min: 2, summary: 'burst_system' },
  oom_kill: { windowSeconds: 60, min: 2, summary: 'burst_generic' },
  firewall_issue: { windowSeconds: 60, min: 2, summary: 'burst_generic' },
};
