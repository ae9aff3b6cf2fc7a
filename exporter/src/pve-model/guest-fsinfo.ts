import { z } from 'zod';
import { fail, ok, type Result } from '../sources/source.js';
import { num, str, unwrapData } from './common.js';

/** One filesystem from the guest agent's `guest-get-fsinfo` (QEMU guest agent QAPI `GuestFilesystemInfo`). */
export interface GuestFilesystem {
  /** The device (`sda1`, `dm-0`, a ZFS dataset, or a Windows `\\?\Volume{...}\` name). */
  name: string;
  mountpoint: string;
  /** ext4, xfs, NTFS, ... as the guest reports it. */
  type: string;
  usedBytes?: number | undefined;
  /** Size available to unprivileged users (used + available). */
  totalBytes?: number | undefined;
  /** Serial numbers (else device paths) of the disks beneath it. */
  disks: string[];
}

/** What a guest's real filesystems add up to. */
export interface GuestDiskUsage {
  usedBytes: number;
  totalBytes: number;
  /** The filesystems that were counted. */
  filesystems: GuestFilesystem[];
}

const diskRow = z.object({ serial: str, dev: str });
const fsRow = z.object({
  name: z.string(),
  mountpoint: z.string(),
  type: z.string(),
  'used-bytes': num,
  'total-bytes': num,
  disk: z.array(z.unknown()).optional().catch(undefined),
});

/**
 * `/nodes/{node}/qemu/{vmid}/agent/get-fsinfo`: `{result: [...]}` (pvesh), wrapped once more in `data`
 * over REST; a bare list is accepted too. Entries missing name, mountpoint or type are skipped.
 */
export function parseGuestFsinfo(input: unknown): Result<GuestFilesystem[]> {
  const data = unwrapData(input);
  const rows =
    data !== null && typeof data === 'object' && !Array.isArray(data) && 'result' in data
      ? (data as { result: unknown }).result
      : data;
  if (!Array.isArray(rows)) return fail('parse', 'agent/get-fsinfo: expected a result list');
  const out: GuestFilesystem[] = [];
  for (const row of rows) {
    const r = fsRow.safeParse(row);
    if (!r.success) continue;
    const disks: string[] = [];
    for (const d of r.data.disk ?? []) {
      const parsed = diskRow.safeParse(d);
      const id = parsed.success ? parsed.data.serial || parsed.data.dev : undefined;
      if (id) disks.push(id);
    }
    out.push({
      name: r.data.name,
      mountpoint: r.data.mountpoint,
      type: r.data.type,
      usedBytes: r.data['used-bytes'],
      totalBytes: r.data['total-bytes'],
      disks,
    });
  }
  return ok(out);
}

/**
 * Types that hold no guest disk space: memory-backed, read-only images (snaps, live media, the
 * cloud-init drive), kernel pseudo filesystems and network or host-shared mounts.
 */
const NOT_ON_DISK = new Set([
  'tmpfs',
  'devtmpfs',
  'ramfs',
  'overlay',
  'overlayfs',
  'squashfs',
  'iso9660',
  'udf',
  'cdfs',
  'proc',
  'sysfs',
  'devpts',
  'cgroup',
  'cgroup2',
  'autofs',
  'nsfs',
  'tracefs',
  'debugfs',
  'securityfs',
  'pstore',
  'efivarfs',
  'bpf',
  'configfs',
  'fusectl',
  'mqueue',
  'hugetlbfs',
  'binfmt_misc',
  'rpc_pipefs',
  'selinuxfs',
  'nfs',
  'nfs4',
  'cifs',
  'smb3',
  'smbfs',
  '9p',
  'virtiofs',
  'ceph',
  'glusterfs',
  'fuse',
]);

function onDisk(type: string): boolean {
  const t = type.toLowerCase();
  // fuse.* are userspace mounts (sshfs, lxcfs, snapfuse); fuseblk is a real block device (ntfs-3g).
  return !NOT_ON_DISK.has(t) && !t.startsWith('fuse.');
}

/**
 * Sums the guest's real filesystems: each device once (a btrfs volume or a bind mount shows up at
 * several mount points with the same name and usage), and each ZFS pool once (its datasets share
 * the pool's free space). Undefined when nothing countable remains, so no 0 is ever invented.
 */
export function summarizeGuestFilesystems(
  filesystems: readonly GuestFilesystem[],
): GuestDiskUsage | undefined {
  const seen = new Set<string>();
  const counted: GuestFilesystem[] = [];
  const pools = new Map<string, { used: number; avail: number }>();
  let used = 0;
  let total = 0;
  for (const fs of filesystems) {
    const u = fs.usedBytes;
    const t = fs.totalBytes;
    if (!onDisk(fs.type) || u === undefined || t === undefined || t <= 0 || u < 0) continue;
    if (seen.has(fs.name)) continue;
    seen.add(fs.name);
    counted.push(fs);
    if (fs.type.toLowerCase() === 'zfs') {
      const pool = fs.name.split('/')[0] ?? fs.name;
      const p = pools.get(pool) ?? { used: 0, avail: 0 };
      p.used += u;
      // A quota lowers one dataset's view of the free space; the pool's is the largest.
      p.avail = Math.max(p.avail, t - u);
      pools.set(pool, p);
      continue;
    }
    used += u;
    total += t;
  }
  for (const p of pools.values()) {
    used += p.used;
    total += p.used + p.avail;
  }
  return counted.length === 0 ? undefined : { usedBytes: used, totalBytes: total, filesystems: counted };
}
