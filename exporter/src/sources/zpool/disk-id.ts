import type { ZpoolPool, ZpoolVdev } from './types.js';

export interface VdevDiskIds {
  /** The `disk_id` label: the WWN (`0x` + lower-case hex, as lsblk and by-id print it), else the serial. */
  diskId: string;
  wwn?: string;
  serial?: string;
}

const basename = (p: string) => p.slice(p.lastIndexOf('/') + 1);

/** `ata-X-part3` → `ata-X`, `sda3` → `sda`, `nvme0n1p2` → `nvme0n1`. */
function wholeDisk(name: string): string {
  if (/-part\d+$/.test(name)) return name.replace(/-part\d+$/, '');
  if (/^(nvme\d+n\d+|mmcblk\d+)p\d+$/.test(name)) return name.replace(/p\d+$/, '');
  if (/^(sd|vd|xvd|hd)[a-z]+\d+$/.test(name)) return name.replace(/\d+$/, '');
  return name;
}

const hexToText = (hex: string) =>
  hex.length % 2 === 0 && /^[0-9a-f]+$/i.test(hex)
    ? (hex.match(/../g) ?? []).map((b) => String.fromCharCode(parseInt(b, 16))).join('')
    : undefined;

/**
 * What a /dev/disk/by-id name says about the disk by itself. udev names: `wwn-0x<naa>`,
 * `scsi-3<naa>` (SCSI VPD page 0x83 NAA id), `ata-<model>_<serial>`, `scsi-SATA_<model>_<serial>`,
 * `nvme-<model>_<serial>` (newer udev adds `_<nsid>`), `usb-<vendor>_<model>_<serial>-<lun>`, and `nvme-nvme.<vid>-<hex serial>-<hex
 * model>-<nsid>` for controllers without a unique id. Model text has its spaces turned into `_`, so the
 * serial is what follows the last `_`.
 */
function fromName(name: string): { wwn?: string; serial?: string } {
  const wwn = /^wwn-0x([0-9a-f]+)$/i.exec(name) ?? /^scsi-3([0-9a-f]{16}(?:[0-9a-f]{16})?)$/i.exec(name);
  if (wwn) return { wwn: `0x${(wwn[1] ?? '').toLowerCase()}` };
  const nguid = /^nvme-nvme\.[0-9a-f]{4}-([0-9a-f]+)-[0-9a-f]+-[0-9a-f]+$/i.exec(name);
  if (nguid) {
    const serial = hexToText(nguid[1] ?? '')?.trim();
    return serial && /^[\x21-\x7e]+$/.test(serial) ? { serial } : {};
  }
  const serialOf = (rest: string) => {
    const i = rest.lastIndexOf('_');
    const serial = i < 0 ? undefined : rest.slice(i + 1);
    return serial ? { serial } : {};
  };
  if (/^nvme-eui\./i.test(name)) return {};
  const nvme = /^nvme-(.+?)(?:_\d{1,3})?$/.exec(name);
  if (nvme && (nvme[1] ?? '').includes('_')) return serialOf(nvme[1] ?? '');
  const ata = /^(?:ata-|scsi-SATA_)(.+)$/.exec(name);
  if (ata) return serialOf(ata[1] ?? '');
  // usb-<vendor>_<model>_<serial>-0:0: the LUN follows the serial.
  const usb = /^usb-(.+?)(?:-\d+:\d+)?$/.exec(name);
  if (usb) return serialOf(usb[1] ?? '');
  return {};
}

/**
 * The disk behind a vdev name as zpool prints it (`wwn-0x5000c500c65ac66f`,
 * `ata-ST8000VN004-2M2101_WSD4EYEW-part1`, `sda`, or a full path with -P), as `disk_id`: the WWN,
 * else the serial. `byIdLinks` maps /dev/disk/by-id link names to their targets (`../../sda`); with it
 * a kernel name (`sdb1`) or a name without a WWN is matched to the other links of the same disk.
 * Undefined when neither the name nor the links tell.
 */
export function vdevDiskIds(
  vdevName: string,
  byIdLinks: Readonly<Record<string, string>> = {},
): VdevDiskIds | undefined {
  const name = wholeDisk(basename(vdevName.trim()));
  if (name === '') return undefined;
  const found = fromName(name);
  // Own keys only: a vdev called `toString` must not find Object.prototype's.
  const linked = Object.hasOwn(byIdLinks, name) ? byIdLinks[name] : undefined;
  const target = linked ?? (/^[a-z]+[a-z0-9]*$/.test(name) ? name : undefined);
  if (target !== undefined && (found.wwn === undefined || found.serial === undefined)) {
    const device = wholeDisk(basename(target));
    for (const [link, to] of Object.entries(byIdLinks)) {
      if (/-part\d+$/.test(link) || basename(to) !== device) continue;
      const other = fromName(link);
      found.wwn ??= other.wwn;
      found.serial ??= other.serial;
    }
  }
  const diskId = found.wwn ?? found.serial;
  return diskId === undefined ? undefined : { diskId, ...found };
}

/**
 * Sets `diskId` on every leaf vdev the name allows: a missing disk by the path it `was` at, a JSON
 * vdev also by its udev devid and path.
 */
export function assignDiskIds(
  pools: readonly ZpoolPool[],
  byIdLinks: Readonly<Record<string, string>> = {},
): void {
  for (const pool of pools)
    for (const vdev of pool.vdevs) {
      if (!vdev.leaf || vdev.type === 'root' || vdev.type === 'dspare' || vdev.type === 'file') continue;
      const id = candidates(vdev)
        .map((n) => vdevDiskIds(n, byIdLinks))
        .find((x) => x !== undefined);
      if (id) vdev.diskId = id.diskId;
    }
}

function candidates(v: ZpoolVdev): string[] {
  return [v.name, v.wasPath, v.devid, v.path].filter((n): n is string => n !== undefined);
}
