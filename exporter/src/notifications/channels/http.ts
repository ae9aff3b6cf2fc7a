import { z } from 'zod';
import { version } from '../../version.js';
import type { DeliveryResult, NotifySeverity } from './channel.js';

/** Shared HTTP plumbing for the channels: one request helper, error classification, redaction, splitting. */

export const USER_AGENT = `proxmon/${version}`;

/** An http(s) URL in a channel config (base URLs, webhook URLs). */
export const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

/** Display icon per severity, shared by the channels that prefix titles. */
export const SEVERITY_ICON: Readonly<Record<NotifySeverity, string>> = {
  CRITICAL: '🔴',
  WARNING: '🟡',
  INFO: '🔵',
  OK: '🟢',
};

export type DeliveryFailure = Extract<DeliveryResult, { ok: false }>;

/** A service's answer, whatever its status; the body read as text (bounded). */
export interface HttpReply {
  status: number;
  headers: Headers;
  text: string;
}

export interface HttpCall {
  /** Name used in error texts ("Telegram"). */
  service: string;
  url: string;
  method?: 'GET' | 'POST' | 'PUT';
  headers?: Readonly<Record<string, string>>;
  /** Sent as application/json unless `body` is given. */
  json?: unknown;
  body?: string;
  signal: AbortSignal;
  /** Values that must never appear in an error text (tokens, passwords, whole webhook URLs). */
  secrets: ReadonlyArray<string | undefined>;
}

const MAX_REPLY_BYTES = 256 * 1024;
const MAX_DETAIL_CHARS = 300;

/**
 * One HTTP request through the injected fetch. Any HTTP status comes back as a reply for the channel
 * to judge; only a failure to get an answer (refused, reset, DNS, aborted by the deadline) becomes a
 * retryable failure here.
 */
export async function httpRequest(
  fetchFn: typeof fetch,
  call: HttpCall,
): Promise<HttpReply | DeliveryFailure> {
  const headers: Record<string, string> = { 'User-Agent': USER_AGENT, ...call.headers };
  let body = call.body;
  if (body === undefined && call.json !== undefined) {
    body = JSON.stringify(call.json);
    headers['Content-Type'] ??= 'application/json';
  }
  try {
    const res = await fetchFn(call.url, {
      method: call.method ?? 'POST',
      headers,
      body,
      signal: call.signal,
      // A redirect is a misconfigured base URL; following it could carry a token elsewhere.
      redirect: 'manual',
    });
    return { status: res.status, headers: res.headers, text: await readCapped(res, MAX_REPLY_BYTES) };
  } catch (err) {
    return networkFailure(call.service, err, call.signal, call.secrets);
  }
}

export function isFailure(value: HttpReply | DeliveryFailure): value is DeliveryFailure {
  return 'ok' in value;
}

/** 2xx counts as delivered; callers with a success flag in the body check it themselves. */
export function isSuccess(reply: HttpReply): boolean {
  return reply.status >= 200 && reply.status < 300;
}

/** Retrying helps for rate limits, timeouts and server-side trouble; never for other client errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/**
 * A failure from a non-2xx reply. `retryAfterMs` overrides the Retry-After header when the service
 * says it in the body (Telegram, Discord); `detail` overrides the generic body summary.
 */
export function replyFailure(
  service: string,
  reply: HttpReply,
  secrets: ReadonlyArray<string | undefined>,
  options: { retryAfterMs?: number; detail?: string } = {},
): DeliveryFailure {
  const retryable = isRetryableStatus(reply.status);
  const retryAfterMs = options.retryAfterMs ?? parseRetryAfter(reply.headers.get('retry-after'));
  const location = reply.status >= 300 && reply.status < 400 ? reply.headers.get('location') : null;
  const detail = options.detail ?? (location ? `redirected to ${location}` : replyDetail(reply.text));
  const text = `${service}: HTTP ${reply.status}${detail ? `: ${detail}` : ''}`;
  return {
    ok: false,
    retryable,
    ...(retryable && retryAfterMs !== undefined ? { retryAfterMs } : {}),
    error: redact(text, secrets),
  };
}

export function networkFailure(
  service: string,
  err: unknown,
  signal: AbortSignal | undefined,
  secrets: ReadonlyArray<string | undefined>,
): DeliveryFailure {
  const reason = signal?.aborted ? 'request aborted (deadline passed)' : describeError(err);
  return { ok: false, retryable: true, error: redact(`${service}: ${reason}`, secrets) };
}

/** A configuration problem found before sending (bad URL, missing field): retrying cannot help. */
export function configFailure(
  service: string,
  message: string,
  secrets: ReadonlyArray<string | undefined> = [],
): DeliveryFailure {
  return { ok: false, retryable: false, error: redact(`${service}: ${message}`, secrets) };
}

/**
 * Retry-After in either documented form: delay-seconds or an HTTP-date. Returns milliseconds from
 * `now` (never negative), or undefined when absent or unreadable.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // An HTTP-date names its day and month; without letters it is a malformed delay, not a date.
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * Appends a path to a base URL that may itself have a path prefix (a service behind `/gotify/`),
 * keeping exactly one slash between them.
 */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** Escapes text for HTML bodies and attribute values (Telegram HTML, email, Matrix formatted_body). */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Seconds from a JSON body field (Telegram's parameters.retry_after, Discord's retry_after) to ms. */
export function secondsToMs(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined;
  return Math.round(value * 1000);
}

/** Replaces every secret (and its URL-encoded form) with `***`, longest first so overlaps stay covered. */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (!s) continue;
    forms.add(s);
    forms.add(encodeURIComponent(s));
    forms.add(encodeURI(s));
  }
  let out = text;
  for (const form of [...forms].sort((a, b) => b.length - a.length)) out = out.split(form).join('***');
  return out;
}

export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A short human summary of an error body: the usual JSON message keys, else the text itself. */
export function replyDetail(text: string): string {
  const obj = parseJsonObject(text);
  if (obj) {
    const parts: string[] = [];
    for (const key of [
      'description',
      'message',
      'error',
      'errorDescription',
      'error_description',
      'errcode',
    ]) {
      const v = obj[key];
      if (typeof v === 'string' && v !== '' && !parts.includes(v)) parts.push(v);
    }
    if (parts.length > 0) return truncate(parts.join(': '), MAX_DETAIL_CHARS);
  }
  return truncate(text.replace(/\s+/g, ' ').trim(), MAX_DETAIL_CHARS);
}

export const TRUNCATION_MARKER = '…';

/** Cuts `text` to at most `max` UTF-16 units, ending with `marker` when it had to cut. */
export function truncate(text: string, max: number, marker: string = TRUNCATION_MARKER): string {
  if (text.length <= max) return text;
  if (max <= marker.length) return marker.slice(0, Math.max(0, max));
  return safeSlice(text, max - marker.length) + marker;
}

/**
 * Splits text into chunks of at most `max` UTF-16 units, breaking at newlines where it can; a single
 * line longer than `max` is broken at the last space, else hard (never inside a surrogate pair).
 */
export function splitText(text: string, max: number): string[] {
  if (max < 2) throw new RangeError('splitText: max must be at least 2');
  if (text.length <= max) return [text];
  const chunks: string[] = [];
  let current = '';
  const flush = () => {
    if (current !== '') chunks.push(current);
    current = '';
  };
  for (const line of text.split('\n')) {
    const candidate = current === '' ? line : `${current}\n${line}`;
    if (candidate.length <= max) {
      current = candidate;
      continue;
    }
    flush();
    let rest = line;
    while (rest.length > max) {
      let cut = rest.lastIndexOf(' ', max);
      if (cut <= 0) cut = safeSlice(rest, max).length;
      chunks.push(rest.slice(0, cut));
      rest = rest.slice(cut).replace(/^ /, '');
    }
    current = rest;
  }
  flush();
  return chunks.length > 0 ? chunks : [''];
}

/**
 * Splits text so that each chunk *after* `encode` (escaping) fits `max`: splits the plain text, and
 * re-splits any chunk whose encoded form grew past the limit. Returns the encoded chunks.
 */
export function splitEncoded(text: string, max: number, encode: (plain: string) => string): string[] {
  const out: string[] = [];
  const walk = (plain: string, plainMax: number) => {
    for (const chunk of splitText(plain, plainMax)) {
      const encoded = encode(chunk);
      if (encoded.length <= max) {
        out.push(encoded);
        continue;
      }
      // Shrink the plain size in proportion to how much encoding grew this chunk.
      const smaller = Math.max(2, Math.floor((chunk.length * max) / encoded.length));
      if (smaller >= chunk.length)
        throw new RangeError(`splitEncoded: ${max} is too small for this encoding`);
      walk(chunk, smaller);
    }
  };
  walk(text, max);
  return out;
}

/** Cuts `text` to at most `maxBytes` of UTF-8 (for limits counted in bytes, like ntfy's), with `marker`. */
export function truncateBytes(text: string, maxBytes: number, marker: string = TRUNCATION_MARKER): string {
  const size = (s: string) => Buffer.byteLength(s, 'utf8');
  if (size(text) <= maxBytes) return text;
  const budget = maxBytes - size(marker);
  if (budget <= 0) return '';
  // Largest prefix that fits, by binary search over UTF-16 length (byte size grows with it).
  let lo = 0;
  let hi = Math.min(text.length, budget);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (size(safeSlice(text, mid)) <= budget) lo = mid;
    else hi = mid - 1;
  }
  return safeSlice(text, lo) + marker;
}

/** A prefix of at most `n` units that does not end on the first half of a surrogate pair. */
function safeSlice(text: string, n: number): string {
  let end = Math.min(n, text.length);
  const code = text.charCodeAt(end - 1);
  if (end > 0 && code >= 0xd800 && code <= 0xdbff) end -= 1;
  return text.slice(0, end);
}

async function readCapped(res: Response, maxBytes: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    size += value.byteLength;
    if (size >= maxBytes) {
      await reader.cancel().catch(() => undefined);
      break;
    }
  }
  return new TextDecoder().decode(Buffer.concat(parts)).slice(0, maxBytes);
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // undici puts the useful part (ECONNREFUSED, ENOTFOUND, a TLS error) in `cause`.
  const cause = err.cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return `${err.message} (${code ? `${code}: ` : ''}${cause.message})`;
  }
  return err.message;
}
