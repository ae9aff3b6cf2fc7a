import type { ResourceInventory } from '../check.js';
import type { Category, Finding, Severity } from '../finding.js';
import { hoursToColumn, isDismissed, resourceOf, SEVERITY_RANK, type ErrorRow } from './error-row.js';
import type { ErrorsTable } from './errors-table.js';
import type { EventLog } from './event-log.js';
import type { SuppressionSettings } from './settings.js';
import { RESOLUTION_REASONS, type CycleInput, type HealthEvent, type Resolution } from './types.js';

export interface CycleContext {
  errors: ErrorsTable;
  events: EventLog;
  suppression: SuppressionSettings;
  /** `kind:name` of resources kept out of health. */
  healthExcluded: ReadonlySet<string>;
  now: number;
  persistentAfter: number;
}

/** One cycle's upserts and resolutions; the caller runs it inside one transaction. */
export function applyCycleRows(ctx: CycleContext, input: CycleInput): HealthEvent[] {
  const open = ctx.errors.open();
  const events: HealthEvent[] = [];
  const seen = new Set<string>();
  for (const finding of worstPerKey(input.findings)) {
    const resource = resourceOf(finding.details);
    if (resource && ctx.healthExcluded.has(`${resource.kind}:${resource.id}`)) continue;
    seen.add(finding.errorKey);
    const row = open.get(finding.errorKey);
    events.push(...(row ? recordSeenAgain(ctx, row, finding) : recordNew(ctx, finding)));
  }
  const evaluated = new Set<Category>(input.evaluated);
  for (const row of open.values()) {
    if (seen.has(row.error_key)) continue;
    const resolution = resolutionFor(ctx, row, input, evaluated);
    if (resolution) events.push(resolveRow(ctx, row, resolution));
  }
  return events;
}

function resolutionFor(
  ctx: CycleContext,
  row: ErrorRow,
  input: CycleInput,
  evaluated: ReadonlySet<Category>,
): Resolution | undefined {
  if (row.resource_kind !== null && row.resource_id !== null) {
    if (ctx.healthExcluded.has(`${row.resource_kind}:${row.resource_id}`)) return 'excluded';
    const inventory = input.present[row.category as Category] as ResourceInventory | undefined;
    const ids = inventory?.[row.resource_kind as keyof ResourceInventory];
    // Dismissed or not: an error about something that no longer exists can never clear otherwise.
    if (ids && !ids.has(row.resource_id)) return 'vanished';
    // The category ran, but not the source that sees this kind of resource (pve down while zpool
    // answered): its silence says nothing about this error, which stays as it is.
    if (!ids) return undefined;
  }
  // A dismissal in force keeps the row (hidden) until it expires, even while the problem is gone.
  if (evaluated.has(row.category as Category) && !isDismissed(row, ctx.now)) return 'auto';
  return undefined;
}

function recordNew(ctx: CycleContext, f: Finding): HealthEvent[] {
  const auto = ctx.suppression[f.category].autoDismiss;
  const row = ctx.errors.insert({
    error_key: f.errorKey,
    ...findingColumns(f),
    first_seen: ctx.now,
    last_seen: ctx.now,
    occurrences: 1,
    persistent_at: ctx.persistentAfter <= 1 ? ctx.now : null,
    acknowledged_at: auto ? ctx.now : null,
    acknowledged_by: null,
    dismiss_hours: auto ? hoursToColumn(ctx.suppression[f.category].dismissHours) : null,
    dismiss_source: auto ? 'auto' : null,
    resolved_at: null,
    resolution: null,
  });
  const events = [ctx.events.append(auto ? 'auto_dismissed' : 'new', row, ctx.now, {})];
  if (row.persistent_at !== null && !auto) events.push(ctx.events.append('persistent', row, ctx.now, {}));
  return events;
}

function recordSeenAgain(ctx: CycleContext, row: ErrorRow, f: Finding): HealthEvent[] {
  const hidden = isDismissed(row, ctx.now);
  const expired = row.acknowledged_at !== null && !hidden;
  const previous = row.severity as Severity;
  Object.assign(row, findingColumns(f), {
    // A clock stepped back must not put last_seen before first_seen.
    last_seen: Math.max(ctx.now, row.last_seen),
    occurrences: row.occurrences + 1,
  });
  if (expired) {
    Object.assign(row, {
      acknowledged_at: null,
      acknowledged_by: null,
      dismiss_hours: null,
      dismiss_source: null,
    });
  }
  const reachedPersistent = row.persistent_at === null && row.occurrences >= ctx.persistentAfter;
  if (reachedPersistent) row.persistent_at = ctx.now;
  ctx.errors.save(row);

  if (hidden) return [];
  const events: HealthEvent[] = [];
  const rank = SEVERITY_RANK[f.severity] - SEVERITY_RANK[previous];
  if (expired) events.push(ctx.events.append('retriggered', row, ctx.now, {}));
  else if (rank > 0)
    events.push(ctx.events.append('escalated', row, ctx.now, { previousSeverity: previous }));
  else if (rank < 0)
    events.push(ctx.events.append('downgraded', row, ctx.now, { previousSeverity: previous }));
  if (reachedPersistent) events.push(ctx.events.append('persistent', row, ctx.now, {}));
  return events;
}

/** Marks an unresolved row resolved now and logs it with how long the problem lasted. */
export function resolveRow(
  ctx: Pick<CycleContext, 'errors' | 'events' | 'now'>,
  row: ErrorRow,
  resolution: Resolution,
): HealthEvent {
  row.resolved_at = Math.max(ctx.now, row.last_seen);
  row.resolution = resolution;
  ctx.errors.save(row);
  return ctx.events.append('resolved', row, row.resolved_at, {
    resolution,
    resolutionReason: RESOLUTION_REASONS[resolution],
    durationSeconds: Math.floor((row.resolved_at - row.first_seen) / 1000),
  });
}

function findingColumns(f: Finding) {
  const resource = resourceOf(f.details);
  return {
    category: f.category,
    check_name: f.check,
    severity: f.severity,
    reason: f.reason,
    details: detailsJson(f.details),
    resource_kind: resource?.kind ?? null,
    resource_id: resource?.id ?? null,
  };
}

function detailsJson(details: Record<string, unknown> | undefined): string | null {
  if (details === undefined) return null;
  try {
    return JSON.stringify(details);
  } catch {
    // A check put something unserialisable (a BigInt, a cycle) in its details: keep the error without them.
    return null;
  }
}

/** The contract says one finding per key; should a check break it, the worst one wins. */
function worstPerKey(findings: readonly Finding[]): Finding[] {
  const byKey = new Map<string, Finding>();
  for (const f of findings) {
    const prev = byKey.get(f.errorKey);
    if (!prev || SEVERITY_RANK[f.severity] > SEVERITY_RANK[prev.severity]) byKey.set(f.errorKey, f);
  }
  return [...byKey.values()];
}
