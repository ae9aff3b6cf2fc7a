import { z } from 'zod';
import type {
  Channel,
  ChannelKind,
  DeliveryResult,
  NotifySeverity,
  RenderedMessage,
  SendOptions,
} from './channel.js';
import {
  httpRequest,
  httpUrl,
  isFailure,
  isSuccess,
  joinUrl,
  parseJsonObject,
  replyFailure,
} from './http.js';

/** Gotify priorities per severity, as the reference maps them (Android: ≥8 alerts loudly, 4–7 sounds). */
export const GOTIFY_PRIORITY: Readonly<Record<NotifySeverity, number>> = {
  OK: 1,
  INFO: 2,
  WARNING: 5,
  CRITICAL: 10,
};

const priority = z.number().int().min(0).max(10);

export const gotifyConfig = z.object({
  /** The Gotify server (self-hosted; there is no public default), with any path prefix it sits under. */
  url: httpUrl,
  /** An application token (Apps → Create Application), sent in the X-Gotify-Key header. */
  token: z.string().trim().min(1),
  /** Per-severity overrides of GOTIFY_PRIORITY. */
  priorities: z
    .object({ OK: priority, INFO: priority, WARNING: priority, CRITICAL: priority })
    .partial()
    .optional(),
  /** Let clients render the body as Markdown instead of plain text. */
  markdown: z.boolean().default(false),
});
export type GotifyConfig = z.output<typeof gotifyConfig>;

export const gotifyChannel: ChannelKind<typeof gotifyConfig> = {
  type: 'gotify',
  config: gotifyConfig,
  secretKeys: ['token'],
  create: (config, deps) => new GotifyChannel(config, deps.fetch),
};

/** The `POST /message` body. Gotify documents no length limit, so nothing is cut. */
export function gotifyPayload(message: RenderedMessage, config: GotifyConfig): Record<string, unknown> {
  const extras: Record<string, unknown> = {
    'client::display': { contentType: config.markdown ? 'text/markdown' : 'text/plain' },
  };
  if (message.url !== undefined) extras['client::notification'] = { click: { url: message.url } };
  return {
    title: message.title,
    message: message.body.trim() === '' ? message.title : message.body,
    priority: config.priorities?.[message.severity] ?? GOTIFY_PRIORITY[message.severity],
    extras,
  };
}

class GotifyChannel implements Channel {
  readonly type = 'gotify' as const;

  constructor(
    private readonly config: GotifyConfig,
    private readonly fetchFn: typeof fetch,
  ) {}

  async send(message: RenderedMessage, { signal }: SendOptions): Promise<DeliveryResult> {
    const secrets = [this.config.token];
    const reply = await httpRequest(this.fetchFn, {
      service: 'Gotify',
      url: joinUrl(this.config.url, 'message'),
      // The header keeps the token out of URLs, and so out of proxy access logs.
      headers: { 'X-Gotify-Key': this.config.token },
      json: gotifyPayload(message, this.config),
      signal,
      secrets,
    });
    if (isFailure(reply)) return reply;
    if (!isSuccess(reply)) return replyFailure('Gotify', reply, secrets);
    const id = parseJsonObject(reply.text)?.id;
    return { ok: true, ...(typeof id === 'number' ? { remoteId: String(id) } : {}) };
  }
}
