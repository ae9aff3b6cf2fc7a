import type { SmartSnapshot } from '../sources/smart/index.js';
import type { Db } from './db.js';

/**
 * The disk registry: every disk SMART has seen, kept after it is pulled (removed_at set, never
 * deleted) so history and findings keep their disk. Times are epoch milliseconds, like the other
 * tables. To be appended to store/migrations.ts.
 */
export interface SeenDisk {
  diskId: string;
  device: string;
  serial?: string;
  model?: string;
  sizeBytes?: number;
  type: string;
}

export interface DiskRecord extends Required<Pick<SeenDisk, 'diskId' | 'device' | 'type'>> {
  serial: string | undefined;
  model: string | undefined;
  sizeBytes: number | undefined;
  firstSeen: number;
  lastSeen: number;
  removedAt: number | undefined;
}

export interface RecordOptions {
  /** The list is every disk there is (default): those missing from it are marked removed. */
  complete?: boolean;
  /** Device paths that could not be read this time: a disk last seen on one is not marked removed. */
  uncertainDevices?: readonly string[];
}

/**
 * Upserts the disks seen now, in one transaction. Details a disk did not report this time (a disk
 * first seen asleep has no model yet) keep their stored value.
 */
export function recordDisksSeen(
  db: Db,
  disks: readonly SeenDisk[],
  now: number,
  { complete = true, uncertainDevices = [] }: RecordOptions = {},
): void {
  const upsert = db.prepare(
    `INSERT INTO disks (disk_id, device, serial, model, size_bytes, type, first_seen, last_seen, removed_at)
     VALUES (@diskId, @device, @serial, @model, @sizeBytes, @type, @now, @now, NULL)
     ON CONFLICT (disk_id) DO UPDATE SET
       device = excluded.device,
       serial = coalesce(excluded.serial, serial),
       model = coalesce(excluded.model, model),
       size_bytes = coalesce(excluded.size_bytes, size_bytes),
       type = CASE WHEN excluded.type = 'unknown' THEN type ELSE excluded.type END,
       last_seen = excluded.last_seen,
       removed_at = NULL`,
  );
  const present = db.prepare(`SELECT disk_id, device FROM disks WHERE removed_at IS NULL`);
  const markRemoved = db.prepare(`UPDATE disks SET removed_at = ? WHERE disk_id = ?`);
  db.transaction(() => {
    for (const d of disks) {
      upsert.run({
        diskId: d.diskId,
        device: d.device,
        serial: d.serial ?? null,
        model: d.model ?? null,
        sizeBytes: d.sizeBytes ?? null,
        type: d.type,
        now,
      });
    }
    if (!complete) return;
    const seen = new Set(disks.map((d) => d.diskId));
    const uncertain = new Set(uncertainDevices);
    for (const row of present.all() as { disk_id: string; device: string }[]) {
      if (!seen.has(row.disk_id) && !uncertain.has(row.device)) markRemoved.run(now, row.disk_id);
    }
  })();
}

export function listDisks(
  db: Db,
  { includeRemoved = true }: { includeRemoved?: boolean } = {},
): DiskRecord[] {
  const rows = db
    .prepare(
      `SELECT disk_id, device, serial, model, size_bytes, type, first_seen, last_seen, removed_at FROM disks
       ${includeRemoved ? '' : 'WHERE removed_at IS NULL'} ORDER BY first_seen, disk_id`,
    )
    .all() as {
    disk_id: string;
    device: string;
    serial: string | null;
    model: string | null;
    size_bytes: number | null;
    type: string;
    first_seen: number;
    last_seen: number;
    removed_at: number | null;
  }[];
  return rows.map((r) => ({
    diskId: r.disk_id,
    device: r.device,
    serial: r.serial ?? undefined,
    model: r.model ?? undefined,
    sizeBytes: r.size_bytes ?? undefined,
    type: r.type,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    removedAt: r.removed_at ?? undefined,
  }));
}

/**
 * Records one successful SMART refresh. The snapshot lists every device the scan found, so disks
 * missing from it were pulled, except those last seen on a path that could not be read this time.
 */
export function syncDiskRegistry(db: Db, snapshot: SmartSnapshot, now: number): void {
  recordDisksSeen(
    db,
    snapshot.disks.map(({ diskId, identity: i }) => ({
      diskId,
      device: i.device,
      serial: i.serial,
      model: i.model,
      sizeBytes: i.sizeBytes,
      type: i.kind,
    })),
    now,
    { complete: true, uncertainDevices: snapshot.unreadable.map((u) => u.device) },
  );
}
