/**
 * Devices left out by default: loop devices (snap/ISO mounts), RAM disks, zram swap and floppies are
 * not storage a host operator watches. dm-* (LVM, LUKS), md* (software RAID) and zd* (ZFS zvols, the
 * disks of VMs on ZFS) are block devices of their own and are kept.
 */
export const DEFAULT_EXCLUDED_PREFIXES: readonly string[] = ['loop', 'ram', 'zram', 'fd'];

/** `loop0`, `loop0p1` and `ram12` match `loop`/`ram`; a prefix only counts when a digit follows it. */
export function isExcludedDevice(name: string, prefixes: readonly string[]): boolean {
  return prefixes.some((p) => name.startsWith(p) && /^\d/.test(name.slice(p.length)));
}

/**
 * Name rule used only when sysfs cannot tell: `sda1`, `vdb2`, `xvda1` (letters then digits) and
 * `nvme0n1p1`, `mmcblk0p2`, `zd16p1`, `md127p1` (digit, `p`, digits) are partitions; the rest
 * (`sda`, `nvme0n1`, `dm-0`, `md0`, `zd16`, `sr0`) are whole devices.
 */
export function looksLikePartition(name: string): boolean {
  return /^(sd|hd|vd|xvd)[a-z]+\d+$/.test(name) || /\dp\d+$/.test(name);
}

/**
 * The directory name under /sys/block: the kernel prints `/` in a name (`cciss/c0d0`) but names
 * the sysfs entry with `!` instead.
 */
export const sysfsBlockName = (name: string): string => name.replaceAll('/', '!');
