import type { Mount } from './types.js';

// The same facts node_exporter's filesystem collector uses by default: pseudo and layered filesystems
// carry no capacity worth alerting on, and container layers under /var/lib would multiply series.
export const DEFAULT_FS_TYPES_EXCLUDE =
  /^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|erofs|sysfs|tracefs)$/;
export const DEFAULT_MOUNT_POINTS_EXCLUDE =
  /^\/(dev|proc|run\/credentials\/.+|sys|var\/lib\/docker\/.+|var\/lib\/containers\/storage\/.+)($|\/)/;

export interface MountFilter {
  fsTypesExclude: RegExp;
  mountPointsExclude: RegExp;
}

/**
 * Drops excluded mounts and collapses repeats of the same device on the same mountpoint (bind or
 * stacked mounts). The later line wins, as it is the one visible at that path, but the first line's
 * position is kept so the order stays that of the table.
 */
export function selectMounts(mounts: readonly Mount[], filter: MountFilter): Mount[] {
  const byKey = new Map<string, Mount>();
  for (const m of mounts) {
    if (filter.fsTypesExclude.test(m.fstype) || filter.mountPointsExclude.test(m.mountpoint)) continue;
    byKey.set(`${m.device}\0${m.mountpoint}`, m);
  }
  return [...byKey.values()];
}
