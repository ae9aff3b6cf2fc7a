import { z } from 'zod';
import type { Channel, ChannelKind, DeliveryResult, RenderedMessage, SendOptions } from './channel.js';
import {
  configFailure,
  escapeHtml,
  httpRequest,
  httpUrl,
  isFailure,
  isSuccess,
  joinUrl,
  parseJsonObject,
  replyFailure,
  secondsToMs,
  SEVERITY_ICON,
  splitText,
  truncate,
} from './http.js';

/** Telegram counts the 4096 after entity parsing, so the limit applies to the plain text, not the HTML. */
export const TELEGRAM_TEXT_LIMIT = 4096;
/** Beyond this many parts the message is cut, with a marker: a 40 KB notification is a template bug. */
export const TELEGRAM_MAX_PARTS = 10;
const PART_SUFFIX_ROOM = 16; // "\n\n(10/10)"
const TITLE_LIMIT = 256;
const CUT_MARKER = '\n… (message truncated)';

export const telegramConfig = z.object({
  bot_token: z.string().regex(/^\d+:[\w-]+$/, 'must look like 123456:ABC-DEF (from @BotFather)'),
  /** Numeric id (-100… for supergroups and channels) or @channelusername. */
  chat_id: z.union([z.string().trim().min(1), z.number().int()]).transform(String),
  /** Forum topic (message_thread_id) inside a supergroup. */
  topic_id: z.coerce.number().int().positive().optional(),
  api_url: httpUrl.default('https://api.telegram.org'),
});
export type TelegramConfig = z.output<typeof telegramConfig>;

export const telegramChannel: ChannelKind<typeof telegramConfig> = {
  type: 'telegram',
  config: telegramConfig,
  secretKeys: ['bot_token'],
  create: (config, deps) => new TelegramChannel(config, deps.fetch),
};

/**
 * Plain-text parts of at most 4096 characters, split on newlines; the title line opens the first part.
 * Exported for tests.
 */
export function telegramParts(message: RenderedMessage): { titleLine: string; parts: string[] } {
  const titleLine = truncate(`${SEVERITY_ICON[message.severity]} ${message.title}`, TITLE_LIMIT);
  const rest = [message.body, message.url ?? ''].filter((s) => s !== '').join('\n\n');
  const plain = rest === '' ? titleLine : `${titleLine}\n\n${rest}`;
  if (plain.length <= TELEGRAM_TEXT_LIMIT) return { titleLine, parts: [plain] };
  const limit = TELEGRAM_TEXT_LIMIT - PART_SUFFIX_ROOM;
  let parts = splitText(plain, limit);
  if (parts.length > TELEGRAM_MAX_PARTS) {
    parts = parts.slice(0, TELEGRAM_MAX_PARTS);
    const last = parts[TELEGRAM_MAX_PARTS - 1] ?? '';
    parts[TELEGRAM_MAX_PARTS - 1] = truncate(last, limit - CUT_MARKER.length, '') + CUT_MARKER;
  }
  return { titleLine, parts };
}

/** The HTML text of each part: escaped, title in bold, "(i/n)" when split. */
export function telegramHtml(message: RenderedMessage): string[] {
  const { titleLine, parts } = telegramParts(message);
  return parts.map((part, i) => {
    let html =
      i === 0 && part.startsWith(titleLine)
        ? `<b>${escapeHtml(titleLine)}</b>${escapeHtml(part.slice(titleLine.length))}`
        : escapeHtml(part);
    if (parts.length > 1) html += `\n\n<i>(${i + 1}/${parts.length})</i>`;
    return html;
  });
}

const MAX_TRACKED = 512;

class TelegramChannel implements Channel {
  readonly type = 'telegram' as const;
  /**
   * Parts already delivered per idempotency key, so a retry after part 2 of 3 failed resumes at part 2
   * instead of repeating part 1. In memory only: after a restart a split message may repeat parts.
   */
  private readonly progress = new Map<string, { sent: number; ids: string[] }>();

  constructor(
    private readonly config: TelegramConfig,
    private readonly fetchFn: typeof fetch,
  ) {}

  async send(message: RenderedMessage, { signal, idempotencyKey }: SendOptions): Promise<DeliveryResult> {
    const parts = telegramHtml(message);
    const state = this.progress.get(idempotencyKey) ?? { sent: 0, ids: [] };
    for (let i = state.sent; i < parts.length; i++) {
      const result = await this.sendPart(parts[i] ?? '', signal);
      if (!result.ok) {
        if (state.sent > 0) this.remember(idempotencyKey, state);
        return result;
      }
      state.sent = i + 1;
      if (result.remoteId !== undefined) state.ids.push(result.remoteId);
    }
    this.progress.delete(idempotencyKey);
    return { ok: true, ...(state.ids.length > 0 ? { remoteId: state.ids.join(',') } : {}) };
  }

  private remember(key: string, state: { sent: number; ids: string[] }): void {
    this.progress.delete(key);
    this.progress.set(key, state);
    if (this.progress.size > MAX_TRACKED) {
      const oldest = this.progress.keys().next().value;
      if (oldest !== undefined) this.progress.delete(oldest);
    }
  }

  private async sendPart(text: string, signal: AbortSignal): Promise<DeliveryResult> {
    const { bot_token, chat_id, topic_id, api_url } = this.config;
    const secrets = [bot_token];
    const reply = await httpRequest(this.fetchFn, {
      service: 'Telegram',
      url: joinUrl(api_url, `bot${bot_token}/sendMessage`),
      json: {
        chat_id,
        text,
        parse_mode: 'HTML',
        ...(topic_id !== undefined ? { message_thread_id: topic_id } : {}),
        link_preview_options: { is_disabled: true },
      },
      signal,
      secrets,
    });
    if (isFailure(reply)) return reply;
    const body = parseJsonObject(reply.text);
    if (isSuccess(reply)) {
      const result = body?.ok === true ? body.result : undefined;
      if (typeof result === 'object' && result !== null) {
        const id = (result as Record<string, unknown>).message_id;
        return { ok: true, ...(typeof id === 'number' ? { remoteId: String(id) } : {}) };
      }
      // Not the Bot API (a proxy page?): retrying the same URL will not change that.
      return configFailure(
        'Telegram',
        `HTTP ${reply.status}: reply without ok:true (is api_url a Bot API server?)`,
      );
    }
    const parameters = body?.parameters as Record<string, unknown> | undefined;
    let detail = typeof body?.description === 'string' ? body.description : undefined;
    const migrated = parameters?.migrate_to_chat_id;
    if (detail !== undefined && (typeof migrated === 'number' || typeof migrated === 'string')) {
      detail += ` (the group is now chat ${migrated}; update chat_id)`;
    }
    return replyFailure('Telegram', reply, secrets, {
      retryAfterMs: secondsToMs(parameters?.retry_after),
      ...(detail !== undefined ? { detail } : {}),
    });
  }
}
