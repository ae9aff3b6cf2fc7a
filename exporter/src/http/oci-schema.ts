import { z } from 'zod';
import { APP_ID, ENV_NAME } from '../oci/catalogue.js';

/** Request and response shapes of /api/oci. Unknown values are null. */

const num = z.number().nullable();
const str = z.string().nullable();

/** PVE storage ids (`pve-storage-id`) and bridge names; they become part of PVE paths and options. */
const storageId = z.string().regex(/^[a-z][a-z0-9\-_.]{0,63}$/i, 'a Proxmox VE storage id');

export const appSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  image: z.string().describe('OCI reference pulled by PVE (registry/name:tag)'),
  website: str,
  resources: z.object({ cores: z.number(), memory_mb: z.number(), swap_mb: z.number(), disk_gb: z.number() }),
  ports: z.array(z.object({ port: z.number(), protocol: z.enum(['tcp', 'udp']), description: z.string() })),
  env: z.array(z.object({ name: z.string(), description: z.string() })),
});

export const catalogueResponse = z.object({ apps: z.array(appSchema) });
export const catalogueAppResponse = z.object({ app: appSchema });

export const deployBody = z.strictObject({
  app: z.string().regex(APP_ID, 'an app id from the catalogue'),
  vmid: z.number().int().min(100).max(999_999_999).optional().describe('default: the next free id'),
  hostname: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i, 'a host name label')
    .optional()
    .describe('default: the app id'),
  template_storage: storageId.optional().describe('where the image is pulled (default from config)'),
  rootfs_storage: storageId.optional(),
  bridge: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_.-]{0,15}$/, 'a bridge name')
    .optional(),
  cores: z.number().int().min(1).max(64).optional(),
  memory_mb: z.number().int().min(16).max(65_536).optional(),
  swap_mb: z.number().int().min(0).max(65_536).optional(),
  disk_gb: z.number().int().min(1).max(1024).optional(),
  start: z.boolean().default(true),
  env: z
    .record(
      z.string().regex(ENV_NAME, 'an environment variable name'),
      // PVE's env list: no control characters but tab.
      z
        .string()
        .max(1024)
        .refine(
          (v) => ![...v].some((c) => (c < ' ' && c !== '\t') || c === '\u007f'),
          'no control characters',
        ),
    )
    .refine((e) => Object.keys(e).length <= 32, 'at most 32 variables')
    .default({}),
});

export const deploymentSchema = z.object({
  id: z.number().int(),
  app: z.string(),
  vmid: z.number().int(),
  node: z.string(),
  state: z.enum(['running', 'done', 'failed']),
  step: z.enum(['pull', 'create', 'configure', 'start', 'done']),
  error: str,
  tasks: z.array(z.string()).describe('PVE task UPIDs, in order (read them with /api/events/{upid}/log)'),
  actor: str,
  created_at: z.string(),
  updated_at: z.string(),
});

export const deploymentResponse = z.object({ deployment: deploymentSchema });
export const deploymentsResponse = z.object({ deployments: z.array(deploymentSchema) });

export const installedSchema = z.object({
  vmid: z.number().int(),
  app: str.describe('catalogue id from the container tag oci-<id>'),
  name: str,
  node: str,
  status: str,
  cpu_usage_ratio: num,
  memory_used_bytes: num,
  memory_max_bytes: num,
  uptime_seconds: num,
});

export const installedResponse = z.object({ apps: z.array(installedSchema) });

export const appStatusResponse = z.object({
  app: installedSchema,
  catalogue: appSchema.nullable().describe('null when the catalogue no longer has this app'),
  status: z.record(z.string(), z.unknown()).describe('status/current of the container'),
  addresses: z.array(
    z.object({ interface: z.string(), address: z.string(), prefix: num, family: z.string() }),
  ),
  addresses_error: str,
});

export const actionResponse = z.object({
  vmid: z.number().int(),
  node: z.string(),
  action: z.enum(['start', 'stop', 'remove']),
  upid: str,
});

export const logsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20).describe('tasks to list'),
  lines: z.coerce.number().int().min(1).max(5000).default(500).describe('lines of the newest task'),
});

export const logsResponse = z.object({
  vmid: z.number().int(),
  tasks: z.array(
    z.object({
      upid: z.string(),
      type: str,
      status: str,
      started_at: str,
      ended_at: str,
      outcome: z.string(),
    }),
  ),
  latest: z.object({ upid: z.string(), lines: z.array(z.string()) }).nullable(),
});
