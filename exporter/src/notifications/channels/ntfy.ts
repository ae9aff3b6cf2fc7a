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
  parseJsonObject,
  replyDetail,
  replyFailure,
  truncate,
  truncateBytes,
} from './http.js';

/** ntfy priorities 1 (min) … 5 (max/urgent). */
export const NTFY_PRIORITY: Readonly<Record<NotifySeverity, number>> = {
  OK: 2,
  INFO: 3,
  WARNING: 4,
  CRITICAL: 5,
};

/** Tags that ntfy shows as an emoji in front of the title. */
export const NTFY_SEVERITY_TAG: Readonly<Record<NotifySeverity, string>> = {
  OK: 'white_check_mark',
  INFO: 'information_source',
  WARNING: 'warning',
  CRITICAL: 'rotating_light',
};

/**
 * ntfy.sh's default message-size-limit is 4096 bytes; a larger message becomes an attachment (or is
 * refused where attachments are off), so the body is cut to stay a readable notification.
 */
export const NTFY_MESSAGE_BYTES = 4096;
/** Not a documented limit: keeps a runaway title from filling the notification. */
const TITLE_LIMIT = 250;
const CUT_MARKER = '\n… (truncated)';

const priority = z.number().int().min(1).max(5);

export const ntfyConfig = z
  .object({
    url: httpUrl.default('https://ntfy.sh'),
    /** Topic names: letters, digits, _ and -, up to 64. On a public server the name is the only guard. */
    topic: z.string().regex(/^[\w-]{1,64}$/, 'must be 1-64 letters, digits, _ or -'),
    /** Access token (tk_…), sent as a Bearer token. */
    token: z.string().trim().min(1).optional(),
    /** Or basic auth. */
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    priorities: z
      .object({ OK: priority, INFO: priority, WARNING: priority, CRITICAL: priority })
      .partial()
      .optional(),
    /** Extra tags on every message. */
    tags: z.array(z.string().trim().min(1)).max(10).default([]),
    markdown: z.boolean().default(false),
  })
  .refine((c) => !(c.token && c.username), { message: 'use either token or username/password, not both' })
  .refine((c) => (c.username === undefined) === (c.password === undefined), {
    message: 'username and password go together',
  });
export type NtfyConfig = z.output<typeof ntfyConfig>;

export const ntfyChannel: ChannelKind<typeof ntfyConfig> = {
  type: 'ntfy',
  config: ntfyConfig,
  // On a public server the topic name is the only thing keeping others out: it is a secret too.
  secretKeys: ['topic', 'token', 'password'],
  create: (config, deps) => new NtfyChannel(config, deps.fetch),
};

/** The JSON publish body (`POST /` with the topic inside). */
export function ntfyPayload(message: RenderedMessage, config: NtfyConfig): Record<string, unknown> {
  const body = message.body.trim() === '' ? message.title : message.body;
  return {
    topic: config.topic,
    title: truncate(message.title, TITLE_LIMIT),
    message: truncateBytes(body, NTFY_MESSAGE_BYTES, CUT_MARKER),
    priority: config.priorities?.[message.severity] ?? NTFY_PRIORITY[message.severity],
    tags: [NTFY_SEVERITY_TAG[message.severity], message.group, ...config.tags],
    ...(message.url !== undefined ? { click: message.url } : {}),
    ...(config.markdown ? { markdown: true } : {}),
  };
}

/** ntfy's error reply is `{code, http, error, link}`. */
export function ntfyErrorDetail(text: string): string {
  const body = parseJsonObject(text);
  if (body && typeof body.error === 'string') {
    return typeof body.code === 'number' ? `${body.error} (code ${body.code})` : body.error;
  }
  return replyDetail(text);
}

class NtfyChannel implements Channel {
  readonly type = 'ntfy' as const;

  constructor(
    private readonly config: NtfyConfig,
    private readonly fetchFn: typeof fetch,
  ) {}

  async send(message: RenderedMessage, { signal }: SendOptions): Promise<DeliveryResult> {
    const { token, username, password } = this.config;
    const headers: Record<string, string> = {};
    if (token !== undefined) headers.Authorization = `Bearer ${token}`;
    else if (username !== undefined && password !== undefined) {
      headers.Authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    }
    const secrets = [token, password, headers.Authorization?.split(' ')[1]];
    const reply = await httpRequest(this.fetchFn, {
      service: 'ntfy',
      // JSON publishing goes to the server root; a path prefix in `url` is kept.
      url: this.config.url.endsWith('/') ? this.config.url : `${this.config.url}/`,
      headers,
      json: ntfyPayload(message, this.config),
      signal,
      secrets,
    });
    if (isFailure(reply)) return reply;
    if (!isSuccess(reply))
      return replyFailure('ntfy', reply, secrets, { detail: ntfyErrorDetail(reply.text) });
    const id = parseJsonObject(reply.text)?.id;
    return { ok: true, ...(typeof id === 'string' ? { remoteId: id } : {}) };
  }
}
