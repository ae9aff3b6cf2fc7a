import type { Db } from '../../store/db.js';
import type { Exclusions } from '../check.js';
import { CATEGORIES, type Category } from '../finding.js';
import { applyCycleRows, resolveRow } from './apply-cycle.js';
import { hoursToColumn, toHealthError, type ErrorRow } from './error-row.js';
import { ErrorsTable } from './errors-table.js';
import { EventLog } from './event-log.js';
import { ExclusionsTable, type ExclusionInput } from './exclusions.js';
import { healthSettingsPatchSchema, SettingsTable, type HealthSettings } from './settings.js';
import {
  DISMISS_DURATIONS,
  type CycleInput,
  type DismissDuration,
  type ErrorCounts,
  type EventQuery,
  type ExclusionKind,
  type ExclusionRecord,
  type HealthError,
  type HealthEvent,
  type StoreResult,
} from './types.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface HealthStoreOptions {
  /** Occurrences (cycles) after which an error is `persistent`; default 12 (an hour at 5 min). */
  persistentAfter: number;
  /** Resolved errors are deleted this long after resolving; default 7 days. */
  resolvedRetentionMs: number;
  /** Events are deleted after this long; default 30 days. */
  eventRetentionMs: number;
  /** applyCycle runs the retention cleanup at most this often; default 1 hour. */
  cleanupIntervalMs: number;
}

export const DEFAULT_HEALTH_STORE_OPTIONS: Readonly<HealthStoreOptions> = {
  persistentAfter: 12,
  resolvedRetentionMs: 7 * DAY_MS,
  eventRetentionMs: 30 * DAY_MS,
  cleanupIntervalMs: HOUR_MS,
};

export interface CleanupResult {
  errorsDeleted: number;
  eventsDeleted: number;
}

const notFound = (errorKey: string): StoreResult<never> => ({
  ok: false,
  error: { code: 'not_found', message: `no unresolved health error with key ${errorKey}` },
});

/**
 * The only writer of the health tables. Every method that changes something runs in one transaction,
 * so a crash leaves each change fully applied or not at all, and returns the events it logged.
 */
export class HealthStore {
  private readonly errors: ErrorsTable;
  private readonly eventLog: EventLog;
  private readonly settings: SettingsTable;
  private readonly exclusionsTable: ExclusionsTable;
  private readonly options: HealthStoreOptions;
  private lastCleanup = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly db: Db,
    private readonly now: () => number,
    options: Partial<HealthStoreOptions> = {},
  ) {
    this.options = { ...DEFAULT_HEALTH_STORE_OPTIONS, ...options };
    this.errors = new ErrorsTable(db);
    this.eventLog = new EventLog(db);
    this.settings = new SettingsTable(db);
    this.exclusionsTable = new ExclusionsTable(db);
  }

  /** Persists one health cycle's findings (see apply-cycle.ts for the rules) and returns what changed. */
  applyCycle(input: CycleInput): HealthEvent[] {
    return this.db.transaction(() => {
      const now = this.now();
      if (now - this.lastCleanup >= this.options.cleanupIntervalMs) this.cleanupAt(now);
      return applyCycleRows(
        {
          errors: this.errors,
          events: this.eventLog,
          suppression: this.settings.suppression(),
          healthExcluded: this.healthExcluded(),
          now,
          persistentAfter: this.options.persistentAfter,
        },
        input,
      );
    })();
  }

  /**
   * Dismisses an unresolved error for `duration` (the category default when undefined), counted from
   * now. Dismissing an already dismissed error replaces its dismissal.
   */
  acknowledge(
    errorKey: string,
    duration?: DismissDuration,
    actor?: string,
  ): StoreResult<{ error: HealthError; events: HealthEvent[] }> {
    if (duration !== undefined && !Object.hasOwn(DISMISS_DURATIONS, duration)) {
      return {
        ok: false,
        error: { code: 'invalid', message: `unknown dismissal duration ${String(duration)}` },
      };
    }
    return this.db.transaction(() => {
      const now = this.now();
      const row = this.errors.openRow(errorKey);
      if (!row) return notFound(errorKey);
      const hours =
        duration === undefined
          ? hoursToColumn(this.settings.suppression()[row.category as Category].dismissHours)
          : DISMISS_DURATIONS[duration];
      Object.assign(row, {
        acknowledged_at: now,
        acknowledged_by: actor ?? null,
        dismiss_hours: hours,
        dismiss_source: duration === undefined ? 'default' : 'explicit',
      });
      this.errors.save(row);
      const event = this.eventLog.append('dismissed', row, now, {
        hours: hours ?? 'permanent',
        expiresAt: hours === null ? null : now + hours * HOUR_MS,
        ...(actor !== undefined ? { actor } : {}),
      });
      return { ok: true as const, value: { error: toHealthError(row, now), events: [event] } };
    })();
  }

  /** Lifts a dismissal; an error that is not dismissed is left as it is (no event). */
  unacknowledge(
    errorKey: string,
    actor?: string,
  ): StoreResult<{ error: HealthError; events: HealthEvent[] }> {
    return this.db.transaction(() => {
      const now = this.now();
      const row = this.errors.openRow(errorKey);
      if (!row) return notFound(errorKey);
      if (row.acknowledged_at === null) {
        return { ok: true as const, value: { error: toHealthError(row, now), events: [] } };
      }
      Object.assign(row, {
        acknowledged_at: null,
        acknowledged_by: null,
        dismiss_hours: null,
        dismiss_source: null,
      });
      this.errors.save(row);
      const event = this.eventLog.append('undismissed', row, now, actor !== undefined ? { actor } : {});
      return { ok: true as const, value: { error: toHealthError(row, now), events: [event] } };
    })();
  }

  getSettings(): HealthSettings {
    return { suppression: this.settings.suppression() };
  }

  /**
   * Applies a settings change (validated here). A category whose dismissal length changes re-syncs the
   * dismissals in force that follow its default; those given an explicit duration keep theirs.
   */
  putSettings(patch: unknown): StoreResult<HealthSettings> {
    const parsed = healthSettingsPatchSchema.safeParse(patch);
    if (!parsed.success) {
      return {
        ok: false,
        error: { code: 'invalid', message: parsed.error.issues.map(issueText).join('; ') },
      };
    }
    return this.db.transaction(() => {
      const now = this.now();
      const current = this.settings.suppression();
      for (const category of CATEGORIES) {
        const change = parsed.data.suppression?.[category];
        if (!change) continue;
        const next = { ...current[category], ...change };
        this.settings.putSuppression(category, next, now);
        if (next.dismissHours !== current[category].dismissHours) {
          this.errors.resyncDefaultDismissals(category, hoursToColumn(next.dismissHours), now);
        }
      }
      return { ok: true as const, value: this.getSettings() };
    })();
  }

  getThresholdOverrides(): Record<string, unknown> {
    return this.settings.thresholdOverrides();
  }

  /** Stores the overrides as given; the caller validates them against the threshold tree. */
  putThresholdOverrides(overrides: Record<string, unknown>): void {
    this.settings.putThresholdOverrides(overrides, this.now());
  }

  listExclusions(kind?: ExclusionKind): ExclusionRecord[] {
    return this.exclusionsTable.list(kind);
  }

  getExclusion(kind: ExclusionKind, name: string): ExclusionRecord | undefined {
    return this.exclusionsTable.get(kind, name);
  }

  /** Creates or updates an exclusion; one that keeps the resource out of health resolves its errors. */
  putExclusion(
    kind: ExclusionKind,
    name: string,
    input: ExclusionInput,
  ): { exclusion: ExclusionRecord; events: HealthEvent[] } {
    return this.db.transaction(() => {
      const now = this.now();
      const exclusion = this.exclusionsTable.put(kind, name, input, now);
      const events = input.health
        ? []
        : this.errors
            .openForResource(kind, name)
            .map((row) => resolveRow({ errors: this.errors, events: this.eventLog, now }, row, 'excluded'));
      return { exclusion, events };
    })();
  }

  deleteExclusion(kind: ExclusionKind, name: string): boolean {
    return this.exclusionsTable.delete(kind, name);
  }

  /** Exclusions in the shape the checks read. */
  exclusions(): Exclusions {
    return this.exclusionsTable.exclusions();
  }

  /** Unresolved errors not dismissed (a dismissal that expired counts as not dismissed). Worst first. */
  active(): HealthError[] {
    const now = this.now();
    return this.errors.active(now).map((r) => toHealthError(r, now));
  }

  /** Unresolved errors whose dismissal is in force; `dismissal.expiresAt` says until when. */
  dismissed(): HealthError[] {
    const now = this.now();
    return this.errors.dismissed(now).map((r) => toHealthError(r, now));
  }

  /** The unresolved error with this key, or else the last resolved one. */
  get(errorKey: string): HealthError | undefined {
    const row: ErrorRow | undefined = this.errors.latest(errorKey);
    return row && toHealthError(row, this.now());
  }

  /** The events log, newest first. */
  events(query: EventQuery = {}): HealthEvent[] {
    return this.eventLog.list(query);
  }

  /** Active (not dismissed) errors per category and severity. */
  counts(): ErrorCounts {
    return this.errors.counts(this.now());
  }

  /** Retention: resolved errors and old events past their age are deleted. */
  cleanup(): CleanupResult {
    return this.db.transaction(() => this.cleanupAt(this.now()))();
  }

  private cleanupAt(now: number): CleanupResult {
    this.lastCleanup = now;
    return {
      errorsDeleted: this.errors.deleteResolvedBefore(now - this.options.resolvedRetentionMs),
      eventsDeleted: this.eventLog.deleteBefore(now - this.options.eventRetentionMs),
    };
  }

  private healthExcluded(): Set<string> {
    return new Set(this.exclusionsTable.list().flatMap((e) => (e.health ? [] : [`${e.kind}:${e.name}`])));
  }
}

function issueText(issue: { path: PropertyKey[]; message: string }): string {
  return issue.path.length ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message;
}
