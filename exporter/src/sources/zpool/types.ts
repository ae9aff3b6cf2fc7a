/** Pool states `zpool` prints (lower-cased), the set `proxmon_zfs_pool_state` always emits. */
export const POOL_STATES = [
  'online',
  'degraded',
  'faulted',
  'offline',
  'removed',
  'unavail',
  'suspended',
] as const;

/** Vdev states: the pool-state words plus AVAIL and INUSE, which `zpool status` prints for hot spares. */
export const VDEV_STATES = [
  'online',
  'degraded',
  'faulted',
  'offline',
  'removed',
  'unavail',
  'avail',
  'inuse',
] as const;

/** Where a vdev sits: the main tree, an allocation class, or the cache/spares lists. */
export type VdevClass = 'normal' | 'dedup' | 'special' | 'logs' | 'cache' | 'spares';

export type ScanFunction = 'scrub' | 'resilver' | 'errorscrub';

/**
 * `scanning` includes a paused scrub (`paused` is set); `none` is a pool never scanned; `unknown` an
 * entry in a form this parser does not know (its text is kept).
 */
export type ScanState = 'none' | 'scanning' | 'finished' | 'canceled' | 'unknown';

export interface ZpoolScan {
  /** Undefined when no scan was ever requested. */
  function?: ScanFunction;
  state: ScanState;
  paused: boolean;
  /** Set for a sequential rebuild of one top-level vdev (`resilvered (draid1-0) ...`). */
  vdev?: string;
  /** Epoch seconds; undefined when the printed local time could not be read. */
  startTime?: number;
  endTime?: number;
  pausedSince?: number;
  durationSeconds?: number;
  scannedBytes?: number;
  issuedBytes?: number;
  totalBytes?: number;
  scanRateBytesPerSecond?: number;
  issueRateBytesPerSecond?: number;
  /** Bytes repaired (scrub) or resilvered (resilver); exact with JSON, 3 significant digits from text. */
  processedBytes?: number;
  /** 0-1 while scanning. */
  progressRatio?: number;
  secondsLeft?: number;
  /** Errors the scan found (finished scans in text; any state in JSON). */
  errors?: number;
  /** The scan lines as printed, for the API. */
  text: string;
}

export interface ZpoolVdev {
  /** The name as `zpool status` prints it (device, `mirror-0`, `raidz2-1`, a GUID for a missing disk). */
  name: string;
  /** Unique within the pool: the name, or `<parent>/<name>` for a repeated one (see uniqueVdevLabels). */
  label: string;
  /** Label of the parent vdev; undefined for the root and for top-level class/cache/spare entries. */
  parent?: string;
  depth: number;
  class: VdevClass;
  /** root, mirror, raidz, draid, replacing, spare, dspare (dRAID distributed spare), disk, file, ... */
  type: string;
  leaf: boolean;
  /** State as printed, upper case (ONLINE, DEGRADED, AVAIL, INUSE, ...). */
  state: string;
  readErrors?: number;
  writeErrors?: number;
  checksumErrors?: number;
  /** Text after the counters: `too many errors`, `was /dev/...`, `(resilvering)`, `currently in use`. */
  note?: string;
  /** Last known path of a device that is not present (`was /dev/disk/by-id/...`). */
  wasPath?: string;
  /** Device path / udev devid (JSON output only). */
  path?: string;
  devid?: string;
  /** WWN, else serial, where the vdev's name (or path) allows; see vdevDiskIds. */
  diskId?: string;
}

export interface ZpoolStatusPool {
  name: string;
  /** As printed, upper case: ONLINE, DEGRADED, FAULTED, OFFLINE, REMOVED, UNAVAIL, SUSPENDED. */
  state: string;
  /** The `status:` message from text output; from JSON, the reason code (`FAULTED_DEV_R`, ...). */
  status?: string;
  action?: string;
  /** The `see:` URL (JSON: moreinfo, else msgid). */
  see?: string;
  /** Every `scan:` entry (a healing scrub/resilver plus any sequential rebuilds), and an error scrub. */
  scans: ZpoolScan[];
  vdevs: ZpoolVdev[];
  /** Data errors (`errors:` line / error_count); undefined when not printed or not countable. */
  dataErrors?: number;
  errorsText?: string;
}

export interface ZpoolListEntry {
  name: string;
  health: string;
  sizeBytes?: number;
  allocatedBytes?: number;
  freeBytes?: number;
  fragmentationRatio?: number;
  dedupRatio?: number;
}

export interface ZpoolPool extends ZpoolStatusPool {
  sizeBytes?: number;
  allocatedBytes?: number;
  freeBytes?: number;
  fragmentationRatio?: number;
  dedupRatio?: number;
  /**
   * End of the last completed scrub (epoch seconds). zpool status shows only the latest scan, so after
   * a resilver this is the value the source saw earlier, while the exporter has been running.
   */
  lastScrubEndTime?: number;
}

export interface ZpoolSnapshot {
  /** Which `zpool status` output was parsed. */
  format: 'json' | 'text';
  pools: ZpoolPool[];
}
