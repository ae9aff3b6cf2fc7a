import { z } from 'zod';
import { ok, type Result } from '../sources/source.js';
import { bool, num, rowsOf, str } from './common.js';

/** A backup volume from `/nodes/{node}/storage/{storage}/content?content=backup`. */
export interface PveBackup {
  volid: string;
  /** The storage part of the volid (`pbs:backup/...` -> pbs). */
  storage?: string | undefined;
  vmid?: number | undefined;
  /** qemu or lxc. */
  subtype?: string | undefined;
  /** Creation time, unix seconds. */
  ctime?: number | undefined;
  /** vma.zst, tar.zst, pbs-vm, pbs-ct, ... */
  format?: string | undefined;
  size?: number | undefined;
  notes?: string | undefined;
  protected?: boolean | undefined;
}

const backupRow = z.object({
  volid: z.string(),
  content: str,
  vmid: num,
  subtype: str,
  ctime: num,
  format: str,
  size: num,
  notes: str,
  protected: bool,
});

/** Storage content entries; non-backup content (images, iso, ...) is skipped. */
export function parseBackups(input: unknown): Result<PveBackup[]> {
  const rows = rowsOf(input, 'storage content');
  if (!rows.ok) return rows;
  const out: PveBackup[] = [];
  for (const row of rows.value) {
    const r = backupRow.safeParse(row);
    if (!r.success) continue;
    const { content, vmid, ...b } = r.data;
    if (content !== undefined && content !== 'backup') continue;
    const colon = b.volid.indexOf(':');
    out.push({
      ...b,
      vmid: vmid !== undefined && Number.isInteger(vmid) ? vmid : undefined,
      storage: colon > 0 ? b.volid.slice(0, colon) : undefined,
    });
  }
  return ok(out);
}

/** The newest backup (by ctime) of each guest; guests never backed up are absent. */
export function lastBackupByGuest(entries: readonly PveBackup[]): Map<number, PveBackup> {
  const out = new Map<number, PveBackup>();
  for (const b of entries) {
    if (b.vmid === undefined || b.ctime === undefined) continue;
    const prev = out.get(b.vmid);
    if (prev?.ctime === undefined || b.ctime > prev.ctime) out.set(b.vmid, b);
  }
  return out;
}
