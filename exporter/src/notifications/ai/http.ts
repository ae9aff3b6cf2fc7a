import {
  httpRequest,
  isFailure,
  parseJsonObject,
  parseRetryAfter,
  redact,
  truncate,
} from '../channels/http.js';
import { fail, ok, type Result } from '../../sources/source.js';

/** One JSON call to an AI provider, with every way it can go wrong turned into a Result. */
export interface JsonCall {
  /** Provider name for error texts ("OpenAI"). */
  service: string;
  url: string;
  method?: 'GET' | 'POST';
  headers?: Readonly<Record<string, string>>;
  json?: unknown;
  signal: AbortSignal;
  /** The API key: never shown in an error text. */
  secrets: ReadonlyArray<string | undefined>;
}

export type JsonObject = Record<string, unknown>;

/** A non-2xx reply, kept apart so an adapter can react to it (OpenAI's temperature refusal). */
export interface HttpError {
  status: number;
  detail: string;
}

/**
 * Sends the call and returns the reply's JSON object. No answer before the signal fires is a
 * `timeout`; a refused connection or an HTTP error status is `io` (with the provider's own message,
 * and how long a 429 asked to wait); a 2xx that is not a JSON object is `parse`.
 */
export async function callJson(
  fetchFn: typeof fetch,
  call: JsonCall,
): Promise<Result<JsonObject> & { httpError?: HttpError }> {
  let reply;
  try {
    reply = await httpRequest(fetchFn, { ...call, method: call.method ?? 'POST' });
  } catch (err) {
    // httpRequest answers every network failure itself; this only guards against a misbehaving fetch.
    return fail('io', redact(`${call.service}: ${String(err)}`, call.secrets));
  }
  if (isFailure(reply)) {
    if (call.signal.aborted) return fail('timeout', `${call.service}: no reply before the deadline`);
    return fail('io', reply.error);
  }
  if (reply.status < 200 || reply.status >= 300) {
    const detail = redact(errorDetail(reply.text), call.secrets);
    const wait = reply.status === 429 ? parseRetryAfter(reply.headers.get('retry-after')) : undefined;
    const text = `${call.service}: HTTP ${reply.status}${detail ? `: ${detail}` : ''}${
      wait !== undefined ? ` (retry after ${Math.ceil(wait / 1000)} s)` : ''
    }`;
    return { ...fail('io', text), httpError: { status: reply.status, detail } };
  }
  const body = parseJsonObject(reply.text);
  if (!body) return fail('parse', `${call.service}: reply is not a JSON object`);
  // OpenRouter reports failures that happen after routing as a 200 with an error object.
  if (body.error !== undefined && body.choices === undefined) {
    return fail('io', redact(`${call.service}: ${errorDetail(reply.text)}`, call.secrets));
  }
  return ok(body);
}

/**
 * The provider's explanation from an error body: `{error: "…"}` (Ollama), `{error: {message, type}}`
 * (OpenAI, Groq, OpenRouter, Anthropic) or `{error: {message, status}}` (Gemini); else the text.
 */
export function errorDetail(text: string): string {
  const body = parseJsonObject(text);
  const error = body?.error;
  let detail = text;
  if (typeof error === 'string') detail = error;
  else if (isObject(error)) {
    const message = typeof error.message === 'string' ? error.message : '';
    const kind = [error.type, error.status, error.code].find(
      (v): v is string => typeof v === 'string' && v !== '',
    );
    const parts = [kind, message].filter((p): p is string => p !== undefined && p !== '');
    if (parts.length > 0) detail = parts.join(': ');
  }
  // One line, so it reads well in a log line and in history.
  return truncate(detail.replace(/\s+/g, ' ').trim(), 300);
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The strings at `key` of each object in a list, deduplicated and sorted (model ids). */
export function idsOf(items: unknown, key: string): string[] {
  const ids = new Set<string>();
  for (const item of asArray(items)) {
    const id = isObject(item) ? item[key] : undefined;
    if (typeof id === 'string' && id !== '') ids.add(id);
  }
  return [...ids].sort();
}
