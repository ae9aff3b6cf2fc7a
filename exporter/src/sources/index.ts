import { hostname } from 'node:os';
import { ConfigError, type Config } from '../config.js';
import {
  createApiClient,
  createPveAccess,
  createPveshClient,
  type PveAccess,
  type PveClient,
} from '../pve/index.js';
import type { ScheduledSource } from '../scheduler.js';
import { createAptSource } from './apt/index.js';
import { createConntrackSource } from './conntrack/index.js';
import { createCpuSource } from './cpu/index.js';
import { createDiskstatsSource } from './diskstats/index.js';
import { createFail2banSource } from './fail2ban/index.js';
import { createFilefdSource } from './filefd/index.js';
import { createFilesystemsSource } from './filesystems/index.js';
import { createIntelGpuSource, createNvidiaSource } from './gpu/index.js';
import { createHostInfoSource } from './hostinfo/index.js';
import { createInventorySource } from './inventory/index.js';
import { createHwmonSource } from './hwmon/index.js';
import { createKsmSource } from './ksm/index.js';
import { createIpmiSource } from './ipmi/index.js';
import { createLatencySource } from './latency/index.js';
import { createLoadavgSource } from './loadavg/index.js';
import { createMemorySource } from './memory/index.js';
import { createNetstatSource } from './netstat/index.js';
import { createNetworkSource } from './network/index.js';
import { createPressureSource } from './pressure/index.js';
import {
  createPveBackupsSource,
  createPveGuestAgentSource,
  createPveSource,
  createPveTasksSource,
} from './pve/index.js';
import { createSchedstatSource } from './schedstat/index.js';
import { createSensorsSource } from './sensors/index.js';
import { createServicesSource } from './services/index.js';
import { createSmartSource } from './smart/index.js';
import { createSockstatSource } from './sockstat/index.js';
import { createSoftirqsSource } from './softirqs/index.js';
import { createSoftnetSource } from './softnet/index.js';
import { createVmstatSource } from './vmstat/index.js';
import { createExec, type Exec } from './exec.js';
import type { Source } from './source.js';
import { createUpsSource } from './ups/index.js';
import { createZpoolSource } from './zpool/index.js';

/** Every source proxmon knows: adding one is a folder plus a line here. */
function allSources(config: Config, deps: SourceDeps): Source[] {
  const fs = config.filesystems;
  const smart = config.smart;
  return [
    createCpuSource(),
    createLoadavgSource(),
    createMemorySource(),
    createPressureSource(),
    createVmstatSource(),
    createFilefdSource(),
    createSoftirqsSource(),
    createSoftnetSource(),
    createSchedstatSource(),
    createKsmSource(),
    createDiskstatsSource(),
    createNetworkSource(),
    createNetstatSource(),
    createSockstatSource(),
    createConntrackSource(),
    createHwmonSource(),
    createSensorsSource(),
    createFilesystemsSource({
      fsTypesExclude: fs.exclude_fs_types === undefined ? undefined : new RegExp(fs.exclude_fs_types),
      mountPointsExclude:
        fs.exclude_mount_points === undefined ? undefined : new RegExp(fs.exclude_mount_points),
    }),
    createLatencySource({ targets: config.latency_targets }),
    createHostInfoSource(),
    createSmartSource({
      devices: smart.devices.map((d) => ({
        device: d.device,
        type: d.type,
        powerModeCheck: d.power_mode_check,
      })),
      scan: smart.scan,
      scanOpen: smart.scan_open,
      exclude: smart.exclude === undefined ? undefined : new RegExp(smart.exclude),
      rescanSeconds: smart.rescan_seconds,
      concurrency: smart.concurrency,
      deviceTimeoutMs: smart.device_timeout_seconds * 1000,
      powerModeCheck: smart.power_mode_check,
      temperatureThresholds: smart.temperature_thresholds,
      // Its own deadline must match the one the scheduler enforces.
      timeoutSeconds: config.sources.smart?.timeout_seconds,
    }),
    createNvidiaSource({ processes: config.gpu.processes }),
    createIntelGpuSource({ command: config.tools.intel_gpu_top }),
    createZpoolSource(),
    createUpsSource({ servers: config.ups.servers }),
    createIpmiSource(),
    createInventorySource(),
    createFail2banSource({ jail: config.auth.fail2ban_jail, socket: config.auth.fail2ban_socket }),
    createPveSource(deps.pve),
    createPveTasksSource(deps.pve),
    createPveBackupsSource(deps.pve, { storageTimeoutMs: config.pve.backups.storage_timeout_seconds * 1000 }),
    ...(config.pve.guest_agent.enabled
      ? [
          createPveGuestAgentSource(deps.pve, {
            timeoutMs: config.pve.guest_agent.timeout_seconds * 1000,
            concurrency: config.pve.guest_agent.concurrency,
            backoffSeconds: config.pve.guest_agent.backoff_seconds,
            configTtlSeconds: config.pve.guest_agent.config_ttl_seconds,
          }),
        ]
      : []),
    createServicesSource({ units: config.services.units }),
    createAptSource(),
  ];
}

/**
 * The PVE access every PVE source and route shares. API mode (or auto with `pve.api` set) holds one
 * client and its connections; pvesh runs through the tool overrides. Bad API settings are a ConfigError.
 */
export function createPveAccessFromConfig(config: Config, exec: Exec, host = hostname()): PveAccess {
  const { mode, api, scope } = config.pve;
  if (mode === 'api' && api === undefined)
    throw new ConfigError('invalid config: pve.api: required when pve.mode is api');
  let client: PveClient;
  try {
    client =
      mode === 'pvesh' || api === undefined
        ? createPveshClient(exec)
        : createApiClient({
            baseUrl: api.url,
            tokenId: api.token_id,
            tokenSecret: api.token_secret,
            tls: { verify: api.verify_tls, caFile: api.ca_file, fingerprint: api.fingerprint },
          });
  } catch (err) {
    throw new ConfigError(`invalid config: pve.api: ${(err as Error).message}`);
  }
  return createPveAccess({ client, hostname: host, scope, requirePvesh: mode === 'pvesh' });
}

/** What sources share with the rest of the process (built once in the composition root). */
export interface SourceDeps {
  pve: PveAccess;
}

/** The enabled sources with their cadence and deadline, config overrides applied. */
export function buildSources(config: Config, deps?: SourceDeps): ScheduledSource[] {
  const sources = allSources(
    config,
    deps ?? { pve: createPveAccessFromConfig(config, createExec(config.tools)) },
  );
  const known = new Set(sources.map((s) => s.name));
  for (const name of Object.keys(config.sources)) {
    if (!known.has(name)) {
      throw new ConfigError(
        `invalid config: sources.${name}: unknown source (known: ${[...known].sort().join(', ')})`,
      );
    }
  }
  return sources
    .filter((s) => config.sources[s.name]?.enabled !== false)
    .map((source) => {
      const o = config.sources[source.name] ?? {};
      return {
        source,
        intervalSeconds: o.interval_seconds ?? source.intervalSeconds,
        timeoutSeconds: o.timeout_seconds ?? source.timeoutSeconds,
      };
    });
}
