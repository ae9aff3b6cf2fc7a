import type { Registry } from 'prom-client';
import type { SnapshotReader } from '../snapshots.js';
import { PVE_BACKUPS_SOURCE, type PveBackupsSnapshot } from '../sources/pve/backups.js';
import { PVE_SOURCE, type PveSnapshot } from '../sources/pve/index.js';
import { snapshotGauge } from './define.js';

export const metricNames = ['proxmon_guest_last_backup_timestamp_seconds'] as const;

/**
 * Last backup per guest, for the guests the pve source reports (so scope applies and backups of
 * deleted guests on a shared PBS are not reported). Absent when a guest was never backed up.
 */
export function registerPveBackupMetrics(registry: Registry, snapshots: SnapshotReader): void {
  snapshotGauge(
    registry,
    {
      name: 'proxmon_guest_last_backup_timestamp_seconds',
      help: 'Newest backup of the guest (backup volume creation or successful vzdump end); absent when none was found',
      labelNames: ['vmid'],
    },
    (emit) => {
      const last = snapshots.latest<PveBackupsSnapshot>(PVE_BACKUPS_SOURCE)?.lastBackup;
      if (last === undefined) return;
      for (const g of snapshots.latest<PveSnapshot>(PVE_SOURCE)?.guests ?? [])
        emit({ vmid: g.vmid }, last.get(g.vmid));
    },
  );
}
