import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { version } from '../../version.js';
import type { Channel, ChannelKind, DeliveryResult, RenderedMessage } from './channel.js';
import { httpRequest, httpUrl, isFailure, isSuccess, replyFailure } from './http.js';

const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be a valid HTTP header name');
const headerValue = z.string().regex(/^[^\r\n\0]*$/, 'must not contain line breaks');
/** Headers the channel owns or the HTTP client must set itself. */
const RESERVED = new Set([
  'content-type',
  'content-length',
  'host',
  'transfer-encoding',
  'connection',
  'user-agent',
  'idempotency-key',
]);

export const webhookConfig = z
  .object({
    url: httpUrl,
    /** Extra request headers (not secret: use bearer_token for a credential). */
    headers: z.record(headerName, headerValue).default({}),
    /** Sent as `Authorization: Bearer …`. */
    bearer_token: z.string().min(1).optional(),
    /** HMAC-SHA256 key; the signature of the exact body goes in `signature_header` as `sha256=<hex>`. */
    secret: z.string().min(16, 'use at least 16 characters').optional(),
    signature_header: headerName.default('X-Proxmon-Signature-256'),
  })
  .superRefine((cfg, ctx) => {
    const url = URL.parse(cfg.url);
    if (url && (url.username || url.password)) {
      // fetch refuses URLs with credentials; bearer_token or headers carry them instead.
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'must not contain user:password@' });
    }
    const owned = [...RESERVED, cfg.signature_header.toLowerCase()];
    if (cfg.bearer_token) owned.push('authorization');
    for (const name of Object.keys(cfg.headers)) {
      if (owned.includes(name.toLowerCase())) {
        ctx.addIssue({ code: 'custom', path: ['headers', name], message: `${name} is set by proxmon` });
      }
    }
  });
export type WebhookConfig = z.output<typeof webhookConfig>;

/** The JSON document every webhook delivery carries. */
export interface WebhookPayload {
  schema: 'proxmon.notification.v1';
  idempotency_key: string;
  sender: { name: 'proxmon'; version: string };
  event: { type: string; group: string; severity: string; host: string; at: number; at_iso: string };
  message: RenderedMessage;
}

export const webhookChannel: ChannelKind<typeof webhookConfig> = {
  type: 'webhook',
  config: webhookConfig,
  secretKeys: ['url', 'bearer_token', 'secret'],
  create(config, deps): Channel {
    const secrets = secretForms(config);
    return {
      type: 'webhook',
      async send(message, { signal, idempotencyKey }): Promise<DeliveryResult> {
        const body = JSON.stringify(webhookPayload(message, idempotencyKey));
        const headers: Record<string, string> = {
          ...config.headers,
          'Content-Type': 'application/json',
          'Idempotency-Key': idempotencyKey,
          'X-Proxmon-Event': message.type,
        };
        if (config.bearer_token) headers.Authorization = `Bearer ${config.bearer_token}`;
        if (config.secret) headers[config.signature_header] = signBody(config.secret, body);
        const reply = await httpRequest(deps.fetch, {
          service: 'Webhook',
          url: config.url,
          headers,
          body,
          signal,
          secrets,
        });
        if (isFailure(reply)) return reply;
        return isSuccess(reply) ? { ok: true } : replyFailure('Webhook', reply, secrets);
      },
    };
  },
};

export function webhookPayload(message: RenderedMessage, idempotencyKey: string): WebhookPayload {
  return {
    schema: 'proxmon.notification.v1',
    idempotency_key: idempotencyKey,
    sender: { name: 'proxmon', version },
    event: {
      type: message.type,
      group: message.group,
      severity: message.severity,
      host: message.host,
      at: message.at,
      at_iso: Number.isFinite(message.at) ? new Date(message.at).toISOString() : '',
    },
    message,
  };
}

/** `sha256=<hex>` over the exact bytes sent, the way GitHub-style receivers verify it. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** The URL may carry its credential in the path or query (Home Assistant, n8n), so all of it is secret. */
function secretForms(config: WebhookConfig): string[] {
  const forms = [config.url, config.bearer_token, config.secret];
  try {
    const u = new URL(config.url);
    forms.push(u.search.length > 1 ? u.search.slice(1) : undefined, u.password || undefined);
  } catch {
    // validated by the schema; nothing more to hide
  }
  for (const value of Object.values(config.headers)) if (value.length >= 8) forms.push(value);
  return forms.filter((f): f is string => f !== undefined && f !== '');
}
