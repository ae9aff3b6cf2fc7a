import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { isCronExpression } from './cron.js';
import { z } from 'zod';
import { UNIT_NAME } from './sources/services/index.js';
import { terminalConfigSchema } from './terminal/settings.js';

/** Raised for anything wrong with the configuration; the CLI prints its message and exits 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const regex = z.string().refine(
  (s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a valid regular expression' },
);

/** An address or a CIDR block, IPv4 or IPv6: `10.0.0.0/8`, `127.0.0.1`, `fd00::/8`. */
const cidr = z.string().refine(
  (s) => {
    const [addr = '', prefix, ...rest] = s.split('/');
    const family = isIP(addr);
    if (!family || rest.length) return false;
    if (prefix === undefined) return true;
    const bits = Number(prefix);
    return /^\d+$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
  },
  { message: 'not an IP address or CIDR block' },
);

const sourceSettings = z.strictObject({
  enabled: z.boolean().optional(),
  interval_seconds: z.number().positive().optional(),
  timeout_seconds: z.number().positive().optional(),
});
export type SourceSettings = z.infer<typeof sourceSettings>;

/**
 * A secret in YAML: the value itself, `{env: NAME}` (an environment variable) or `{file: PATH}` (the
 * file's content, trimmed), so configs can be committed without their secrets.
 */
const secretRef = z
  .union([
    z.string().min(1),
    z.strictObject({ env: z.string().min(1) }),
    z.strictObject({ file: z.string().min(1) }),
  ])
  .transform((v, ctx) => {
    if (typeof v === 'string') return v;
    const value = 'env' in v ? process.env[v.env] : readSecretFile(v.file);
    if (!value) {
      ctx.addIssue({
        code: 'custom',
        message: 'env' in v ? `environment variable ${v.env} is not set` : `cannot read ${v.file}`,
      });
      return z.NEVER;
    }
    return value;
  });

/** Resolves `{env}`/`{file}` references anywhere in a provisioned channel's config. */
export function resolveSecretRefs(value: unknown, where: string): unknown {
  if (Array.isArray(value)) return value.map((v, i) => resolveSecretRefs(v, `${where}.${i}`));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && (keys[0] === 'env' || keys[0] === 'file')) {
    const r = secretRef.safeParse(value);
    if (!r.success)
      throw new ConfigError(`invalid config: ${where}: ${r.error.issues[0]?.message ?? 'invalid'}`);
    return r.data;
  }
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, resolveSecretRefs(v, `${where}.${k}`)]),
  );
}

function readSecretFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

export const configSchema = z.strictObject({
  port: z.number().int().min(0).max(65535).default(8008),
  host: z.string().min(1).default('0.0.0.0'),
  data_dir: z.string().min(1).default('./data'),
  log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Filesystem roots, so proxmon can run in a container with the host mounted, or on recorded trees. */
  paths: z
    .strictObject({
      procfs: z.string().default('/proc'),
      sysfs: z.string().default('/sys'),
      rootfs: z.string().default('/'),
    })
    .prefault({}),
  /** Per-tool executable overrides, e.g. `smartctl: /usr/local/sbin/smartctl`; others come from PATH. */
  tools: z.record(z.string(), z.string().min(1)).default({}),
  /** Per-source overrides keyed by source name. */
  sources: z.record(z.string(), sourceSettings).default({}),
  /** A source's last good value is dropped once it is older than this many of its intervals. */
  stale_after_intervals: z.number().min(1).default(3),
  /** Ping targets; empty means the default gateway. */
  latency_targets: z.array(z.string().min(1)).default([]),
  filesystems: z
    .strictObject({
      exclude_fs_types: regex.optional(),
      exclude_mount_points: regex.optional(),
    })
    .prefault({}),
  metrics: z
    .strictObject({
      /** Per-CPU series: true, false, or `auto` (only on hosts with at most 16 CPUs, to bound cardinality). */
      per_cpu: z.union([z.boolean(), z.literal('auto')]).default('auto'),
      /** `token`: /metrics needs a bearer API token with the read scope (or basic auth from web_config_file). */
      auth: z.enum(['none', 'token']).default('none'),
      /** Rendered /metrics text is reused until a snapshot changes, but never longer than this. */
      max_age_seconds: z.number().positive().default(5),
    })
    .prefault({}),
  smart: z
    .strictObject({
      /** Devices the scan cannot find (behind RAID controllers): `{ device: /dev/bus/0, type: megaraid,8 }`. */
      devices: z
        .array(
          z.strictObject({
            device: z.string().min(1),
            type: z.string().min(1).optional(),
            power_mode_check: z.enum(['standby', 'sleep', 'idle', 'never']).optional(),
          }),
        )
        .default([]),
      scan: z.boolean().default(true),
      /** `--scan-open` probes each device at every rescan, which can wake sleeping disks; off by default. */
      scan_open: z.boolean().default(false),
      exclude: regex.optional(),
      rescan_seconds: z.number().positive().default(600),
      concurrency: z.number().int().min(1).max(32).default(4),
      device_timeout_seconds: z.number().positive().default(20),
      /** `-n standby`: never wake a sleeping disk to read it. */
      power_mode_check: z.enum(['standby', 'sleep', 'idle', 'never']).default('standby'),
      temperature_thresholds: z
        .partialRecord(
          z.enum(['hdd', 'ssd', 'nvme', 'sas']),
          z.strictObject({ warning: z.number(), critical: z.number() }),
        )
        .optional(),
      /** Per-attribute series (`proxmon_disk_smart_attribute_*`): ~30 per ATA disk, so opt-in. */
      attributes: z.boolean().default(false),
    })
    .prefault({}),
  ups: z
    .strictObject({
      /** NUT servers to read; none means the local upsd on 127.0.0.1:3493 if there is one. */
      servers: z
        .array(
          z.strictObject({
            host: z.string().min(1),
            port: z.number().int().min(1).max(65535).default(3493),
            username: z
              .string()
              .min(1)
              .regex(/^[^\r\n]*$/, 'no line breaks')
              .optional(),
            password: z
              .string()
              .regex(/^[^\r\n]*$/, 'no line breaks')
              .optional(),
          }),
        )
        .optional(),
    })
    .prefault({}),
  services: z
    .strictObject({
      /** systemd units to watch besides pveproxy, pvedaemon, pvestatd, pve-cluster (and corosync when configured). */
      units: z.array(z.string().regex(UNIT_NAME, 'a systemd unit name')).default([]),
    })
    .prefault({}),
  gpu: z
    .strictObject({
      /** Per-process GPU memory series (`--query-compute-apps`): cardinality follows the workload, so opt-in. */
      processes: z.boolean().default(false),
    })
    .prefault({}),
  auth: z
    .strictObject({
      /** Proxies whose X-Forwarded-For is believed; everyone else's is ignored. */
      trusted_proxies: z.array(cidr).default([]),
      access_token_ttl_seconds: z.number().int().min(60).max(86_400).default(900),
      refresh_token_ttl_days: z.number().int().min(1).max(365).default(30),
      login_rate_limit: z
        .strictObject({
          window_seconds: z.number().int().positive().default(900),
          max_failures_per_ip: z.number().int().positive().default(10),
          max_failures_per_user: z.number().int().positive().default(5),
        })
        .prefault({}),
      /** fail2ban-friendly auth log; default `<data_dir>/auth.log`. */
      log_file: z.string().min(1).optional(),
      /** Jail whose banned IPs get 403 (works behind a reverse proxy); empty turns the check off. */
      fail2ban_jail: z.string().default('proxmon'),
      /** fail2ban-server socket, when not the system default (`fail2ban-client -s`). */
      fail2ban_socket: z.string().min(1).optional(),
      /** Origins allowed to call the API from a browser; none by default (no CORS headers). */
      cors_origins: z.array(z.url()).default([]),
      /** First admin for automation (PROXMON_ADMIN_USER / PROXMON_ADMIN_PASSWORD); otherwise a setup token. */
      bootstrap_admin: z
        .strictObject({ username: z.string().min(1), password: z.string().min(1) })
        .optional(),
    })
    .prefault({}),
  tls: z
    .strictObject({
      cert_file: z.string().min(1).optional(),
      key_file: z.string().min(1).optional(),
      /** Serve the node's own certificate (/etc/pve/local/pve-ssl.pem and its key). */
      use_pve_certificate: z.boolean().default(false),
    })
    .prefault({}),
  pve: z
    .strictObject({
      /** `auto`: the API when `pve.api` is set, else `pvesh` (quietly absent off Proxmox). */
      mode: z.enum(['auto', 'pvesh', 'api']).default('auto'),
      /** `node` reports this node's guests only, so N exporters never report a guest N times. */
      scope: z.enum(['node', 'cluster']).default('node'),
      /** Guest-agent filesystem usage for VMs (PVE reports 0 for them): one short call per running VM. */
      guest_agent: z
        .strictObject({
          enabled: z.boolean().default(false),
          timeout_seconds: z.number().positive().max(30).default(3),
          concurrency: z.number().int().min(1).max(32).default(4),
          backoff_seconds: z.number().int().min(0).default(600),
          config_ttl_seconds: z.number().int().min(0).default(600),
        })
        .prefault({}),
      backups: z
        .strictObject({ storage_timeout_seconds: z.number().positive().max(300).default(20) })
        .prefault({}),
      api: z
        .strictObject({
          /** `https://host:8006` */
          url: z.url(),
          /** `user@realm!tokenname` */
          token_id: z.string().min(1),
          token_secret: z.string().min(1),
          verify_tls: z.boolean().default(true),
          ca_file: z.string().min(1).optional(),
          /** SHA-256 of the server certificate: pins it instead of checking the chain. */
          fingerprint: z.string().min(1).optional(),
        })
        .optional(),
    })
    .prefault({}),
  /** The web terminal (/api/terminal): shell, caps, timeouts, allowed origins, LXC console. */
  terminal: terminalConfigSchema.prefault({}),
  health: z
    .strictObject({
      /** Minutes between health cycles. */
      interval_minutes: z.number().int().min(1).max(60).default(5),
      /** The first cycle after start waits this long, so every source has reported. */
      first_run_delay_seconds: z.number().int().min(0).max(600).default(30),
      /** After a host boot (uptime below this), link and latency noise is INFO. */
      boot_grace_seconds: z.number().int().min(0).max(3600).default(600),
      /** `/api/health/probe` without authentication, for uptime checkers (overall status only). */
      public_probe: z.boolean().default(true),
      journal: z
        .strictObject({
          enabled: z.boolean().default(true),
          /** Read journal files from this directory instead of the system journal (tests, containers). */
          directory: z.string().min(1).optional(),
        })
        .prefault({}),
    })
    .prefault({}),
  notifications: z
    .strictObject({
      /** Global settings applied at start (see /api/notifications/settings); unset keys keep stored values. */
      settings: z.record(z.string(), z.unknown()).optional(),
      /** Channels provisioned as code: created or replaced at start; ones removed here are deleted. */
      channels: z.array(z.record(z.string(), z.unknown())).default([]),
      /** Optional AI rewrite of messages (provider, api_key, model, base_url, language); see the README. */
      ai: z.record(z.string(), z.unknown()).optional(),
      receivers: z
        .strictObject({
          /** The bearer token Alertmanager sends to /api/notifications/alertmanager. */
          alertmanager_token: secretRef.optional(),
          /** The secret PVE's webhook target sends to /api/notifications/pve-webhook. */
          pve_webhook_secret: secretRef.optional(),
        })
        .prefault({}),
    })
    .prefault({}),
  logs: z
    .strictObject({
      /** Read journal files from this directory for /api/logs (default: the system journal). */
      journal_directory: z.string().min(1).optional(),
      download_max_lines: z.number().int().min(1).max(10_000_000).default(200_000),
      download_timeout_seconds: z.number().positive().max(3600).default(120),
      query_timeout_seconds: z.number().positive().max(300).default(30),
    })
    .prefault({}),
  history: z
    .strictObject({
      enabled: z.boolean().default(true),
      sample_seconds: z.number().int().min(5).max(3600).default(60),
      /** Cron expression (six fields, seconds first) of the downsampling and retention job. */
      schedule: z.string().refine(isCronExpression, 'a cron expression').default('15 */5 * * * *'),
    })
    .prefault({}),
  processes: z.strictObject({ sample_ms: z.number().int().min(100).max(5000).default(1000) }).prefault({}),
  proxmenux: z
    .strictObject({
      /** Newest ProxMenux version, when known; proxmon never asks the network. */
      latest_version: z
        .string()
        .regex(/^v?\d+(\.\d+){0,3}$/)
        .optional(),
    })
    .prefault({}),
  oci: z
    .strictObject({
      template_storage: z
        .string()
        .regex(/^[a-z][a-z0-9\-_.]{0,63}$/i)
        .default('local'),
      rootfs_storage: z
        .string()
        .regex(/^[a-z][a-z0-9\-_.]{0,63}$/i)
        .default('local-lvm'),
      bridge: z
        .string()
        .regex(/^[A-Za-z][A-Za-z0-9_.-]{0,15}$/)
        .default('vmbr0'),
      catalogue_file: z.string().min(1).optional(),
    })
    .prefault({}),
  /** A Prometheus exporter-toolkit web config file (tls_server_config, basic_auth_users). */
  web_config_file: z.string().min(1).optional(),
  http: z
    .strictObject({
      body_limit: z
        .string()
        .regex(/^\d+(b|kb|mb)$/i, 'like 100kb or 1mb')
        .default('1mb'),
    })
    .prefault({}),
});

export type Config = z.infer<typeof configSchema>;

const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Environment variables and the config key each one sets; env wins over the file. */
const ENV: Record<string, (value: string) => Record<string, unknown>> = {
  PROXMON_PORT: (v) => ({ port: /^\d+$/.test(v) ? Number(v) : v }),
  PROXMON_HOST: (v) => ({ host: v }),
  PROXMON_DATA_DIR: (v) => ({ data_dir: v }),
  PROXMON_LOG_LEVEL: (v) => ({ log_level: v }),
  PROXMON_LATENCY_TARGETS: (v) => ({ latency_targets: list(v) }),
  PROXMON_ADMIN_USER: (v) => ({ auth: { bootstrap_admin: { username: v } } }),
  PROXMON_ADMIN_PASSWORD: (v) => ({ auth: { bootstrap_admin: { password: v } } }),
  PROXMON_TRUSTED_PROXIES: (v) => ({ auth: { trusted_proxies: list(v) } }),
  PROXMON_PVE_API_URL: (v) => ({ pve: { api: { url: v } } }),
  PROXMON_ALERTMANAGER_TOKEN: (v) => ({ notifications: { receivers: { alertmanager_token: v } } }),
  PROXMON_PVE_TOKEN_ID: (v) => ({ pve: { api: { token_id: v } } }),
  PROXMON_PVE_TOKEN_SECRET: (v) => ({ pve: { api: { token_secret: v } } }),
  PROXMON_PROCFS: (v) => ({ paths: { procfs: v } }),
  PROXMON_SYSFS: (v) => ({ paths: { sysfs: v } }),
  PROXMON_ROOTFS: (v) => ({ paths: { rootfs: v } }),
};

export const envVariables = ['PROXMON_CONFIG', ...Object.keys(ENV)];

/** Reads the YAML file (if any) and the environment, validates, and returns a complete config. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, file = env.PROXMON_CONFIG): Config {
  const fromFile = file ? readConfigFile(file) : {};
  let merged = fromFile;
  for (const [name, toConfig] of Object.entries(ENV)) {
    const value = env[name];
    if (value !== undefined && value !== '') merged = deepMerge(merged, toConfig(value));
  }
  return validate(merged, file ? `${file}` : 'environment');
}

export function validate(raw: unknown, origin: string): Config {
  const result = configSchema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const [first] = result.error.issues;
  const where = first && first.path.length ? first.path.join('.') : '(top level)';
  const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more)` : '';
  throw new ConfigError(`invalid config (${origin}): ${where}: ${first?.message ?? 'invalid'}${more}`);
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigError(`config file ${file} must be a YAML mapping`);
  }
  return doc as Record<string, unknown>;
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? deepMerge(b, v) : v;
  }
  return out;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
