import { Router } from 'express';
import { z } from 'zod';
import type { AuditLog } from '../auth/audit.js';
import type { Principal } from '../auth/scopes.js';
import type { PveAccess, PveParams } from '../pve/index.js';
import { fail, type Result } from '../sources/source.js';
import { errors } from './errors.js';
import { READ_TIMEOUT_MS, unwrap, WRITE_TIMEOUT_MS } from './pve-call.js';
import { ApiRouter } from './route.js';

export interface PveWebhookRouterDeps {
  pve: PveAccess;
  audit: AuditLog;
  /** What the receiver checks (`notifications.receivers.pve_webhook_secret`); setup needs it. */
  pveWebhookSecret?: string | undefined;
  /** The receiver's URL as Proxmox VE reaches it, used when the setup body names none. */
  receiverUrl?: string | undefined;
}

const ENDPOINTS = '/cluster/notifications/endpoints/webhook';
const MATCHERS = '/cluster/notifications/matchers';
/** Marks what proxmon created, so it never changes or deletes a target or matcher someone else made. */
export const MANAGED_COMMENT = 'managed by proxmon';
/** The name of the secret entry inside PVE's private notifications.cfg that the header refers to. */
const SECRET_ENTRY = 'proxmon';
export const RECEIVER_PATH = '/api/notifications/pve-webhook';

/**
 * The JSON the receiver parses (receivers.ts `pveWebhookPayload`), written with PVE's handlebars
 * helpers: `json` quotes and escapes, `fields` carries type, hostname and job-id.
 */
export const PVE_WEBHOOK_BODY =
  '{"title":{{ json title }},"message":{{ json message }},"severity":{{ json severity }},' +
  '"timestamp":{{ timestamp }},"fields":{{ json fields }}}';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** PVE entity names (targets, matchers): also safe as one path segment. */
const pveName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/,
    'letters, digits, . _ - (max 32), starting with a letter or digit',
  );
const SEVERITIES = ['info', 'notice', 'warning', 'error', 'unknown'] as const;

/**
 * Why `raw` cannot be the receiver URL, or undefined. PVE keeps the URL in the world-readable
 * notifications.cfg and expands `{{ }}` in it, so credentials and template braces are refused.
 */
export function receiverUrlProblem(raw: string): string | undefined {
  if (raw.length > 1024) return 'longer than 1024 characters';
  const control = [...raw].some((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127);
  if (control || /[\s{}]/.test(raw)) return 'must not contain spaces, control characters or { }';
  const url = URL.parse(raw);
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '')
    return 'an absolute http:// or https:// URL';
  if (url.username || url.password) return 'must not contain user:password@ (PVE stores it readable)';
  return undefined;
}

const listed = z.array(
  z.looseObject({
    name: z.string(),
    comment: z.string().optional(),
    url: z.string().optional(),
    disable: z.union([z.boolean(), z.number(), z.string()]).optional(),
    'match-severity': z.array(z.string()).optional(),
  }),
);
type Listed = z.output<typeof listed>[number];
const managed = (e: Listed | undefined) => e?.comment === MANAGED_COMMENT;
const truthy = (v: Listed['disable']) => v === true || v === 1 || v === '1';

const stateSchema = z.enum(['created', 'updated']);
const goneSchema = z.enum(['deleted', 'absent']);
const entrySchema = z.object({ exists: z.boolean(), managed: z.boolean() });

const actor = (p: Principal | undefined) =>
  p ? (p.tokenName ? `${p.username} (token ${p.tokenName})` : p.username) : null;

/**
 * Registers proxmon with Proxmox VE's notification system (PVE 8.2+): a webhook target that posts
 * every PVE notification (backups, replication, fencing, updates, system mail) to the receiver with
 * the shared secret in a header, and a matcher routing notifications to it. Mounted beside the
 * notifications router at /api/notifications.
 */
export function createPveWebhookRouter(deps: PveWebhookRouterDeps): ApiRouter {
  const api = new ApiRouter('/api/notifications', Router(), 'notifications');
  const { client } = deps.pve;

  /** PVE errors can quote parameters; the secret never leaves in one. */
  const hide = (message: string) => {
    const s = deps.pveWebhookSecret;
    return s ? message.split(s).join('<masked>').split(b64(s)).join('<masked>') : message;
  };
  const settle = <T>(r: Result<T>): T => {
    if (r.ok) return r.value;
    const message = hide(r.error.message);
    const old = /no '\w+' handler|501 /i.test(message)
      ? ' (webhook targets need Proxmox VE 8.2 or newer)'
      : '';
    return unwrap<T>(fail(r.error.kind, message + old));
  };
  const list = async (path: string) => {
    const parsed = listed.safeParse(settle(await client.get(path, {}, { timeoutMs: READ_TIMEOUT_MS })));
    if (!parsed.success) throw errors.upstream(`Proxmox VE answered ${path} with an unexpected shape`);
    return parsed.data;
  };
  const write = async (verb: 'post' | 'put' | 'delete', path: string, params: PveParams = {}) =>
    settle(await client[verb](path, params, { timeoutMs: WRITE_TIMEOUT_MS }));
  const current = async (name: string) => ({
    endpoint: (await list(ENDPOINTS)).find((e) => e.name === name),
    matcher: (await list(MATCHERS)).find((m) => m.name === name),
  });
  const refuseForeign = (what: string, name: string, e: Listed | undefined) => {
    if (e && !managed(e))
      throw errors.conflict(
        `a notification ${what} named ${name} exists and was not made by proxmon; use another name`,
      );
  };

  api.route(
    {
      method: 'get',
      path: '/pve-webhook/setup',
      auth: 'read',
      summary: "Whether proxmon's webhook target and matcher exist in Proxmox VE's notification config",
      query: z.strictObject({ name: pveName.default('proxmon') }),
      response: z.object({
        name: z.string(),
        receiver_configured: z.boolean(),
        endpoint: entrySchema.extend({ url: z.string().nullable(), disabled: z.boolean() }),
        matcher: entrySchema.extend({ severities: z.array(z.string()).nullable() }),
      }),
    },
    async ({ query }) => {
      const { endpoint, matcher } = await current(query.name);
      return {
        name: query.name,
        receiver_configured: deps.pveWebhookSecret !== undefined,
        endpoint: {
          exists: !!endpoint,
          managed: managed(endpoint),
          url: endpoint?.url ?? null,
          disabled: truthy(endpoint?.disable),
        },
        matcher: {
          exists: !!matcher,
          managed: managed(matcher),
          severities: matcher?.['match-severity']?.flatMap((s) => s.split(',')) ?? null,
        },
      };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/pve-webhook/setup',
      auth: 'admin',
      summary:
        'Create or update the Proxmox VE webhook target and matcher that send PVE notifications to the receiver (PVE 8.2+)',
      body: z.strictObject({
        /** The receiver as PVE reaches it, e.g. http://127.0.0.1:8008/api/notifications/pve-webhook. */
        url: z.string().min(1).max(2048).optional(),
        /** Target and matcher name; one per exporter in a cluster (the config is cluster-wide). */
        name: pveName.default('proxmon'),
        /** Only these PVE severities (default: all). */
        severities: z.array(z.enum(SEVERITIES)).min(1).max(5).optional(),
      }),
      response: z.object({
        name: z.string(),
        url: z.string(),
        endpoint: stateSchema,
        matcher: stateSchema,
        severities: z.array(z.string()).nullable(),
      }),
    },
    async ({ body, principal, clientIp }) => {
      const secret = deps.pveWebhookSecret;
      if (!secret)
        throw errors.conflict(
          'the PVE webhook receiver is off: set notifications.receivers.pve_webhook_secret and restart proxmon first',
        );
      const url = body.url ?? deps.receiverUrl;
      if (url === undefined)
        throw errors.validation(
          `url: required: the receiver as Proxmox VE reaches it, e.g. http://127.0.0.1:8008${RECEIVER_PATH}`,
        );
      const problem = receiverUrlProblem(url);
      if (problem) throw errors.validation(`url: ${problem}`);
      const { name } = body;
      const severities = body.severities ? [...new Set(body.severities)] : null;

      const { endpoint, matcher } = await current(name);
      refuseForeign('target', name, endpoint);
      refuseForeign('matcher', name, matcher);

      // The secret lives in PVE's root-only private config; the header only refers to it.
      const target: PveParams = {
        method: 'post',
        url,
        header: [
          `name=Content-Type,value=${b64('application/json')}`,
          `name=X-Proxmon-Secret,value=${b64(`{{ secrets.${SECRET_ENTRY} }}`)}`,
        ],
        body: b64(PVE_WEBHOOK_BODY),
        secret: [`name=${SECRET_ENTRY},value=${b64(secret)}`],
        comment: MANAGED_COMMENT,
      };
      // An update also turns the target back on, should someone have disabled it in the GUI.
      if (endpoint) await write('put', `${ENDPOINTS}/${name}`, { ...target, delete: ['disable'] });
      else await write('post', ENDPOINTS, { name, ...target });

      const match: PveParams = {
        target: [name],
        mode: 'all',
        ...(severities ? { 'match-severity': severities.join(',') } : {}),
        comment: MANAGED_COMMENT,
      };
      if (matcher)
        await write('put', `${MATCHERS}/${name}`, {
          ...match,
          delete: severities ? ['disable'] : ['disable', 'match-severity'],
        });
      else await write('post', MATCHERS, { name, ...match });

      const result = {
        name,
        url,
        endpoint: endpoint ? ('updated' as const) : ('created' as const),
        matcher: matcher ? ('updated' as const) : ('created' as const),
        severities,
      };
      deps.audit.record({
        actor: actor(principal),
        ip: clientIp,
        action: 'pve_webhook_setup',
        target: name,
        detail: { url, endpoint: result.endpoint, matcher: result.matcher, severities },
      });
      return result;
    },
  );

  api.route(
    {
      method: 'delete',
      path: '/pve-webhook/setup',
      auth: 'admin',
      summary: "Remove proxmon's webhook target and matcher from Proxmox VE (absent ones are fine)",
      query: z.strictObject({ name: pveName.default('proxmon') }),
      response: z.object({ name: z.string(), endpoint: goneSchema, matcher: goneSchema }),
    },
    async ({ query, principal, clientIp }) => {
      const { name } = query;
      const { endpoint, matcher } = await current(name);
      refuseForeign('target', name, endpoint);
      refuseForeign('matcher', name, matcher);
      // The matcher first: PVE will not remove a target a matcher still routes to.
      if (matcher) await write('delete', `${MATCHERS}/${name}`);
      if (endpoint) await write('delete', `${ENDPOINTS}/${name}`);
      const result = {
        name,
        endpoint: endpoint ? ('deleted' as const) : ('absent' as const),
        matcher: matcher ? ('deleted' as const) : ('absent' as const),
      };
      deps.audit.record({
        actor: actor(principal),
        ip: clientIp,
        action: 'pve_webhook_cleanup',
        target: name,
        detail: { endpoint: result.endpoint, matcher: result.matcher },
      });
      return result;
    },
  );

  return api;
}
