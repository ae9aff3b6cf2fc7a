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
  replyFailure,
  secondsToMs,
  SEVERITY_ICON,
  truncate,
} from './http.js';

/** Discord's documented embed limits (characters). */
export const DISCORD_LIMITS = {
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  total: 6000,
} as const;

export const DISCORD_COLOUR: Readonly<Record<NotifySeverity, number>> = {
  CRITICAL: 0xed4245,
  WARNING: 0xfee75c,
  INFO: 0x5865f2,
  OK: 0x57f287,
};

/** Fields are dropped before the description goes below this, so the message itself stays readable. */
const MIN_DESCRIPTION = 1024;
const INLINE_MAX = 40;

export const discordConfig = z.object({
  webhook_url: httpUrl.refine((u) => /\/webhooks\/\d+\/[\w-]+\/?$/.test(new URL(u).pathname), {
    message: 'must be a Discord webhook URL (…/api/webhooks/<id>/<token>)',
  }),
  /** Overrides the webhook's configured name and avatar. */
  username: z.string().trim().min(1).max(80).optional(),
  avatar_url: httpUrl.optional(),
  /** Post into this thread of the webhook's channel (forum posts, threads). */
  thread_id: z
    .union([z.string().regex(/^\d+$/), z.number().int().positive()])
    .transform(String)
    .optional(),
});
export type DiscordConfig = z.output<typeof discordConfig>;

export const discordChannel: ChannelKind<typeof discordConfig> = {
  type: 'discord',
  config: discordConfig,
  secretKeys: ['webhook_url'],
  create: (config, deps) => new DiscordChannel(config, deps.fetch),
};

export interface DiscordEmbed {
  title: string;
  description?: string;
  url?: string;
  color: number;
  timestamp: string;
  footer: { text: string };
  fields: Array<{ name: string; value: string; inline: boolean }>;
}

/** One embed for the message, within every per-part limit and the 6000-character total. */
export function discordEmbed(message: RenderedMessage): DiscordEmbed {
  const L = DISCORD_LIMITS;
  const title = truncate(`${SEVERITY_ICON[message.severity]} ${message.title}`, L.title);
  const footer = truncate(`${message.host} · ${message.type}`, L.footer);
  const all = message.fields.map((f) => ({
    name: truncate(f.label.trim() || '—', L.fieldName),
    value: truncate(f.value.trim() || '—', L.fieldValue),
    inline: f.value.length <= INLINE_MAX,
  }));
  const size = (fs: ReadonlyArray<{ name: string; value: string }>) =>
    fs.reduce((n, f) => n + f.name.length + f.value.length, 0);
  const body = message.body.trim();
  const fixed = title.length + footer.length;
  const wantDescription = Math.min(body.length, MIN_DESCRIPTION);

  const fits = (fs: ReadonlyArray<{ name: string; value: string }>) =>
    fixed + size(fs) + wantDescription <= L.total;
  let fields = all;
  if (all.length > L.fields || !fits(all)) {
    // Drop from the end, leaving a field that says how many are missing.
    const note = (kept: number) => ({
      name: '…',
      value: `${all.length - kept} more field(s) not shown`,
      inline: false,
    });
    let kept = Math.min(all.length, L.fields - 1);
    while (kept > 0 && !fits([...all.slice(0, kept), note(kept)])) kept -= 1;
    fields = [...all.slice(0, kept), note(kept)];
  }

  const room = Math.min(L.description, L.total - fixed - size(fields));
  const embed: DiscordEmbed = {
    title,
    color: DISCORD_COLOUR[message.severity],
    timestamp: new Date(message.at).toISOString(),
    footer: { text: footer },
    fields,
  };
  if (body !== '') embed.description = truncate(body, room);
  if (message.url !== undefined && isHttpUrl(message.url)) embed.url = message.url;
  return embed;
}

/** Discord's error reply: `{message, code, errors?}`; `errors` nests field paths down to `_errors`. */
export function discordErrorDetail(text: string): string | undefined {
  const body = parseJsonObject(text);
  if (!body || typeof body.message !== 'string') return undefined;
  let detail = body.code !== undefined ? `${body.message} (code ${String(body.code)})` : body.message;
  const first = firstFieldError(body.errors, []);
  if (first) detail += `: ${first}`;
  return detail;
}

function firstFieldError(node: unknown, path: string[]): string | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const record = node as Record<string, unknown>;
  const errors = record._errors;
  if (Array.isArray(errors) && errors.length > 0) {
    const e = errors[0] as Record<string, unknown>;
    return `${path.join('.')}: ${typeof e.message === 'string' ? e.message : String(e.code)}`;
  }
  for (const [key, child] of Object.entries(record)) {
    const found = firstFieldError(child, [...path, key]);
    if (found) return found;
  }
  return undefined;
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

class DiscordChannel implements Channel {
  readonly type = 'discord' as const;
  private readonly secrets: string[];

  constructor(
    private readonly config: DiscordConfig,
    private readonly fetchFn: typeof fetch,
  ) {
    const token = new URL(config.webhook_url).pathname.replace(/\/+$/, '').split('/').at(-1);
    this.secrets = [config.webhook_url, ...(token ? [token] : [])];
  }

  async send(message: RenderedMessage, { signal }: SendOptions): Promise<DeliveryResult> {
    const url = new URL(this.config.webhook_url);
    // wait=true makes Discord answer with the created message (its id) instead of 204.
    url.searchParams.set('wait', 'true');
    if (this.config.thread_id !== undefined) url.searchParams.set('thread_id', this.config.thread_id);
    const reply = await httpRequest(this.fetchFn, {
      service: 'Discord',
      url: url.toString(),
      json: {
        ...(this.config.username !== undefined ? { username: this.config.username } : {}),
        ...(this.config.avatar_url !== undefined ? { avatar_url: this.config.avatar_url } : {}),
        // Event text can contain "@everyone" (a VM name, a log line); never let it ping.
        allowed_mentions: { parse: [] },
        embeds: [discordEmbed(message)],
      },
      signal,
      secrets: this.secrets,
    });
    if (isFailure(reply)) return reply;
    if (isSuccess(reply)) {
      const id = parseJsonObject(reply.text)?.id;
      return { ok: true, ...(typeof id === 'string' ? { remoteId: id } : {}) };
    }
    const body = parseJsonObject(reply.text);
    const detail = discordErrorDetail(reply.text);
    return replyFailure('Discord', reply, this.secrets, {
      retryAfterMs: secondsToMs(body?.retry_after),
      ...(detail !== undefined ? { detail } : {}),
    });
  }
}
