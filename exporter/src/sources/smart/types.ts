/** How the disk talks: smartctl's `device.protocol`, lower-cased. */
export type DiskProtocol = 'ata' | 'nvme' | 'scsi' | 'unknown';
/** What the disk is, from the protocol and `rotation_rate`. */
export type DiskKind = 'hdd' | 'ssd' | 'nvme' | 'unknown';

/** A device to query: from `smartctl --scan-open -j` or from config (`-d megaraid,N` and the like). */
export interface SmartDevice {
  /** Path given to smartctl: `/dev/sda`, `/dev/nvme0`, `/dev/bus/0`. */
  name: string;
  /** smartctl `-d` type (`sat`, `nvme`, `scsi`, `megaraid,0`); undefined lets smartctl autodetect. */
  type?: string;
  /** `-n` power-mode check; `standby` (never wake a disk) unless config says otherwise for this device. */
  powerModeCheck?: PowerModeCheck;
}

export type PowerModeCheck = 'standby' | 'sleep' | 'idle' | 'never';

/** One row of the ATA attribute table. */
export interface SmartAttribute {
  id: number;
  name: string;
  value?: number;
  worst?: number;
  threshold?: number;
  /** The leading number of smartctl's raw string ("36 (Min/Max 24/57)" → 36), else its raw value. */
  raw?: number;
  rawString?: string;
  prefailure: boolean;
  /** smartctl's when_failed: "now", "past" or "" */
  whenFailed?: string;
}

export interface DiskIdentity {
  /** WWN as in /dev/disk/by-id/wwn-0x… (lower-case hex with 0x), else the serial number. */
  diskId: string;
  /** The path queried (also what proxmon_disk_info carries as `device`). */
  device: string;
  /** The `-d` type used, if any. */
  deviceType?: string;
  /** smartctl's resolved type (`sat`, `sat+megaraid,0`, `usbjmicron`, `nvme`, `scsi`). */
  resolvedType?: string;
  protocol: DiskProtocol;
  kind: DiskKind;
  model?: string;
  serial?: string;
  firmware?: string;
  wwn?: string;
  sizeBytes?: number;
  rotationRpm?: number;
}

/** Values read from one smartctl reply. Undefined means the disk did not report it. */
export interface SmartValues {
  smartPassed?: boolean;
  temperatureCelsius?: number;
  /** The vendor's own limit: SCSI drive trip point, ATA SCT limit, NVMe critical composite threshold. */
  temperatureLimitCelsius?: number;
  powerOnSeconds?: number;
  powerCycles?: number;
  reallocatedSectors?: number;
  pendingSectors?: number;
  offlineUncorrectableSectors?: number;
  crcErrors?: number;
  /** NVMe media and data integrity errors; SCSI uncorrected read/write/verify errors. */
  mediaErrors?: number;
  /** 0–1 of rated endurance used (NVMe percentage_used, SSD life-left attributes); may pass 1. */
  wearRatio?: number;
  availableSpareRatio?: number;
  availableSpareThresholdRatio?: number;
  criticalWarning?: number;
  /** ATA error log count / NVMe error log entries. */
  errorLogCount?: number;
  /** Failed self-tests not superseded by a later passing one (ATA: error_count_total - outdated). */
  selfTestErrors?: number;
  attributes: SmartAttribute[];
}

/** What a reply says about the disk; `diskId` is undefined when it reported neither WWN nor serial. */
export type ReplyIdentity = Omit<DiskIdentity, 'device' | 'deviceType' | 'diskId'> & { diskId?: string };

/** A parsed `smartctl -j -a` reply. */
export type SmartctlReply =
  | {
      kind: 'reading';
      identity: ReplyIdentity;
      values: SmartValues;
      exitStatus: number;
      messages: string[];
    }
  | {
      kind: 'standby';
      powerMode: string;
      exitStatus: number;
      protocol: DiskProtocol;
      /** smartctl's resolved type, when the reply names it (7.5 does). */
      resolvedType?: string;
    }
  | { kind: 'failed'; exitStatus: number; message: string };

export type Severity = 0 | 1 | 2 | 3;
export const SEVERITY_NAMES = ['OK', 'INFO', 'WARNING', 'CRITICAL'] as const;

export interface HealthReason {
  /** Stable key for the health cycle: `smart_failed`, `pending_sectors`, `temperature`, … */
  code: string;
  severity: Severity;
  message: string;
}

export interface DiskHealth {
  severity: Severity;
  reasons: HealthReason[];
}

/** One disk as the source last knew it. */
export interface DiskState {
  diskId: string;
  identity: DiskIdentity;
  /**
   * Values from the last successful read (at `readAt`). Counters survive a sleep or a failed read;
   * the temperature is only present when this round's read gave it (a spun-down disk cools, and a
   * stale hot reading would keep a temperature alert firing).
   */
  values: SmartValues;
  /** Exit status of the read that gave `values`. */
  exitStatus: number;
  /** Epoch ms of that read; undefined for a disk found asleep before it was ever read. */
  readAt?: number;
  /** This round found the disk in a low-power mode and left it alone. */
  standby: boolean;
  /** Why this round has no fresh read (timeout, error, backoff); undefined when it does or it sleeps. */
  error?: string;
  health: DiskHealth;
  /** smartctl's own messages from that read. */
  messages: string[];
}

/** A device that gave no disk this round and that the source has no memory of. */
export interface UnreadableDevice {
  device: string;
  type?: string;
  reason: string;
  exitStatus?: number;
  standby?: boolean;
}

export interface SmartSnapshot {
  disks: DiskState[];
  unreadable: UnreadableDevice[];
  /** Epoch ms of the device scan this round used (undefined when only configured devices are used). */
  scannedAt?: number;
  /** Set when the rescan failed and the previous device list was used. */
  scanError?: string;
}
