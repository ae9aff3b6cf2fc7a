import type { Registry } from 'prom-client';
import type { SnapshotReader } from '../snapshots.js';
import { APT_SOURCE, type AptSnapshot } from '../sources/apt/index.js';
import { SERVICES_SOURCE, type ServicesSnapshot } from '../sources/services/index.js';
import { snapshotGauge } from './define.js';

export const metricNames = ['proxmon_service_up', 'proxmon_apt_upgrades_pending'] as const;

/**
 * PVE daemons and pending package upgrades. Units systemd does not know (a PVE unit on a host that
 * is not a PVE node) have no series; a unit that is activating (or auto-restarting) counts as down.
 */
export function registerServicesMetrics(registry: Registry, snapshots: SnapshotReader): void {
  snapshotGauge(
    registry,
    {
      name: 'proxmon_service_up',
      help: 'systemd unit is active (1; reloading counts as active) or not (0)',
      labelNames: ['service'] as const,
    },
    (emit) => {
      for (const s of snapshots.latest<ServicesSnapshot>(SERVICES_SOURCE)?.services ?? [])
        if (s.loaded) emit({ service: s.name }, s.active ? 1 : 0);
    },
  );
  snapshotGauge(
    registry,
    {
      name: 'proxmon_apt_upgrades_pending',
      help: 'Packages apt-get dist-upgrade would install or upgrade (all), and those from a security archive',
      labelNames: ['kind'] as const,
    },
    (emit) => {
      const counts = snapshots.latest<AptSnapshot>(APT_SOURCE)?.counts;
      if (!counts) return;
      emit({ kind: 'all' }, counts.all);
      emit({ kind: 'security' }, counts.security);
    },
  );
}
