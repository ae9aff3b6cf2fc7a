import { z } from 'zod';
import { checkCron } from '../smart-tests/scheduler.js';
import { SELF_TEST_TYPES } from '../smart-tests/types.js';

/** Request and response shapes of /api/storage/smart self-tests. Unknown values are null. */

const iso = z.string().nullable().describe('ISO 8601');

/** A disk_id (WWN or serial) or a device name (sda, nvme0); only ever compared, never run. */
export const diskKey = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:+,/-]+$/, 'a disk_id or device name');

export const startTestBody = z.strictObject({
  type: z.enum(SELF_TEST_TYPES).describe('short (minutes) or long (hours: reads the whole surface)'),
});

export const runSchema = z.object({
  id: z.number().int(),
  disk_id: z.string(),
  device: z.string(),
  type: z.enum(SELF_TEST_TYPES),
  started_at: z.string().describe('ISO 8601: when the test was asked for'),
  schedule_id: z.number().int().nullable().describe('the schedule that started it; null when a person did'),
  actor: z.string().nullable(),
  outcome: z
    .enum(['started', 'busy', 'unsupported', 'failed'])
    .describe('busy: a test was already running and was left alone'),
  message: z.string().nullable().describe("smartctl's words"),
  expected_minutes: z.number().nullable(),
  expected_end_at: iso,
});

export const startTestResponse = z.object({ run: runSchema });

export const testsQuery = z.strictObject({
  wake: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe('read a sleeping disk anyway (spins it up); by default it is left asleep'),
  limit: z.coerce.number().int().min(1).max(100).default(20).describe('runs to list'),
});

const entrySchema = z.object({
  type: z.string().describe('short, long, conveyance, selective, offline, abort, vendor or unknown'),
  type_text: z.string().nullable().describe('as smartctl printed it'),
  status: z.enum(['passed', 'failed', 'aborted', 'in_progress', 'unknown']),
  status_text: z.string().nullable(),
  power_on_hours: z.number().nullable(),
  remaining_ratio: z.number().nullable(),
  failing_lba: z.number().nullable(),
});

export const testsResponse = z.object({
  disk_id: z.string(),
  device: z.string(),
  protocol: z.enum(['ata', 'nvme', 'scsi', 'unknown']).nullable(),
  standby: z.boolean().describe('the disk was asleep and left alone: no log read (pass wake=true)'),
  in_progress: z
    .object({
      type: z.string().nullable(),
      type_text: z.string().nullable(),
      remaining_ratio: z.number().nullable(),
    })
    .nullable(),
  entries: z.array(entrySchema).describe("the disk's own self-test log, newest first"),
  messages: z.array(z.string()),
  read_at: z.string().describe('ISO 8601'),
  runs: z.array(runSchema).describe('tests started through proxmon, newest first'),
});

const cronField = z
  .string()
  .max(100)
  .superRefine((v, ctx) => {
    const problem = checkCron(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe('five-field cron, server local time; the minute must be fixed (0 3 * * 0: Sundays 03:00)');

const scheduleDisks = z
  .union([z.literal('all'), z.array(diskKey).min(1).max(64)])
  .describe('"all" (every disk of the latest SMART round when it fires) or disk_ids / device names');

export const scheduleBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
  type: z.enum(SELF_TEST_TYPES),
  cron: cronField,
  disks: scheduleDisks.default('all'),
  enabled: z.boolean().default(true),
});

export const schedulePatch = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  type: z.enum(SELF_TEST_TYPES).optional(),
  cron: cronField.optional(),
  disks: scheduleDisks.optional(),
  enabled: z.boolean().optional(),
});

export const scheduleSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  type: z.enum(SELF_TEST_TYPES),
  cron: z.string(),
  disks: z.union([z.literal('all'), z.array(z.string())]),
  enabled: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
  last_run_at: iso,
});

export const schedulesResponse = z.object({ schedules: z.array(scheduleSchema) });
export const scheduleResponse = z.object({ schedule: scheduleSchema });
export const scheduleRunResponse = z.object({ runs: z.array(runSchema) });
export const deletedResponse = z.object({ deleted: z.literal(true) });
