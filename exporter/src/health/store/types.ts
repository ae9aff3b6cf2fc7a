import type { ResourceKind, ResourceInventory } from '../check.js';
import type { Category, Finding, Severity } from '../finding.js';

/** The dismissal durations a user may pick, in hours; `null` is permanent. */
export const DISMISS_DURATIONS = {
  '24h': 24,
  '72h': 72,
  '7d': 168,
  '30d': 720,
  '1y': 8760,
  permanent: null,
} as const satisfies Record<string, number | null>;
export type DismissDuration = keyof typeof DISMISS_DURATIONS;

/** A dismissal length in whole hours, or permanent. */
export type DismissHours = number | 'permanent';

/** Who set a dismissal: the user with a duration, the user with the category default, or auto-dismiss. */
export type DismissSource = 'explicit' | 'default' | 'auto';

/** Why an error was resolved: its finding went away, its resource went away, or it was excluded. */
export type Resolution = 'auto' | 'vanished' | 'excluded';

export const RESOLUTION_REASONS: Record<Resolution, string> = {
  auto: 'no longer detected',
  vanished: 'resource vanished',
  excluded: 'resource excluded from health',
};

export interface ResourceRef {
  kind: ResourceKind;
  id: string;
}

export interface Dismissal {
  at: number;
  hours: DismissHours;
  /** Unix ms; null when permanent. */
  expiresAt: number | null;
  source: DismissSource;
  by?: string;
  /** False once expired: the error shows again and re-triggers when next seen. */
  inForce: boolean;
}

/** One persisted error: the latest state of a finding key, from first seen to resolved. */
export interface HealthError {
  errorKey: string;
  category: Category;
  check: string;
  severity: Severity;
  reason: string;
  details?: Record<string, unknown>;
  resource?: ResourceRef;
  firstSeen: number;
  lastSeen: number;
  occurrences: number;
  /** When it reached the persistent count. */
  persistentAt?: number;
  dismissal?: Dismissal;
  resolvedAt?: number;
  resolution?: Resolution;
}

export interface CycleInput {
  /** Categories evaluated this cycle: their unresolved errors missing from `findings` are resolved. */
  evaluated: readonly Category[];
  findings: readonly Finding[];
  /** Resources each category saw; a row about a resource missing from its kind's set is resolved. */
  present: Partial<Record<Category, ResourceInventory>>;
}

interface EventBase {
  id: number;
  at: number;
  errorKey: string;
  category: Category;
  check: string;
  severity: Severity;
  /** The error's reason (the last one seen). */
  reason: string;
  firstSeen: number;
  occurrences: number;
  details?: Record<string, unknown>;
  resource?: ResourceRef;
}

/**
 * What changed, for the notification engine and the events log. `new`, `retriggered` (a dismissal
 * expired while the problem went on) and `escalated` are the ones to notify; `auto_dismissed` is a new
 * error the category's settings hid at once.
 */
export type HealthEvent =
  | (EventBase & { type: 'new' | 'retriggered' | 'auto_dismissed' | 'persistent' })
  | (EventBase & { type: 'escalated' | 'downgraded'; previousSeverity: Severity })
  | (EventBase & {
      type: 'resolved';
      resolution: Resolution;
      resolutionReason: string;
      /** From first seen to resolved. */
      durationSeconds: number;
    })
  | (EventBase & { type: 'dismissed'; hours: DismissHours; expiresAt: number | null; actor?: string })
  | (EventBase & { type: 'undismissed'; actor?: string });

export type HealthEventType = HealthEvent['type'];

export interface StoreError {
  code: 'not_found' | 'invalid';
  message: string;
}
export type StoreResult<T> = { ok: true; value: T } | { ok: false; error: StoreError };

export interface EventQuery {
  /** 1–1000, default 100. */
  limit?: number;
  /** Only events with an id below this (paging backwards, newest first). */
  before?: number;
  errorKey?: string;
}

export type ExclusionKind = 'storage' | 'interface';

export interface ExclusionRecord {
  kind: ExclusionKind;
  name: string;
  /** False keeps the resource out of health entirely. */
  health: boolean;
  /** False keeps it out of notifications (it still shows in health). */
  notifications: boolean;
  reason?: string;
  createdAt: number;
}

/** Active errors per category and severity (zeros included, so every series is stable). */
export type ErrorCounts = Record<Category, Record<Severity, number>>;
