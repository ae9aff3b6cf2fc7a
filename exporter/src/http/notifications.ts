import { createHash, timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import type { AuditLog } from '../auth/audit.js';
import type { AiSettingsStore } from '../notifications/ai/index.js';
import type { Principal } from '../auth/scopes.js';
import { CATALOGUE, EVENT_GROUPS, isKnownEvent } from '../notifications/catalogue.js';
import { ChannelConfigError } from '../notifications/channel-store.js';
import type { NotificationEngine } from '../notifications/engine.js';
import type { NotificationEvent } from '../notifications/event.js';
import {
  alertmanagerEvents,
  alertmanagerPayload,
  pveWebhookEvent,
  pveWebhookPayload,
} from '../notifications/receivers.js';
import { CHANNEL_NAME, channelSpecSchema, notifySettingsSchema } from '../notifications/settings.js';
import { errors } from './errors.js';
import { addAiRoutes } from './notifications-ai.js';
import { ApiRouter } from './route.js';
import { isoFromMs } from './source-status.js';

export interface NotificationsRouterDeps {
  engine: NotificationEngine;
  audit: AuditLog;
  /** Bearer token Alertmanager sends; the receiver is off without one. */
  alertmanagerToken?: string | undefined;
  /** Shared secret PVE's webhook target sends in `X-Proxmon-Secret`; the receiver is off without one. */
  pveWebhookSecret?: string | undefined;
  /** AI rewrite settings behind /ai (GET/PUT/DELETE, /ai/models, /ai/test); those routes 404 without it. */
  ai?: AiSettingsStore | undefined;
  /** For the AI provider calls of /ai/models and /ai/test (tests point it at stand-ins). */
  aiFetch?: typeof fetch;
  aiTimeoutMs?: number;
  now?: () => number;
}

const same = (a: string, b: string) => {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
};

const actor = (p: Principal | undefined) =>
  p ? (p.tokenName ? `${p.username} (token ${p.tokenName})` : p.username) : null;
const ok = z.object({ ok: z.literal(true) });
const anyObject = z.record(z.string(), z.unknown());

export function createNotificationsRouter(deps: NotificationsRouterDeps): ApiRouter {
  const { engine } = deps;
  const now = deps.now ?? Date.now;
  const api = new ApiRouter('/api/notifications', Router(), 'notifications');
  const channelName = (raw: string | undefined) => {
    if (raw === undefined || !CHANNEL_NAME.test(raw)) throw errors.validation('name: not a channel name');
    return raw;
  };
  const view = (name: string) => {
    const stored = engine.channels.get(name);
    if (!stored) throw errors.notFound(`no channel named ${name}`);
    return {
      ...engine.channels.masked(stored),
      source: stored.source,
      updated_at: isoFromMs(stored.updatedAt),
    };
  };
  const put = (body: unknown, who: Principal | undefined, ip: string, action: string) => {
    try {
      const stored = engine.channels.put(body, 'api');
      deps.audit.record({
        actor: actor(who),
        ip,
        action,
        target: stored.spec.name,
        detail: { type: stored.spec.type },
      });
      return view(stored.spec.name);
    } catch (err) {
      if (err instanceof ChannelConfigError) throw errors.validation(err.message);
      if (err instanceof z.ZodError) throw errors.validation(err.issues[0]?.message ?? 'invalid channel');
      throw err;
    }
  };

  api.route(
    {
      method: 'get',
      path: '/settings',
      auth: 'read',
      summary: 'Global notification settings',
      response: anyObject,
    },
    () => engine.settings(),
  );
  api.route(
    {
      method: 'put',
      path: '/settings',
      auth: 'admin',
      summary: 'Change global settings (enabled, hostname, time zone, cooldowns, rate limits, retention)',
      body: notifySettingsSchema.partial(),
      response: anyObject,
    },
    ({ body, principal, clientIp }) => {
      const s = engine.putSettings(body);
      deps.audit.record({ actor: actor(principal), ip: clientIp, action: 'notifications_settings_changed' });
      return s;
    },
  );

  api.route(
    {
      method: 'get',
      path: '/catalogue',
      auth: 'read',
      summary: 'Every event type: group, default on/off, default severity, who emits it',
      response: z.object({ groups: z.array(z.string()), events: z.array(anyObject) }),
    },
    () => ({
      groups: [...EVENT_GROUPS],
      events: CATALOGUE.filter((d) => !d.hidden).map((d) => ({
        type: d.type,
        group: d.group,
        label: d.label,
        default_enabled: d.defaultEnabled,
        severity: d.severity,
        emitter: typeof d.emitter === 'string' ? d.emitter : null,
        not_applicable: typeof d.emitter === 'string' ? null : d.emitter.none,
      })),
    }),
  );

  api.route(
    {
      method: 'get',
      path: '/channels',
      auth: 'read',
      summary: 'Channels with their policy; secrets masked',
      response: z.object({ channels: z.array(anyObject) }),
    },
    () => ({ channels: engine.channels.list().map((c) => view(c.spec.name)) }),
  );
  api.route(
    {
      method: 'post',
      path: '/channels',
      auth: 'admin',
      summary: 'Add a channel (type-specific config is validated; secrets are encrypted)',
      body: channelSpecSchema,
      response: anyObject,
      status: 201,
    },
    ({ body, principal, clientIp }) => {
      if (engine.channels.get(body.name)) throw errors.conflict(`a channel named ${body.name} exists`);
      return put(body, principal, clientIp, 'notification_channel_created');
    },
  );
  api.route(
    { method: 'get', path: '/channels/:name', auth: 'read', summary: 'One channel', response: anyObject },
    ({ params }) => view(channelName(params.name)),
  );
  api.route(
    {
      method: 'put',
      path: '/channels/:name',
      auth: 'admin',
      summary: 'Replace a channel; a secret left out or sent as the mask keeps its stored value',
      body: channelSpecSchema.omit({ name: true }),
      response: anyObject,
    },
    ({ params, body, principal, clientIp }) => {
      const name = channelName(params.name);
      if (!engine.channels.get(name)) throw errors.notFound(`no channel named ${name}`);
      return put({ ...body, name }, principal, clientIp, 'notification_channel_changed');
    },
  );
  api.route(
    { method: 'delete', path: '/channels/:name', auth: 'admin', summary: 'Delete a channel', response: ok },
    ({ params, principal, clientIp }) => {
      const name = channelName(params.name);
      if (!engine.channels.delete(name)) throw errors.notFound(`no channel named ${name}`);
      deps.audit.record({
        actor: actor(principal),
        ip: clientIp,
        action: 'notification_channel_deleted',
        target: name,
      });
      return { ok: true as const };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/test',
      auth: 'write',
      summary: 'Send a test message now to one channel or to all',
      body: z.strictObject({ channel: z.string().min(1).max(40) }),
      response: z.object({
        results: z.array(z.object({ channel: z.string(), ok: z.boolean(), error: z.string().nullable() })),
      }),
    },
    async ({ body }) => {
      const names =
        body.channel === 'all' ? engine.channels.list().map((c) => c.spec.name) : [channelName(body.channel)];
      if (body.channel !== 'all' && !engine.channels.get(names[0]!))
        throw errors.notFound(`no channel named ${body.channel}`);
      const results = [];
      for (const channel of names) {
        const r = await engine.test(channel);
        results.push({ channel, ok: r.ok, error: r.ok ? null : r.error });
      }
      return { results };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/status',
      auth: 'read',
      summary: 'Per channel: waiting deliveries, dead letters, sent and failed counts; suppression counts',
      response: anyObject,
    },
    () => {
      const counters = engine.state.counters();
      const waiting = engine.outbox.waiting();
      const dead = engine.outbox.deadLetters(1000);
      return {
        enabled: engine.settings().enabled,
        channels: engine.channels.list().map((c) => ({
          name: c.spec.name,
          type: c.spec.type,
          enabled: c.spec.enabled,
          waiting: waiting.get(c.spec.name) ?? 0,
          dead_letters: dead.filter((d) => d.channel === c.spec.name).length,
          sent: counters.get(`sent:${c.spec.name}:success`) ?? 0,
          failed_attempts: counters.get(`sent:${c.spec.name}:failure`) ?? 0,
        })),
        suppressed: Object.fromEntries(
          [...counters].filter(([k]) => k.startsWith('suppressed:')).map(([k, v]) => [k.slice(11), v]),
        ),
      };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/history',
      auth: 'read',
      summary: 'Delivery attempts, newest first; filter by channel, event type, success; page with `before`',
      query: z.strictObject({
        channel: z.string().max(40).optional(),
        event_type: z.string().max(64).optional(),
        success: z.enum(['true', 'false']).optional(),
        before: z.coerce.number().int().positive().optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100),
      }),
      response: z.object({ entries: z.array(anyObject), next_before: z.number().nullable() }),
    },
    ({ query }) => {
      const entries = engine.outbox.history({
        ...(query.channel ? { channel: query.channel } : {}),
        ...(query.event_type ? { eventType: query.event_type } : {}),
        ...(query.success ? { success: query.success === 'true' } : {}),
        ...(query.before ? { before: query.before } : {}),
        limit: query.limit,
      });
      return {
        entries: entries.map((e) => ({ ...e, at: isoFromMs(e.at) })),
        next_before: entries.length === query.limit ? entries[entries.length - 1]!.id : null,
      };
    },
  );
  api.route(
    {
      method: 'delete',
      path: '/history',
      auth: 'admin',
      summary: 'Delete delivery history (all, or older than `before_days`)',
      query: z.strictObject({ before_days: z.coerce.number().int().min(0).max(3650).default(0) }),
      response: z.object({ deleted: z.number() }),
    },
    ({ query, principal, clientIp }) => {
      const deleted = engine.outbox.clearHistory(now() - query.before_days * 86_400_000);
      deps.audit.record({
        actor: actor(principal),
        ip: clientIp,
        action: 'notification_history_cleared',
        detail: { deleted },
      });
      return { deleted };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/dead-letters',
      auth: 'read',
      summary: 'Deliveries given up on after their attempts',
      response: z.object({ dead_letters: z.array(anyObject) }),
    },
    () => ({
      dead_letters: engine.outbox.deadLetters().map((d) => ({
        id: d.id,
        channel: d.channel,
        event_type: d.eventType,
        title: d.message.title,
        attempts: d.attempts,
        last_error: d.lastError ?? null,
        created_at: isoFromMs(d.createdAt),
        finished_at: isoFromMs(d.finishedAt),
      })),
    }),
  );
  api.route(
    {
      method: 'post',
      path: '/dead-letters/:id/retry',
      auth: 'write',
      summary: 'Queue a dead letter again (at the end of its channel queue)',
      response: ok,
    },
    ({ params }) => {
      const id = Number(params.id);
      if (!Number.isInteger(id) || id <= 0) throw errors.validation('id: a delivery id');
      if (!engine.outbox.retry(id)) throw errors.notFound(`no dead letter ${id}`);
      void engine.tick();
      return { ok: true as const };
    },
  );

  const sendBody = z.strictObject({
    type: z
      .string()
      .regex(/^[a-z0-9_]{1,64}$/)
      .default('custom'),
    severity: z.enum(['OK', 'INFO', 'WARNING', 'CRITICAL']).default('INFO'),
    title: z.string().min(1).max(250).optional(),
    body: z.string().max(4000).optional(),
    fields: z
      .record(
        z.string().regex(/^[a-z_][a-z0-9_]{0,40}$/),
        z.union([z.string().max(1000), z.number(), z.boolean()]),
      )
      .default({}),
  });
  const submitResult = z.object({
    queued: z.array(z.string()),
    held: z.array(z.string()),
    suppressed: z.string().nullable(),
    detail: z.string().nullable(),
  });
  const asResult = (r: ReturnType<NotificationEngine['submit']>) =>
    'queued' in r
      ? { queued: r.queued, held: r.held, suppressed: null, detail: null }
      : { queued: [], held: [], suppressed: r.suppressed, detail: r.detail ?? null };

  api.route(
    {
      method: 'post',
      path: '/send',
      auth: 'write',
      summary: 'Send an event through the pipeline (scripts, hooks); unknown types go out as custom',
      body: sendBody,
      response: submitResult,
      status: 202,
    },
    ({ body }) => {
      const e: NotificationEvent = {
        type: body.type,
        severity: body.severity,
        source: 'api',
        at: now(),
        fields: {
          ...body.fields,
          ...(body.title ? { title: body.title } : {}),
          ...(body.body ? { body: body.body, reason: body.body } : {}),
        },
        ...(isKnownEvent(body.type) ? {} : { fingerprint: `api:${body.type}:${body.title ?? ''}:${now()}` }),
      };
      return asResult(engine.submit(e));
    },
  );

  // Receivers: public routes that check their own shared secret (a Grafana/Alertmanager token is
  // not a proxmon user). Without a configured secret they do not exist.
  const bearer = (header: string | undefined) => (header?.startsWith('Bearer ') ? header.slice(7) : '');
  api.route(
    {
      method: 'post',
      path: '/alertmanager',
      auth: 'public',
      summary:
        'Alertmanager webhook receiver (payload version 4, `Authorization: Bearer <receivers.alertmanager_token>`)',
      response: z.object({ accepted: z.number(), suppressed: z.number() }),
    },
    ({ req }) => {
      if (!deps.alertmanagerToken) throw errors.notFound('the Alertmanager receiver is not configured');
      if (!same(bearer(req.headers.authorization), deps.alertmanagerToken))
        throw errors.unauthorized('wrong or missing receiver token');
      const parsed = alertmanagerPayload.safeParse(req.body);
      if (!parsed.success)
        throw errors.validation(`payload: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      let accepted = 0;
      for (const e of alertmanagerEvents(parsed.data, now())) if ('queued' in engine.submit(e)) accepted++;
      return { accepted, suppressed: parsed.data.alerts.length - accepted };
    },
  );

  const seen = new Map<string, number>();
  api.route(
    {
      method: 'post',
      path: '/pve-webhook',
      auth: 'public',
      summary:
        'Proxmox VE notification webhook target (`X-Proxmon-Secret`, JSON body set up by /pve-webhook/setup)',
      response: submitResult,
      status: 202,
    },
    ({ req }) => {
      if (!deps.pveWebhookSecret) throw errors.notFound('the PVE webhook receiver is not configured');
      const secret = req.headers['x-proxmon-secret'];
      if (typeof secret !== 'string' || !same(secret, deps.pveWebhookSecret))
        throw errors.unauthorized('wrong or missing webhook secret');
      const parsed = pveWebhookPayload.safeParse(req.body);
      if (!parsed.success)
        throw errors.validation(`payload: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      // Replays: a body is accepted once, and only within 10 minutes of its own timestamp.
      const at = now();
      if (Math.abs(at - parsed.data.timestamp * 1000) > 600_000)
        throw errors.validation('timestamp: more than 10 minutes away from now (replayed or clock skew)');
      const digest = createHash('sha256').update(JSON.stringify(req.body)).digest('hex');
      for (const [k, t] of seen) if (at - t > 600_000) seen.delete(k);
      if (seen.has(digest)) throw errors.conflict('this notification was already received');
      seen.set(digest, at);
      return asResult(engine.submit(pveWebhookEvent(parsed.data, at)));
    },
  );

  addAiRoutes(api, {
    engine,
    audit: deps.audit,
    ai: deps.ai,
    actor,
    ...(deps.aiFetch ? { fetch: deps.aiFetch } : {}),
    ...(deps.aiTimeoutMs !== undefined ? { timeoutMs: deps.aiTimeoutMs } : {}),
  });

  return api;
}
