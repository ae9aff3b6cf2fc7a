import { Router } from 'express';
import { z } from 'zod';
import type { Principal } from '../auth/scopes.js';
import type { CheckRow } from '../health/check.js';
import { CATEGORIES } from '../health/finding.js';
import type { HealthSnapshot } from '../health/status.js';
import {
  DISMISS_DURATIONS,
  MAX_DISMISS_HOURS,
  type HealthError,
  type HealthSettings,
  type HealthSettingsPatch,
  type HealthEvent,
  type HealthStore,
} from '../health/store/index.js';
import {
  checkThresholdOrder,
  resolveThresholds,
  THRESHOLDS,
  thresholdOverridesSchema,
  type ThresholdOverrides,
  type ThresholdSpec,
} from '../health/thresholds.js';
import type { SnapshotReader } from '../snapshots.js';
import type { NetworkSnapshot } from '../sources/network/types.js';
import { errors } from './errors.js';
import { ApiRouter } from './route.js';
import { isoFromMs } from './source-status.js';

export interface HealthRouterDeps {
  store: HealthStore;
  snapshots: SnapshotReader;
  latest: () => HealthSnapshot | undefined;
  runCycle: () => Promise<HealthSnapshot>;
  /** Passes store events (dismissals, exclusions) on to the notification engine. */
  emit: (events: readonly HealthEvent[]) => void;
  /** `/api/health/probe` without authentication (for uptime checkers); on by default. */
  publicProbe: boolean;
}

const status = z.enum(['OK', 'INFO', 'WARNING', 'CRITICAL', 'UNKNOWN']);
const iso = z.string().nullable();

const errorSchema = z.object({
  error_key: z.string(),
  category: z.string(),
  check: z.string(),
  severity: z.enum(['INFO', 'WARNING', 'CRITICAL']),
  reason: z.string(),
  details: z.record(z.string(), z.unknown()).nullable(),
  resource: z.object({ kind: z.string(), id: z.string() }).nullable(),
  first_seen: iso,
  last_seen: iso,
  occurrences: z.number().int(),
  persistent: z.boolean(),
  dismissed: z.boolean(),
  dismissed_at: iso,
  dismissed_by: z.string().nullable(),
  dismiss_expires_at: iso.describe('null while not dismissed, or dismissed permanently'),
  permanent: z.boolean(),
});

const rowSchema = z.object({
  check: z.string(),
  resource: z.string().nullable(),
  status,
  reason: z.string(),
  value: z.number().nullable(),
  error_key: z.string().nullable(),
  dismissable: z.boolean(),
  dismissed: z.boolean(),
});

const categorySchema = z.object({
  category: z.enum(CATEGORIES),
  status,
  reason: z.string().nullable(),
  skipped: z.boolean(),
  all_dismissed: z.boolean(),
});

const statusResponse = z.object({
  overall: status.nullable().describe('null before the first cycle'),
  at: iso,
  duration_ms: z.number().nullable(),
  categories: z.array(categorySchema),
});

const detailsResponse = statusResponse.extend({
  categories: z.array(categorySchema.extend({ checks: z.array(rowSchema) })),
});

const errorsResponse = z.object({ errors: z.array(errorSchema) });

function errorView(e: HealthError) {
  const d = e.dismissal?.inForce ? e.dismissal : undefined;
  return {
    error_key: e.errorKey,
    category: e.category,
    check: e.check,
    severity: e.severity,
    reason: e.reason,
    details: e.details ?? null,
    resource: e.resource ?? null,
    first_seen: isoFromMs(e.firstSeen),
    last_seen: isoFromMs(e.lastSeen),
    occurrences: e.occurrences,
    persistent: e.persistentAt !== undefined,
    dismissed: d !== undefined,
    dismissed_at: isoFromMs(d?.at),
    dismissed_by: d?.by ?? null,
    dismiss_expires_at: d?.expiresAt ? isoFromMs(d.expiresAt) : null,
    permanent: d !== undefined && d.expiresAt === null,
  };
}

const thresholdTree = (overrides: ThresholdOverrides) => {
  const values = resolveThresholds(overrides);
  return Object.fromEntries(
    Object.entries(THRESHOLDS).map(([section, specs]) => [
      section,
      Object.fromEntries(
        Object.entries(specs as Record<string, ThresholdSpec>).map(([key, spec]) => [
          key,
          {
            value: (values as Record<string, Record<string, number>>)[section]![key]!,
            default: spec.default,
            customised:
              (overrides as Record<string, Record<string, number> | undefined>)[section]?.[key] !== undefined,
            unit: spec.unit,
            min: spec.min,
            max: spec.max,
            description: spec.description,
          },
        ]),
      ),
    ]),
  );
};

const thresholdsResponse = z.record(
  z.string(),
  z.record(
    z.string(),
    z.object({
      value: z.number(),
      default: z.number(),
      customised: z.boolean(),
      unit: z.string(),
      min: z.number(),
      max: z.number(),
      description: z.string(),
    }),
  ),
);

const exclusionSchema = z.object({
  kind: z.enum(['storage', 'interface']),
  name: z.string(),
  exclude_health: z.boolean().describe('kept out of health checks'),
  exclude_notifications: z.boolean().describe('its events are not notified'),
  reason: z.string().nullable(),
  created_at: iso,
});

/** Names of PVE storages and network interfaces: no separators, no control characters. */
const RESOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,63}$/;

const actor = (p: Principal | undefined) =>
  p ? (p.tokenName ? `${p.username} (token ${p.tokenName})` : p.username) : undefined;

export function createHealthRouter(deps: HealthRouterDeps): ApiRouter {
  const { store } = deps;
  const api = new ApiRouter('/api/health', Router(), 'health');

  const summary = (snap: HealthSnapshot | undefined) => ({
    overall: snap?.overall ?? null,
    at: isoFromMs(snap?.at),
    duration_ms: snap?.durationMs ?? null,
  });

  api.route(
    {
      method: 'get',
      path: '/probe',
      auth: deps.publicProbe ? 'public' : 'read',
      summary: 'Overall status only, for uptime checkers: 200 when OK, INFO or WARNING, 503 when CRITICAL',
      response: z.object({ status: status.nullable() }),
    },
    ({ res }) => {
      const overall = deps.latest()?.overall ?? null;
      if (overall === 'CRITICAL') res.status(503);
      return { status: overall };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/status',
      auth: 'read',
      summary: 'Overall and per-category status',
      response: statusResponse,
    },
    () => {
      const snap = deps.latest();
      return {
        ...summary(snap),
        categories: (snap?.categories ?? []).map((c) => ({
          category: c.category,
          status: c.status,
          reason: c.reason ?? null,
          skipped: c.skipped,
          all_dismissed: c.allDismissed,
        })),
      };
    },
  );

  const details = () => {
    const snap = deps.latest();
    const dismissed = new Set(store.dismissed().map((e) => e.errorKey));
    const rowView = (r: CheckRow) => ({
      check: r.check,
      resource: r.resource ?? null,
      status: r.status,
      reason: r.reason,
      value: r.value ?? null,
      error_key: r.errorKey ?? null,
      dismissable: r.errorKey !== undefined && (r.status === 'WARNING' || r.status === 'CRITICAL'),
      dismissed: r.errorKey !== undefined && dismissed.has(r.errorKey),
    });
    return {
      ...summary(snap),
      categories: (snap?.categories ?? []).map((c) => ({
        category: c.category,
        status: c.status,
        reason: c.reason ?? null,
        skipped: c.skipped,
        all_dismissed: c.allDismissed,
        checks: c.evaluation.rows.map(rowView),
      })),
    };
  };

  api.route(
    {
      method: 'get',
      path: '/details',
      auth: 'read',
      summary: 'Every check of every category with dismissable and dismissed flags',
      response: detailsResponse,
    },
    details,
  );

  api.route(
    {
      method: 'get',
      path: '/active-errors',
      auth: 'read',
      summary: 'Persisted errors that are active (worst first)',
      response: errorsResponse,
    },
    () => ({ errors: store.active().map(errorView) }),
  );

  api.route(
    {
      method: 'get',
      path: '/dismissed',
      auth: 'read',
      summary: 'Errors whose dismissal is in force, with when it expires',
      response: errorsResponse,
    },
    () => ({ errors: store.dismissed().map(errorView) }),
  );

  api.route(
    {
      method: 'get',
      path: '/full',
      auth: 'read',
      summary: 'Details, active and dismissed errors in one answer',
      response: detailsResponse.extend({
        active_errors: z.array(errorSchema),
        dismissed: z.array(errorSchema),
      }),
    },
    () => ({
      ...details(),
      active_errors: store.active().map(errorView),
      dismissed: store.dismissed().map(errorView),
    }),
  );

  api.route(
    {
      method: 'get',
      path: '/events',
      auth: 'read',
      summary: 'The health event log, newest first; page with `before` = the last id seen',
      query: z.strictObject({
        limit: z.coerce.number().int().min(1).max(1000).default(100),
        before: z.coerce.number().int().positive().optional(),
        error_key: z.string().max(200).optional(),
      }),
      response: z.object({ events: z.array(z.record(z.string(), z.unknown())) }),
    },
    ({ query }) => ({
      events: store
        .events({ limit: query.limit, before: query.before, errorKey: query.error_key })
        .map((e) => ({ ...e, at: isoFromMs(e.at) })),
    }),
  );

  api.route(
    {
      method: 'post',
      path: '/run',
      auth: 'write',
      summary: 'Run a health cycle now (waits for one already running) and return the status',
      response: statusResponse,
    },
    async () => {
      const snap = await deps.runCycle();
      return {
        ...summary(snap),
        categories: snap.categories.map((c) => ({
          category: c.category,
          status: c.status,
          reason: c.reason ?? null,
          skipped: c.skipped,
          all_dismissed: c.allDismissed,
        })),
      };
    },
  );

  const durations = Object.keys(DISMISS_DURATIONS) as [keyof typeof DISMISS_DURATIONS];
  api.route(
    {
      method: 'post',
      path: '/acknowledge',
      auth: 'write',
      summary:
        'Dismiss an error for a while (24h, 72h, 7d, 30d, 1y, permanent; default: its category default)',
      body: z.strictObject({ error_key: z.string().min(1).max(200), duration: z.enum(durations).optional() }),
      response: z.object({ error: errorSchema }),
    },
    ({ body, principal }) => {
      const r = store.acknowledge(body.error_key, body.duration, actor(principal));
      if (!r.ok)
        throw r.error.code === 'not_found'
          ? errors.notFound(r.error.message)
          : errors.validation(r.error.message);
      deps.emit(r.value.events);
      return { error: errorView(r.value.error) };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/un-acknowledge',
      auth: 'write',
      summary: 'Undo a dismissal: the error shows (and notifies) again',
      body: z.strictObject({ error_key: z.string().min(1).max(200) }),
      response: z.object({ error: errorSchema }),
    },
    ({ body, principal }) => {
      const r = store.unacknowledge(body.error_key, actor(principal));
      if (!r.ok)
        throw r.error.code === 'not_found'
          ? errors.notFound(r.error.message)
          : errors.validation(r.error.message);
      deps.emit(r.value.events);
      return { error: errorView(r.value.error) };
    },
  );

  const suppression = z.object({
    dismiss_hours: z
      .union([z.number().int().min(1).max(MAX_DISMISS_HOURS), z.literal('permanent')])
      .describe('how long a dismissal lasts when no duration is given'),
    auto_dismiss: z.boolean().describe('new errors of the category start dismissed'),
  });
  const settingsResponse = z.object({ suppression: z.record(z.string(), suppression) });
  const settingsView = (st: HealthSettings) => ({
    suppression: Object.fromEntries(
      Object.entries(st.suppression).map(([c, v]) => [
        c,
        { dismiss_hours: v.dismissHours, auto_dismiss: v.autoDismiss },
      ]),
    ),
  });
  api.route(
    {
      method: 'get',
      path: '/settings',
      auth: 'read',
      summary: 'Dismissal defaults per category',
      response: settingsResponse,
    },
    () => settingsView(store.getSettings()),
  );
  api.route(
    {
      method: 'put',
      path: '/settings',
      auth: 'write',
      summary: 'Change dismissal defaults per category (errors dismissed with the default follow)',
      body: z.strictObject({
        suppression: z.partialRecord(z.enum(CATEGORIES), suppression.partial().strict()).optional(),
      }),
      response: settingsResponse,
    },
    ({ body }) => {
      const patch: HealthSettingsPatch = {
        suppression: Object.fromEntries(
          Object.entries(body.suppression ?? {}).map(([c, v]) => [
            c,
            {
              ...(v?.dismiss_hours !== undefined ? { dismissHours: v.dismiss_hours } : {}),
              ...(v?.auto_dismiss !== undefined ? { autoDismiss: v.auto_dismiss } : {}),
            },
          ]),
        ),
      };
      const r = store.putSettings(patch);
      if (!r.ok) throw errors.validation(r.error.message);
      return settingsView(r.value);
    },
  );

  api.route(
    {
      method: 'get',
      path: '/thresholds',
      auth: 'read',
      summary: 'Every threshold with its value, default, unit and range',
      response: thresholdsResponse,
    },
    () => thresholdTree(store.getThresholdOverrides() as ThresholdOverrides),
  );
  api.route(
    {
      method: 'put',
      path: '/thresholds',
      auth: 'write',
      summary: 'Change thresholds (any subset); critical must stay ≥ warning and recovery below warning',
      body: thresholdOverridesSchema,
      response: thresholdsResponse,
    },
    ({ body }) => {
      const current = store.getThresholdOverrides() as Record<string, Record<string, number>>;
      const merged: Record<string, Record<string, number>> = { ...current };
      for (const [section, values] of Object.entries(
        body as Record<string, Record<string, number> | undefined>,
      )) {
        if (values) merged[section] = { ...merged[section], ...values };
      }
      const problems = checkThresholdOrder(resolveThresholds(merged as ThresholdOverrides));
      if (problems.length) throw errors.validation(problems.join('; '));
      store.putThresholdOverrides(merged);
      return thresholdTree(merged as ThresholdOverrides);
    },
  );
  api.route(
    {
      method: 'post',
      path: '/thresholds/reset',
      auth: 'write',
      summary: 'Back to defaults: one section, or everything',
      body: z.strictObject({ section: z.enum(Object.keys(THRESHOLDS) as [string]).optional() }),
      response: thresholdsResponse,
    },
    ({ body }) => {
      const current = { ...(store.getThresholdOverrides() as Record<string, unknown>) };
      if (body.section) delete current[body.section];
      const next = body.section ? current : {};
      store.putThresholdOverrides(next);
      return thresholdTree(next as ThresholdOverrides);
    },
  );

  const kind = (raw: string | undefined) => {
    if (raw === 'storages' || raw === 'storage') return 'storage' as const;
    if (raw === 'interfaces' || raw === 'interface') return 'interface' as const;
    throw errors.notFound(`no exclusion kind ${JSON.stringify(raw)} (storages, interfaces)`);
  };
  const name = (raw: string | undefined) => {
    if (raw === undefined || !RESOURCE_NAME.test(raw))
      throw errors.validation(`name: not a storage or interface name`);
    return raw;
  };
  const exclusionView = (e: ReturnType<HealthStore['listExclusions']>[number]) => ({
    kind: e.kind,
    name: e.name,
    exclude_health: !e.health,
    exclude_notifications: !e.notifications,
    reason: e.reason ?? null,
    created_at: isoFromMs(e.createdAt),
  });

  api.route(
    {
      method: 'get',
      path: '/exclusions',
      auth: 'read',
      summary: 'Storages and interfaces kept out of health checks and/or notifications',
      response: z.object({ exclusions: z.array(exclusionSchema) }),
    },
    () => ({ exclusions: store.listExclusions().map(exclusionView) }),
  );
  api.route(
    {
      method: 'put',
      path: '/exclusions/:kind/:name',
      auth: 'write',
      summary: 'Exclude a storage or interface (health and/or notifications); its active errors resolve',
      body: z.strictObject({
        exclude_health: z.boolean().default(true),
        exclude_notifications: z.boolean().default(true),
        reason: z.string().max(500).optional(),
      }),
      response: exclusionSchema,
    },
    ({ params, body }) => {
      const r = store.putExclusion(kind(params.kind), name(params.name), {
        health: !body.exclude_health,
        notifications: !body.exclude_notifications,
        ...(body.reason ? { reason: body.reason } : {}),
      });
      deps.emit(r.events);
      return exclusionView(r.exclusion);
    },
  );
  api.route(
    {
      method: 'delete',
      path: '/exclusions/:kind/:name',
      auth: 'write',
      summary: 'Remove an exclusion',
      response: z.object({ ok: z.literal(true) }),
    },
    ({ params }) => {
      if (!store.deleteExclusion(kind(params.kind), name(params.name)))
        throw errors.notFound('no such exclusion');
      return { ok: true as const };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/interfaces',
      auth: 'read',
      summary: 'Network interfaces with their state and whether they are excluded',
      response: z.object({
        interfaces: z.array(
          z.object({
            name: z.string(),
            type: z.string(),
            up: z.boolean().nullable(),
            address: z.string().nullable(),
            excluded_from_health: z.boolean(),
            excluded_from_notifications: z.boolean(),
          }),
        ),
      }),
    },
    () => {
      const excluded = store.exclusions().interfaces;
      return {
        interfaces: (deps.snapshots.latest<NetworkSnapshot>('network')?.interfaces ?? []).map((i) => {
          const x = excluded.get(i.interface);
          return {
            name: i.interface,
            type: i.type,
            up: i.up ?? null,
            address: i.address ?? null,
            excluded_from_health: x !== undefined && !x.health,
            excluded_from_notifications: x !== undefined && !x.notifications,
          };
        }),
      };
    },
  );

  return api;
}
