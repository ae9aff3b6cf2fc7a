import { z } from 'zod';
import type { Channel, ChannelKind, DeliveryResult, NotifySeverity, RenderedMessage } from './channel.js';
import {
  escapeHtml,
  httpRequest,
  httpUrl,
  isFailure,
  joinUrl,
  parseJsonObject,
  parseRetryAfter,
  redact,
  replyDetail,
  replyFailure,
  SEVERITY_ICON,
  truncate,
  type DeliveryFailure,
  type HttpReply,
} from './http.js';
import { safeHttpLink } from './safe-link.js';

/** Documented limits (pushover.net/api), in characters. */
export const PUSHOVER_LIMITS = { message: 1024, title: 250, url: 512, urlTitle: 100 } as const;

/** Pushover asks clients to wait at least 5 s after a 5xx or a failed connection. */
const MIN_RETRY_MS = 5_000;

// "user and group identifiers are 30 characters long, case-sensitive, [A-Za-z0-9]"; app tokens alike.
const key30 = (what: string) =>
  z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9]{30}$/, `must be the 30-character ${what}`);
const priority = z.number().int().min(-2).max(2);

export const pushoverConfig = z.object({
  api_url: httpUrl.default('https://api.pushover.net'),
  token: key30('application API token'),
  user_key: key30('user or group key'),
  /** One device name, or several separated by commas; all devices when absent. */
  device: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,25}(,[A-Za-z0-9_-]{1,25})*$/, 'must be device names separated by commas')
    .optional(),
  sound: z
    .string()
    .trim()
    .regex(/^[a-z0-9_-]{1,64}$/i)
    .optional(),
  /** Overrides of the default priority per severity (-2 lowest … 2 emergency). */
  priorities: z
    .object({ OK: priority, INFO: priority, WARNING: priority, CRITICAL: priority })
    .partial()
    .default({}),
  /** For priority 2: how often Pushover re-alerts until acknowledged, and for how long. */
  emergency_retry_seconds: z.number().int().min(30).max(10_800).default(60),
  emergency_expire_seconds: z.number().int().min(30).max(10_800).default(3_600),
});
export type PushoverConfig = z.output<typeof pushoverConfig>;

/** Quiet for OK and INFO, a normal alert for WARNING, high priority (past quiet hours) for CRITICAL. */
export const DEFAULT_PRIORITY: Readonly<Record<NotifySeverity, number>> = {
  OK: -1,
  INFO: -1,
  WARNING: 0,
  CRITICAL: 1,
};

export const pushoverChannel: ChannelKind<typeof pushoverConfig> = {
  type: 'pushover',
  config: pushoverConfig,
  secretKeys: ['token', 'user_key'],
  create(config, deps): Channel {
    const secrets = [config.token, config.user_key];
    return {
      type: 'pushover',
      async send(message, { signal }): Promise<DeliveryResult> {
        const reply = await httpRequest(deps.fetch, {
          service: 'Pushover',
          url: joinUrl(config.api_url, '1/messages.json'),
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: pushoverForm(message, config).toString(),
          signal,
          secrets,
        });
        if (isFailure(reply)) return atLeast(reply, MIN_RETRY_MS);
        return judge(reply, secrets);
      },
    };
  },
};

export function pushoverForm(message: RenderedMessage, config: PushoverConfig): URLSearchParams {
  const prio = config.priorities[message.severity] ?? DEFAULT_PRIORITY[message.severity];
  const form = new URLSearchParams({
    token: config.token,
    user: config.user_key,
    title: truncate(`${SEVERITY_ICON[message.severity]} ${message.title}`, PUSHOVER_LIMITS.title),
    message: pushoverMessage(message),
    html: '1',
    priority: String(prio),
    timestamp: String(Math.floor(message.at / 1000)),
  });
  const link = safeHttpLink(message.url);
  if (link && link.length <= PUSHOVER_LIMITS.url) form.set('url', link);
  if (config.device) form.set('device', config.device);
  if (config.sound) form.set('sound', config.sound);
  if (prio === 2) {
    form.set('retry', String(config.emergency_retry_seconds));
    form.set('expire', String(config.emergency_expire_seconds));
  }
  return form;
}

/**
 * The HTML message within 1 024 characters (tags count): the facts (fields, host) are kept whole up to
 * half the limit; the body takes the rest, cut before escaping so no entity or tag is ever split.
 */
export function pushoverMessage(message: RenderedMessage): string {
  const max = PUSHOVER_LIMITS.message;
  const facts = [
    ...message.fields.map((f) => `<b>${escapeHtml(f.label)}:</b> ${escapeHtml(f.value)}`),
    `<b>Host:</b> ${escapeHtml(message.host)}`,
  ];
  let tail = '';
  for (const [i, line] of facts.entries()) {
    const next = tail === '' ? line : `${tail}\n${line}`;
    if (chars(next) > max / 2) {
      tail = tail === '' ? '…' : `${tail}\n… (${facts.length - i} more)`;
      break;
    }
    tail = next;
  }
  const budget = max - chars(tail) - 2;
  const body = fitEscaped(message.body, budget);
  return body === '' ? tail : `${body}\n\n${tail}`;
}

/** The longest cut of `text` whose escaped form fits `budget` characters (binary search on the cut). */
function fitEscaped(text: string, budget: number): string {
  if (chars(escapeHtml(text)) <= budget) return escapeHtml(text);
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (chars(escapeHtml(truncate(text, mid))) <= budget) lo = mid;
    else hi = mid - 1;
  }
  return lo === 0 ? '' : escapeHtml(truncate(text, lo));
}

/** Pushover counts characters (code points), not UTF-16 units. */
function chars(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

function judge(reply: HttpReply, secrets: readonly string[]): DeliveryResult {
  const body = parseJsonObject(reply.text);
  const detail = errorsOf(body) ?? replyDetail(reply.text);
  if (reply.status === 200 && body?.status === 1) {
    const id = typeof body.receipt === 'string' ? body.receipt : body.request;
    return typeof id === 'string' ? { ok: true, remoteId: id } : { ok: true };
  }
  if (reply.status === 200) {
    const error = `Pushover: request not accepted (status ${String(body?.status)}): ${detail}`;
    return { ok: false, retryable: false, error: redact(error, secrets) };
  }
  if (reply.status === 429) {
    // Over the app's monthly limit: nothing gets through before X-Limit-App-Reset (Unix seconds).
    const reset = Number(reply.headers.get('x-limit-app-reset'));
    const untilReset =
      Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - Date.now()) : undefined;
    const retryAfterMs = untilReset ?? parseRetryAfter(reply.headers.get('retry-after'));
    return replyFailure('Pushover', reply, secrets, {
      detail,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  const failure = replyFailure('Pushover', reply, secrets, { detail });
  return reply.status >= 500 ? atLeast(failure, MIN_RETRY_MS) : failure;
}

function errorsOf(body: Record<string, unknown> | undefined): string | undefined {
  const errors = body?.errors;
  if (!Array.isArray(errors)) return undefined;
  const texts = errors.filter((e): e is string => typeof e === 'string');
  return texts.length > 0 ? texts.join('; ') : undefined;
}

function atLeast(failure: DeliveryFailure, ms: number): DeliveryFailure {
  if (!failure.retryable) return failure;
  return { ...failure, retryAfterMs: Math.max(ms, failure.retryAfterMs ?? 0) };
}
