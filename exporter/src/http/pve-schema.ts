import { z } from 'zod';
import { sourceStatusSchema } from './source-status.js';

const num = z.number().nullable();
const iso = z.string().nullable().describe('ISO 8601');

export const guestSchema = z.object({
  vmid: z.number().int(),
  name: z.string().nullable(),
  type: z.enum(['qemu', 'lxc']),
  node: z.string().nullable(),
  status: z.string().nullable().describe('running, stopped, paused, ... as PVE reports it'),
  template: z.boolean().nullable(),
  tags: z.array(z.string()),
  pool: z.string().nullable(),
  ha_state: z.string().nullable(),
  lock: z.string().nullable(),
  cpu_usage_ratio: num.describe('share (0-1) of the CPUs allocated to the guest'),
  cpus: num,
  memory_used_bytes: num,
  memory_max_bytes: num,
  disk_used_bytes: num.describe('containers; VMs only with guest-agent data (PVE reports 0 for VMs)'),
  disk_size_bytes: num,
  network_receive_bytes: num,
  network_transmit_bytes: num,
  disk_read_bytes: num,
  disk_written_bytes: num,
  uptime_seconds: num,
  last_backup_at: iso.describe('newest successful backup found; null when none is known'),
});

export const vmsResponse = z.object({
  scope: z.enum(['node', 'cluster']).nullable(),
  node: z.string().nullable().describe('the node this exporter reports for'),
  guests: z.array(guestSchema),
  source: sourceStatusSchema,
});

export const guestIpSchema = z.object({
  interface: z.string(),
  address: z.string(),
  prefix: z.number().int().nullable(),
  family: z.enum(['inet', 'inet6']),
  mac: z.string().nullable(),
});

const pveRecord = z.record(z.string(), z.unknown());

export const vmDetailResponse = z.object({
  guest: guestSchema,
  status: pveRecord.describe('status/current as PVE returns it'),
  config: pveRecord.describe('the guest config; password fields removed'),
  ips: z.array(guestIpSchema),
  ips_source: z.enum(['agent', 'lxc']).nullable(),
  ips_error: z.string().nullable().describe('why no addresses could be read (no agent, not running, ...)'),
});

export const timeframeQuery = z.strictObject({
  timeframe: z.enum(['hour', 'day', 'week', 'month', 'year']).default('hour'),
  cf: z.enum(['AVERAGE', 'MAX']).default('AVERAGE'),
});

export const rrdResponse = z.object({
  timeframe: z.string(),
  cf: z.string(),
  points: z
    .array(z.record(z.string(), z.number()))
    .describe('oldest first; `time` in unix seconds, every series PVE sent, missing where PVE has a gap'),
});

export const taskSchema = z.object({
  upid: z.string(),
  node: z.string().nullable(),
  type: z.string().nullable(),
  id: z.string().nullable().describe('the object, usually a vmid; empty for node-wide tasks'),
  user: z.string().nullable(),
  started_at: iso,
  ended_at: iso,
  status: z.string().nullable().describe('OK, WARNINGS: n, or the error; null while running'),
  outcome: z.enum(['ok', 'warning', 'failed', 'running']),
});

export const tasksResponse = z.object({ tasks: z.array(taskSchema) });

export const tasksQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  outcome: z.enum(['ok', 'warning', 'failed', 'running']).optional(),
  type: z
    .string()
    .regex(/^[a-z0-9_-]{1,40}$/)
    .optional(),
  vmid: z.coerce.number().int().min(100).max(999_999_999).optional(),
});

export const taskLogQuery = z.strictObject({
  start: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
});

export const taskLogResponse = z.object({
  upid: z.string(),
  node: z.string(),
  lines: z.array(z.string()),
  start: z.number().int(),
  total: z.number().int().nullable().describe('lines in the whole log, when PVE says'),
});

export const controlBody = z.strictObject({
  action: z.enum(['start', 'stop', 'shutdown', 'reboot']),
});

/** PVE's storage id format. */
const storageId = z.string().regex(/^[a-z][a-z0-9._-]*[a-z0-9]$/i, 'a PVE storage id');

export const backupBody = z.strictObject({
  storage: storageId.optional().describe('default: the node default (vzdump.conf)'),
  mode: z.enum(['snapshot', 'suspend', 'stop']).default('snapshot'),
  compress: z.enum(['0', 'gzip', 'lzo', 'zstd']).optional(),
  protected: z.boolean().optional(),
  notes: z
    .string()
    .max(1024)
    // pvesh takes values as arguments: a leading dash or a control character must not pass.
    .regex(/^[^-\p{Cc}][^\p{Cc}]*$/u, 'one line, not starting with "-"')
    .optional()
    .describe('notes template, e.g. "{{guestname}} before upgrade"'),
});

export const taskStartedResponse = z.object({
  upid: z.string().nullable().describe('the PVE task doing it; follow it with /api/events/{upid}/log'),
  node: z.string(),
  vmid: z.number().int(),
  action: z.string(),
});
