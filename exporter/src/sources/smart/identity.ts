import type { DiskKind, DiskProtocol, ReplyIdentity } from './types.js';
import { at, type Json, num, obj, str } from './json.js';

/**
 * ATA `wwn {naa, oui, id}` as udev names it in /dev/disk/by-id/wwn-0x…: one NAA digit, six OUI
 * digits, nine id digits ("5 000cca 257e79007" → 0x5000cca257e79007).
 */
export function wwnFromAta(wwn: unknown): string | undefined {
  const naa = num(at(wwn, 'naa'));
  const oui = num(at(wwn, 'oui'));
  const id = num(at(wwn, 'id'));
  if (naa === undefined || oui === undefined || id === undefined) return undefined;
  if (![naa, oui, id].every((n) => Number.isSafeInteger(n) && n >= 0)) return undefined;
  if (naa > 0xf || oui > 0xffffff || id > 0xfffffffff) return undefined;
  return `0x${naa.toString(16)}${oui.toString(16).padStart(6, '0')}${id.toString(16).padStart(9, '0')}`;
}

/** SCSI `logical_unit_id` ("0x5000c500349f40f7"), the same NAA name the kernel and udev use. */
export function wwnFromLogicalUnitId(value: unknown): string | undefined {
  const s = str(value)?.toLowerCase();
  const hex = s?.replace(/^0x/, '');
  return hex && /^[0-9a-f]{8,32}$/.test(hex) ? `0x${hex}` : undefined;
}

/** The kernel's /sys/block/sdX/device/wwid ("naa.5000cca257e79007"), read without touching the disk. */
export function wwnFromSysfsWwid(text: string): string | undefined {
  const m = /^naa\.([0-9a-f]{8,32})\s*$/i.exec(text.trim());
  return m ? `0x${m[1]!.toLowerCase()}` : undefined;
}

export function protocolOf(value: unknown): DiskProtocol {
  const p = str(value)?.toLowerCase();
  return p === 'ata' || p === 'nvme' || p === 'scsi' ? p : 'unknown';
}

/** nvme by protocol; otherwise a spinning rate is an HDD and 0 ("Solid State Device") an SSD. */
export function kindOf(protocol: DiskProtocol, rotation: unknown): DiskKind {
  if (protocol === 'nvme') return 'nvme';
  if (typeof rotation === 'string' && /solid state/i.test(rotation)) return 'ssd';
  const rpm = num(rotation);
  if (rpm === undefined) return 'unknown';
  return rpm > 0 ? 'hdd' : 'ssd';
}

/** Identity fields of a reply; `diskId` is WWN, else serial, else undefined (the caller decides). */
export function identityOf(json: Json): ReplyIdentity {
  const protocol = protocolOf(at(json, 'device', 'protocol'));
  const wwn = wwnFromAta(json.wwn) ?? wwnFromLogicalUnitId(json.logical_unit_id);
  const serial = str(json.serial_number);
  const vendor = str(json.scsi_vendor) ?? str(json.vendor);
  const product = str(json.scsi_product) ?? str(json.product);
  const model =
    str(json.model_name) ??
    str(json.scsi_model_name) ??
    (vendor || product ? [vendor, product].filter(Boolean).join(' ') : undefined);
  const rotation = json.rotation_rate;
  const rpm = num(rotation);
  return {
    diskId: wwn ?? serial,
    resolvedType: str(at(json, 'device', 'type')),
    protocol,
    kind: kindOf(protocol, rotation),
    model,
    serial,
    firmware: str(json.firmware_version) ?? str(json.scsi_revision) ?? str(json.revision),
    wwn,
    sizeBytes: num(at(json, 'user_capacity', 'bytes')) ?? num(json.nvme_total_capacity),
    rotationRpm: rpm !== undefined && rpm > 0 ? rpm : undefined,
  };
}

/** True when the reply describes a device at all (a failed or sleeping reply carries none of these). */
export function hasDeviceData(json: Json): boolean {
  return (
    str(json.serial_number) !== undefined ||
    json.wwn !== undefined ||
    str(json.model_name) !== undefined ||
    str(json.scsi_model_name) !== undefined ||
    str(json.product) !== undefined ||
    str(json.scsi_product) !== undefined ||
    obj(json.smart_status) !== undefined
  );
}
