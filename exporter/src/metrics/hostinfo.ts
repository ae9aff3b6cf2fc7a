import type { Registry } from 'prom-client';
import type { SnapshotReader } from '../snapshots.js';
import { HOSTINFO_SOURCE, type HostInfo } from '../sources/hostinfo/index.js';
import { snapshotGauge } from './define.js';

export const metricNames = ['proxmon_host_info', 'proxmon_host_uptime_seconds'] as const;

export function registerHostInfoMetrics(registry: Registry, snapshots: SnapshotReader): void {
  snapshotGauge(
    registry,
    {
      name: 'proxmon_host_info',
      help: 'Host identity; value is always 1 (pve_version is empty off Proxmox VE)',
      labelNames: ['hostname', 'kernel', 'os', 'pve_version'] as const,
    },
    (emit) => {
      const info = snapshots.latest<HostInfo>(HOSTINFO_SOURCE);
      if (info)
        emit({ hostname: info.hostname, kernel: info.kernel, os: info.os, pve_version: info.pveVersion }, 1);
    },
  );
  snapshotGauge(
    registry,
    {
      name: 'proxmon_host_uptime_seconds',
      help: 'Seconds since the host booted (as of the last collection)',
    },
    (emit) => emit({}, snapshots.latest<HostInfo>(HOSTINFO_SOURCE)?.uptimeSeconds),
  );
}
