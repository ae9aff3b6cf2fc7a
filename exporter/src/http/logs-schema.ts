import { z } from 'zod';
import { CURSOR, PRIORITY_NAMES } from '../logs/query.js';
import { UNIT_NAME } from '../sources/services/index.js';

/** A point in time: ISO 8601 with a date (`2026-11-26T10:00:00Z`) or unix seconds. */
const instant = z
  .string()
  .transform((s, ctx) => {
    const ms = /^\d{1,11}(\.\d{1,3})?$/.test(s)
      ? Number(s) * 1000
      : /^\d{4}-\d\d-\d\d([T ][\d:.]+)?(Z|[+-]\d\d:?\d\d)?$/.test(s)
        ? Date.parse(s)
        : NaN;
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: 'custom', message: 'an ISO 8601 time (2026-11-26T10:00:00Z) or unix seconds' });
      return z.NEVER;
    }
    return ms;
  })
  .describe('ISO 8601 time or unix seconds');

/** `3`, `err`: the highest priority number kept (journalctl -p). */
const priority = z
  .union([z.enum(PRIORITY_NAMES), z.string().regex(/^[0-7]$/)])
  .transform((p) =>
    /^[0-7]$/.test(p) ? Number(p) : PRIORITY_NAMES.indexOf(p as (typeof PRIORITY_NAMES)[number]),
  )
  .describe('0-7 or emerg, alert, crit, err, warning, notice, info, debug: that priority and more severe');

const unit = z
  .string()
  .max(256)
  .regex(UNIT_NAME, 'a systemd unit name')
  .describe('a systemd unit, e.g. pveproxy.service');
const text = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\p{Cc}]*$/u, 'no control characters')
  .describe('the message contains this text, any case (not a pattern)');

const filters = {
  priority: priority.optional(),
  unit: unit.optional(),
  since: instant.optional(),
  until: instant.optional(),
  text: text.optional(),
};

export const logsQuery = z.strictObject({
  ...filters,
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  cursor: z
    .string()
    .max(512)
    .regex(CURSOR, 'a journal cursor from next_cursor')
    .optional()
    .describe('next_cursor of the previous page: continue with older entries'),
});

export const logsCountsQuery = z.strictObject({
  since: filters.since.describe('default: 24 hours ago'),
  until: filters.until,
  unit: filters.unit,
  text: filters.text,
});

export const logsDownloadQuery = z.strictObject({
  ...filters,
  since: filters.since.describe('default: 24 hours ago'),
});

export const logEntrySchema = z.object({
  cursor: z.string(),
  time: z.string().describe('ISO 8601'),
  priority: z.number().int().nullable(),
  priority_name: z.enum(PRIORITY_NAMES).nullable(),
  unit: z.string().nullable(),
  identifier: z.string().nullable().describe('SYSLOG_IDENTIFIER: the program that logged it'),
  pid: z.number().int().nullable(),
  hostname: z.string().nullable(),
  boot_id: z.string().nullable(),
  message: z.string().nullable().describe('null when the entry has no text'),
});

export const logsResponse = z.object({
  entries: z.array(logEntrySchema).describe('newest first'),
  next_cursor: z.string().nullable().describe('pass as `cursor` for older entries; null at the end'),
  malformed: z.number().int().describe('lines journalctl printed that were not entries (skipped)'),
});

export const logsCountsResponse = z.object({
  since: z.string(),
  until: z.string().nullable(),
  total: z.number().int(),
  by_priority: z.record(z.enum(PRIORITY_NAMES), z.number().int()),
  errors: z.number().int().describe('emerg, alert, crit and err'),
  warnings: z.number().int(),
  info: z.number().int().describe('notice and info'),
  debug: z.number().int(),
});

export const taskLogTextQuery = z.strictObject({
  start: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(100_000).default(50_000),
  download: z.enum(['0', '1']).default('0').describe('1: as an attachment'),
});
