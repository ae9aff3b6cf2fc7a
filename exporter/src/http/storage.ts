import { Router } from 'express';
import type { z } from 'zod';
import type { SnapshotReader } from '../snapshots.js';
import { SMART_SOURCE, type DiskState, type SmartSnapshot } from '../sources/smart/index.js';
import { SEVERITY_NAMES } from '../sources/smart/types.js';
import { ZPOOL_SOURCE, type ZpoolPool, type ZpoolScan, type ZpoolSnapshot } from '../sources/zpool/index.js';
import type { Db } from '../store/db.js';
import { listDisks, type DiskRecord } from '../store/disks.js';
import { errors } from './errors.js';
import { ApiRouter } from './route.js';
import { isoFromMs, isoFromSeconds, sourceStatus } from './source-status.js';
import {
  diskSchema,
  poolSchema,
  scanSchema,
  smartDetailResponse,
  storageResponse,
} from './storage-schema.js';

export interface StorageRouterDeps {
  snapshots: SnapshotReader;
  db: Db;
}

type DiskView = z.input<typeof diskSchema>;
const nul = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

/** One disk as the API shows it: the SMART round's state (if any) over its registry record (if any). */
function diskView(state: DiskState | undefined, record: DiskRecord | undefined): DiskView {
  const i = state?.identity;
  const v = state?.values;
  const severity = state?.health.severity;
  return {
    disk_id: state?.diskId ?? record?.diskId ?? '',
    device: i?.device ?? record?.device ?? '',
    device_type: nul(i?.deviceType),
    model: nul(i?.model ?? record?.model),
    serial: nul(i?.serial ?? record?.serial),
    firmware: nul(i?.firmware),
    wwn: nul(i?.wwn),
    type: i?.kind ?? record?.type ?? 'unknown',
    protocol: nul(i?.protocol),
    size_bytes: nul(i?.sizeBytes ?? record?.sizeBytes),
    rotation_rpm: nul(i?.rotationRpm),
    present: state !== undefined,
    removed: state === undefined && record?.removedAt !== undefined,
    removed_at: state ? null : isoFromMs(record?.removedAt),
    first_seen: isoFromMs(record?.firstSeen),
    last_seen: isoFromMs(record?.lastSeen),
    standby: nul(state?.standby),
    smart_passed: nul(v?.smartPassed),
    temperature_celsius: nul(v?.temperatureCelsius),
    power_on_seconds: nul(v?.powerOnSeconds),
    power_cycles: nul(v?.powerCycles),
    reallocated_sectors: nul(v?.reallocatedSectors),
    pending_sectors: nul(v?.pendingSectors),
    offline_uncorrectable_sectors: nul(v?.offlineUncorrectableSectors),
    crc_errors: nul(v?.crcErrors),
    media_errors: nul(v?.mediaErrors),
    wear_ratio: nul(v?.wearRatio),
    available_spare_ratio: nul(v?.availableSpareRatio),
    critical_warning: nul(v?.criticalWarning),
    error_log_count: nul(v?.errorLogCount),
    self_test_errors: nul(v?.selfTestErrors),
    // A disk found asleep before its first read has no read behind it.
    exit_status: state?.readAt === undefined ? null : state.exitStatus,
    health: {
      severity: nul(severity),
      status: severity === undefined ? null : SEVERITY_NAMES[severity],
      reasons: state?.health.reasons ?? [],
    },
    read_at: isoFromMs(state?.readAt),
    error: nul(state?.error),
    messages: state?.messages ?? [],
  };
}

/** Disks of the latest SMART round in its order, then registry disks it does not have (removed ones). */
function mergedDisks(smart: SmartSnapshot | undefined, records: readonly DiskRecord[]) {
  const byId = new Map(records.map((r) => [r.diskId, r]));
  const current = smart?.disks ?? [];
  const seen = new Set(current.map((d) => d.diskId));
  return [
    ...current.map((d) => ({ state: d as DiskState | undefined, record: byId.get(d.diskId) })),
    ...records.filter((r) => !seen.has(r.diskId)).map((r) => ({ state: undefined, record: r })),
  ];
}

function scanView(s: ZpoolScan): z.input<typeof scanSchema> {
  return {
    function: nul(s.function),
    state: s.state,
    paused: s.paused,
    vdev: nul(s.vdev),
    started_at: isoFromSeconds(s.startTime),
    ended_at: isoFromSeconds(s.endTime),
    paused_at: isoFromSeconds(s.pausedSince),
    duration_seconds: nul(s.durationSeconds),
    scanned_bytes: nul(s.scannedBytes),
    issued_bytes: nul(s.issuedBytes),
    total_bytes: nul(s.totalBytes),
    processed_bytes: nul(s.processedBytes),
    progress_ratio: nul(s.progressRatio),
    seconds_left: nul(s.secondsLeft),
    scan_rate_bytes_per_second: nul(s.scanRateBytesPerSecond),
    issue_rate_bytes_per_second: nul(s.issueRateBytesPerSecond),
    errors: nul(s.errors),
    text: s.text,
  };
}

function poolView(p: ZpoolPool): z.input<typeof poolSchema> {
  return {
    name: p.name,
    state: p.state,
    status: nul(p.status),
    action: nul(p.action),
    see: nul(p.see),
    size_bytes: nul(p.sizeBytes),
    allocated_bytes: nul(p.allocatedBytes),
    free_bytes: nul(p.freeBytes),
    fragmentation_ratio: nul(p.fragmentationRatio),
    dedup_ratio: nul(p.dedupRatio),
    data_errors: nul(p.dataErrors),
    errors_text: nul(p.errorsText),
    last_scrub_at: isoFromSeconds(p.lastScrubEndTime),
    scans: p.scans.map(scanView),
    vdevs: p.vdevs.map((v) => ({
      name: v.name,
      label: v.label,
      parent: nul(v.parent),
      depth: v.depth,
      class: v.class,
      type: v.type,
      leaf: v.leaf,
      state: v.state,
      read_errors: nul(v.readErrors),
      write_errors: nul(v.writeErrors),
      checksum_errors: nul(v.checksumErrors),
      note: nul(v.note),
      was_path: nul(v.wasPath),
      path: nul(v.path),
      disk_id: nul(v.diskId),
    })),
  };
}

/** `sda`, `/dev/sda` and `nvme0` name the same device as `/dev/sda` and `/dev/nvme0`. */
const devicePath = (name: string) => (name.startsWith('/') ? name : `/dev/${name}`);

export function createStorageRouter({ snapshots, db }: StorageRouterDeps): ApiRouter {
  const api = new ApiRouter('/api/storage', Router(), 'storage');

  api.route(
    {
      method: 'get',
      path: '/',
      auth: 'read',
      summary:
        'Disks with their SMART summary and health verdict (removed ones too), ZFS pools with vdev tree and scan',
      response: storageResponse,
    },
    () => {
      const smart = snapshots.latest<SmartSnapshot>(SMART_SOURCE);
      const zpool = snapshots.latest<ZpoolSnapshot>(ZPOOL_SOURCE);
      return {
        disks: mergedDisks(smart, listDisks(db, { includeRemoved: true })).map(({ state, record }) =>
          diskView(state, record),
        ),
        unreadable: (smart?.unreadable ?? []).map((u) => ({
          device: u.device,
          type: nul(u.type),
          reason: u.reason,
          standby: u.standby ?? false,
        })),
        pools: (zpool?.pools ?? []).map(poolView),
        sources: {
          smart: sourceStatus(snapshots, SMART_SOURCE),
          zpool: sourceStatus(snapshots, ZPOOL_SOURCE),
        },
      };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/smart/:disk',
      auth: 'read',
      summary: 'One disk with every SMART attribute, by disk_id or device name (sda, /dev/sda)',
      response: smartDetailResponse,
    },
    ({ params }) => {
      const key = params.disk ?? '';
      const smart = snapshots.latest<SmartSnapshot>(SMART_SOURCE);
      const disks = mergedDisks(smart, listDisks(db, { includeRemoved: true }));
      const path = devicePath(key);
      const found =
        disks.find((d) => (d.state?.diskId ?? d.record?.diskId) === key) ??
        disks.find((d) => d.state?.identity.device === path) ??
        disks.find((d) => !d.state && !d.record?.removedAt && d.record?.device === path);
      if (!found) {
        const asleep = smart?.unreadable.find((u) => u.device === path);
        throw errors.notFound(
          asleep
            ? `no SMART data for ${path} yet: ${asleep.reason}`
            : `no disk ${key} (by disk_id or device)`,
        );
      }
      const v = found.state?.values;
      return {
        disk: diskView(found.state, found.record),
        temperature_limit_celsius: nul(v?.temperatureLimitCelsius),
        available_spare_threshold_ratio: nul(v?.availableSpareThresholdRatio),
        attributes: (v?.attributes ?? []).map((a) => ({
          id: a.id,
          name: a.name,
          value: nul(a.value),
          worst: nul(a.worst),
          threshold: nul(a.threshold),
          raw: nul(a.raw),
          raw_string: nul(a.rawString),
          prefailure: a.prefailure,
          when_failed: a.whenFailed || null,
        })),
      };
    },
  );
  return api;
}
