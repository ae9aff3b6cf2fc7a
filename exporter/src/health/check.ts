import type { SnapshotReader } from '../snapshots.js';
import type { Category, Finding, Status } from './finding.js';
import type { SampleHistory } from './samples.js';
import type { Thresholds } from './thresholds.js';

/** One row of a category's details: a check, or a check on one resource (a disk, a guest, ...). */
export interface CheckRow {
  /** e.g. `cpu_usage`, `zfs_pool`, `pve_service`. */
  check: string;
  /** The resource the row is about (pool name, vmid, service, ...); absent for host-wide checks. */
  resource?: string;
  status: Status;
  reason: string;
  /** The finding behind a non-OK row, so the API can say whether it is dismissable/dismissed. */
  errorKey?: string;
  value?: number;
}

/** Kinds of resource whose disappearance resolves (and later cleans up) the errors about them. */
export type ResourceKind = 'guest' | 'disk' | 'pool' | 'storage' | 'interface' | 'mount' | 'service';

/** What a category saw this cycle; a kind left undefined is unknown (source down): nothing is cleaned. */
export type ResourceInventory = Partial<Record<ResourceKind, ReadonlySet<string>>>;

export interface CategoryEvaluation {
  category: Category;
  rows: CheckRow[];
  /** Problems to persist; one per error key. A finding about a resource sets `details.resource` {kind, id}. */
  findings: Finding[];
  /** Set when none of the category's inputs is available: the category is UNKNOWN for this reason. */
  unknown?: string;
  /** Set when the category does not apply to this host (e.g. services off Proxmox); reported as OK. */
  skipped?: string;
  present?: ResourceInventory;
}

/** Exclusions the user configured; `health: false` keeps a resource out of health entirely. */
export interface Exclusions {
  storages: ReadonlyMap<string, { health: boolean; notifications: boolean }>;
  interfaces: ReadonlyMap<string, { health: boolean; notifications: boolean }>;
}

/** Everything a check may read; checks are pure functions of this. */
export interface HealthInputs {
  now: number;
  /** Fresh source values only (stale ones are undefined). */
  snapshots: SnapshotReader;
  thresholds: Thresholds;
  samples: SampleHistory;
  exclusions: Exclusions;
  /** Within the grace period after a host boot: noisy checks report INFO instead of alerting. */
  bootGrace: boolean;
  /** Host uptime in seconds when known. */
  uptimeSeconds?: number;
  extras: HealthExtras;
}

/** A journal line as the checks read it (the log analyzer keeps the last 10 minutes). */
export interface JournalLine {
  /** Unix ms. */
  at: number;
  message: string;
  /** syslog priority 0 (emerg) to 7 (debug). */
  priority: number;
  unit?: string;
  identifier?: string;
}

/**
 * Inputs gathered (asynchronously) by the cycle just before the pure checks run. Undefined means
 * unknown; the checks say so rather than guess.
 */
export interface HealthExtras {
  /** The journal analysis of this cycle (logs category), or why the journal could not be read. */
  logs?: { findings: Finding[]; rows: CheckRow[] } | { unknown: string };
  /** Warning-or-worse journal lines of the last 10 minutes (vms checks: QMP, start failures, OOM). */
  journal?: readonly JournalLine[];
  /** When the node certificate expires (unix ms); null when there is no certificate file. */
  certificateExpiresAt?: number | null;
  /** The last package upgrade (mtime of /var/log/apt/history.log, unix ms). */
  lastUpgradeAt?: number;
  /** When each pending security update was first seen pending (package → unix ms). */
  securityPendingSince?: ReadonlyMap<string, number>;
  /** Authentication failures in the last 24 h. */
  failedLogins24h?: number;
}

export type CategoryCheck = (inputs: HealthInputs) => CategoryEvaluation;
export type { Status, Severity, Category, Finding } from './finding.js';
