import { z } from 'zod';
import { SEVERITY_NAMES } from '../sources/smart/types.js';
import { sourceStatusSchema } from './source-status.js';

/** Response shapes of /api/storage. Unknown values are null, never 0. */

const num = z.number().nullable();
const str = z.string().nullable();
const iso = z.string().nullable().describe('ISO 8601');

export const diskSchema = z.object({
  disk_id: z.string().describe('WWN (0x…) where the disk reports one, else its serial number'),
  device: z.string().describe('path smartctl was given: /dev/sda, /dev/nvme0, /dev/bus/0'),
  device_type: str.describe('smartctl -d type, when one was given (megaraid,8)'),
  model: str,
  serial: str,
  firmware: str,
  wwn: str,
  type: z.string().describe('hdd, ssd, nvme or unknown'),
  protocol: z.enum(['ata', 'nvme', 'scsi', 'unknown']).nullable(),
  size_bytes: num,
  rotation_rpm: num,
  present: z.boolean().describe('in the latest SMART round'),
  removed: z.boolean().describe('gone since removed_at; kept in the registry, never forgotten'),
  removed_at: iso,
  first_seen: iso,
  last_seen: iso,
  standby: z.boolean().nullable().describe('asleep this round and left alone; values are from read_at'),
  smart_passed: z.boolean().nullable(),
  temperature_celsius: num.describe('only from this round: null while the disk sleeps'),
  power_on_seconds: num,
  power_cycles: num,
  reallocated_sectors: num,
  pending_sectors: num,
  offline_uncorrectable_sectors: num,
  crc_errors: num,
  media_errors: num,
  wear_ratio: num.describe('0-1 of rated endurance used; may pass 1'),
  available_spare_ratio: num,
  critical_warning: num.describe('NVMe critical warning bit field'),
  error_log_count: num,
  self_test_errors: num,
  exit_status: num.describe('smartctl exit status bitmask of the read behind these values'),
  health: z.object({
    severity: z.number().int().min(0).max(3).nullable().describe('0 OK, 1 INFO, 2 WARNING, 3 CRITICAL'),
    status: z.enum(SEVERITY_NAMES).nullable(),
    reasons: z.array(
      z.object({ code: z.string(), severity: z.number().int().min(0).max(3), message: z.string() }),
    ),
  }),
  read_at: iso.describe('when these values were read'),
  error: str.describe('why this round has no fresh read (timeout, error, backoff)'),
  messages: z.array(z.string()).describe("smartctl's own messages from that read"),
});

export const scanSchema = z.object({
  function: z.enum(['scrub', 'resilver', 'errorscrub']).nullable(),
  state: z.enum(['none', 'scanning', 'finished', 'canceled', 'unknown']),
  paused: z.boolean(),
  vdev: str.describe('top-level vdev of a sequential rebuild'),
  started_at: iso,
  ended_at: iso,
  paused_at: iso,
  duration_seconds: num,
  scanned_bytes: num,
  issued_bytes: num,
  total_bytes: num,
  processed_bytes: num.describe('repaired (scrub) or resilvered (resilver)'),
  progress_ratio: num,
  seconds_left: num,
  scan_rate_bytes_per_second: num,
  issue_rate_bytes_per_second: num,
  errors: num,
  text: z.string().describe('the scan lines as zpool printed them'),
});

export const vdevSchema = z.object({
  name: z.string(),
  label: z.string().describe('unique within the pool'),
  parent: str.describe('label of the parent vdev; null for the root and top-level class entries'),
  depth: z.number().int(),
  class: z.enum(['normal', 'dedup', 'special', 'logs', 'cache', 'spares']),
  type: z.string().describe('root, mirror, raidz, draid, replacing, spare, disk, file, …'),
  leaf: z.boolean(),
  state: z.string().describe('as printed: ONLINE, DEGRADED, UNAVAIL, AVAIL, INUSE, …'),
  read_errors: num,
  write_errors: num,
  checksum_errors: num,
  note: str.describe('text after the counters: "(resilvering)", "was /dev/…", "too many errors"'),
  was_path: str,
  path: str,
  disk_id: str.describe('joins to disks[].disk_id where the name or path allows'),
});

export const poolSchema = z.object({
  name: z.string(),
  state: z.string().describe('ONLINE, DEGRADED, FAULTED, OFFLINE, REMOVED, UNAVAIL, SUSPENDED'),
  status: str,
  action: str,
  see: str,
  size_bytes: num,
  allocated_bytes: num,
  free_bytes: num,
  fragmentation_ratio: num,
  dedup_ratio: num,
  data_errors: num,
  errors_text: str,
  last_scrub_at: iso.describe('end of the last completed scrub seen'),
  scans: z.array(scanSchema).describe('the current or last scan first; sequential rebuilds after'),
  vdevs: z.array(vdevSchema).describe('the vdev tree, depth-first, each with its parent'),
});

export const storageResponse = z.object({
  disks: z.array(diskSchema),
  unreadable: z
    .array(
      z.object({
        device: z.string(),
        type: str,
        reason: z.string(),
        standby: z.boolean().describe('asleep since before its first read'),
      }),
    )
    .describe('devices the scan found that gave no disk yet'),
  pools: z.array(poolSchema),
  sources: z.object({ smart: sourceStatusSchema, zpool: sourceStatusSchema }),
});

export const smartAttributeSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  value: num,
  worst: num,
  threshold: num,
  raw: num.describe('leading number of the raw value'),
  raw_string: str,
  prefailure: z.boolean(),
  when_failed: str.describe('"now", "past", or null'),
});

export const smartDetailResponse = z.object({
  disk: diskSchema,
  temperature_limit_celsius: num,
  available_spare_threshold_ratio: num,
  attributes: z.array(smartAttributeSchema).describe('the ATA attribute table; empty for NVMe and SCSI'),
});
