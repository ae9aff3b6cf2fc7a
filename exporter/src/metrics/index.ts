import type { Registry } from 'prom-client';
import type { SnapshotReader } from '../snapshots.js';
import { trackSnapshotReads } from './define.js';
import type { PerCpuSetting } from './per-cpu.js';
import * as auth from './auth.js';
import * as exporter from './exporter.js';
import * as filesystem from './filesystem.js';
import * as gpu from './gpu.js';
import * as health from './health.js';
import * as notifications from './notifications.js';
import * as host from './host.js';
import * as hostinfo from './hostinfo.js';
import * as ipmi from './ipmi.js';
import * as kernel from './kernel.js';
import * as latency from './latency.js';
import * as netstat from './netstat.js';
import * as network from './network.js';
import * as pve from './pve.js';
import * as pveBackups from './pve-backups.js';
import * as pveTasks from './pve-tasks.js';
import * as scheduler from './scheduler.js';
import * as sensors from './sensors.js';
import * as services from './services.js';
import * as smart from './smart.js';
import * as ups from './ups.js';
import * as zfs from './zfs.js';

/** Every metric name proxmon registers, by area (checked against METRICS.md by a test). */
export const metricNamesByArea = {
  exporter: exporter.metricNames,
  host: host.metricNames,
  hostinfo: hostinfo.metricNames,
  kernel: kernel.metricNames,
  scheduler: scheduler.metricNames,
  filesystem: filesystem.metricNames,
  network: network.metricNames,
  netstat: netstat.metricNames,
  latency: latency.metricNames,
  sensors: sensors.metricNames,
  gpu: gpu.metricNames,
  smart: smart.metricNames,
  zfs: zfs.metricNames,
  ups: ups.metricNames,
  ipmi: ipmi.metricNames,
  health: health.metricNames,
  notifications: notifications.metricNames,
  services: services.metricNames,
  pve: pve.metricNames,
  pve_tasks: pveTasks.metricNames,
  pve_backups: pveBackups.metricNames,
  auth: auth.metricNames,
} as const;

export interface MetricsOptions {
  version: string;
  perCpu: PerCpuSetting;
  /** Per-attribute SMART series. */
  smartAttributes?: boolean;
  /** The health monitor's results; without one the health series are absent (zero errors). */
  health?: health.HealthMetricsSource;
  notifications?: notifications.NotificationMetricsSource;
}

/** Registers every collector; returns the handles of the few metrics that are counted live, not copied. */
export function registerAllMetrics(
  registry: Registry,
  snapshots: SnapshotReader,
  options: MetricsOptions,
): { auth: auth.AuthMetrics } {
  // Families then reuse their text while the snapshots they read are unchanged.
  snapshots = trackSnapshotReads(snapshots);
  exporter.registerExporterMetrics(registry, snapshots, options.version);
  host.registerHostMetrics(registry, snapshots, { perCpu: options.perCpu });
  hostinfo.registerHostInfoMetrics(registry, snapshots);
  kernel.registerKernelMetrics(registry, snapshots);
  scheduler.registerSchedulerMetrics(registry, snapshots, { perCpu: options.perCpu });
  filesystem.registerFilesystemMetrics(registry, snapshots);
  network.registerNetworkMetrics(registry, snapshots);
  netstat.registerNetstatMetrics(registry, snapshots);
  latency.registerLatencyMetrics(registry, snapshots);
  sensors.registerSensorMetrics(registry, snapshots);
  gpu.registerGpuMetrics(registry, snapshots);
  zfs.registerZfsMetrics(registry, snapshots);
  ups.registerUpsMetrics(registry, snapshots);
  ipmi.registerIpmiMetrics(registry, snapshots);
  health.registerHealthMetrics(
    registry,
    options.health ?? { latest: () => undefined, counts: () => undefined },
  );
  notifications.registerNotificationMetrics(registry, options.notifications);
  services.registerServicesMetrics(registry, snapshots);
  pve.registerPveMetrics(registry, snapshots);
  pveTasks.registerPveTaskMetrics(registry, snapshots);
  pveBackups.registerPveBackupMetrics(registry, snapshots);
  smart.registerSmartMetrics(registry, snapshots, { attributes: options.smartAttributes });
  return { auth: auth.registerAuthMetrics(registry, snapshots) };
}
