import type { DiskProtocol } from '../sources/smart/types.js';

/** What `-t` can start; smartctl's own names. */
export const SELF_TEST_TYPES = ['short', 'long'] as const;
export type SelfTestType = (typeof SELF_TEST_TYPES)[number];

/** A log entry's test, normalised across ATA, NVMe and SCSI. */
export type SelfTestKind =
  'short' | 'long' | 'conveyance' | 'selective' | 'offline' | 'abort' | 'vendor' | 'unknown';

export type SelfTestStatus = 'passed' | 'failed' | 'aborted' | 'in_progress' | 'unknown';

export interface SelfTestEntry {
  kind: SelfTestKind;
  /** As smartctl printed it: "Short offline", "Extended", "Background long". */
  kindText?: string;
  status: SelfTestStatus;
  statusText?: string;
  /** Disk power-on hours when the test ended (or started, while running). */
  powerOnHours?: number;
  /** 0–1 of the test left; only while running, or where a test stopped early. */
  remainingRatio?: number;
  /** First failing LBA, when the disk reported one. */
  failingLba?: number;
}

export interface SelfTestProgress {
  kind?: SelfTestKind;
  kindText?: string;
  remainingRatio?: number;
}

/** A parsed `smartctl -j -l selftest` reply. */
export type SelfTestLogReply =
  | {
      kind: 'log';
      protocol: DiskProtocol;
      /** Newest first, as the disk keeps them. */
      entries: SelfTestEntry[];
      /** A test running now, when the disk says so. */
      inProgress?: SelfTestProgress;
      exitStatus: number;
      messages: string[];
    }
  | { kind: 'standby'; powerMode: string; exitStatus: number }
  | { kind: 'failed'; exitStatus: number; message: string };

/** What `smartctl -t short|long` answered. */
export type SelfTestStart =
  | { outcome: 'started'; message: string; expectedMinutes?: number }
  /** A test is already running; smartctl refuses to abort it. */
  | { outcome: 'busy'; message: string; remainingRatio?: number }
  | { outcome: 'unsupported'; message: string }
  | { outcome: 'failed'; message: string };
