import { joinUrl } from '../channels/http.js';
import { fail, ok, type Result, type SourceError } from '../../sources/source.js';
import { DEFAULT_BASE_URLS, type AiConfig, type AiProviderName } from './config.js';
import { asArray, callJson, idsOf, isObject, type JsonCall, type JsonObject } from './http.js';

export interface ChatRequest {
  system: string;
  user: string;
  maxTokens: number;
  temperature: number;
  signal: AbortSignal;
}

/** One AI service behind one shape: a single-turn chat, and the models it offers. */
export interface AiProvider {
  readonly name: AiProviderName;
  readonly model: string;
  chat(request: ChatRequest): Promise<Result<string>>;
  models(signal: AbortSignal): Promise<Result<string[]>>;
}

export const PROVIDER_LABELS: Readonly<Record<AiProviderName, string>> = {
  openai: 'OpenAI',
  anthropic: 'Anthropic',
  gemini: 'Gemini',
  groq: 'Groq',
  ollama: 'Ollama',
  openrouter: 'OpenRouter',
};

/** Anthropic's Messages API version header; the request and reply shapes below follow it. */
export const ANTHROPIC_VERSION = '2023-06-01';
/** Model lists are paged by some providers; a handful of pages covers every real catalogue. */
const MAX_MODEL_PAGES = 10;

export function createProvider(config: AiConfig, fetchFn: typeof fetch): AiProvider {
  const ctx: Ctx = {
    service: PROVIDER_LABELS[config.provider],
    base: config.base_url ?? DEFAULT_BASE_URLS[config.provider],
    model: config.model,
    key: config.api_key,
    fetchFn,
  };
  switch (config.provider) {
    case 'openai':
      // The public API wants max_completion_tokens (reasoning models refuse max_tokens); the servers
      // that copy its shape (vLLM, LM Studio, LocalAI, llama.cpp) mostly know only max_tokens.
      return openAiShaped('openai', ctx, {
        tokenField: config.base_url === undefined ? 'max_completion_tokens' : 'max_tokens',
      });
    case 'groq':
      return openAiShaped('groq', ctx, { tokenField: 'max_completion_tokens' });
    case 'openrouter':
      return openAiShaped('openrouter', ctx, {
        tokenField: 'max_tokens',
        headers: { 'X-Title': 'proxmon' },
      });
    case 'anthropic':
      return anthropic(ctx);
    case 'gemini':
      return gemini(ctx);
    case 'ollama':
      return ollama(ctx);
  }
}

interface Ctx {
  service: string;
  base: string;
  model: string;
  key: string | undefined;
  fetchFn: typeof fetch;
}

function call(ctx: Ctx, call: Omit<JsonCall, 'service' | 'secrets'>) {
  return callJson(ctx.fetchFn, { ...call, service: ctx.service, secrets: [ctx.key] });
}

const bearer = (key: string | undefined): Record<string, string> =>
  key === undefined ? {} : { Authorization: `Bearer ${key}` };

/** A failure without the HTTP details the adapters look at (callers see only the Result). */
const failed = (reply: { error: SourceError }) => ({ ok: false as const, error: reply.error });
const malformed = (ctx: Ctx, what: string) => fail('parse', `${ctx.service}: ${what}`);
const cutOff = (ctx: Ctx) => fail('parse', `${ctx.service}: reply cut off at the token limit`);

/** OpenAI chat completions, which Groq, OpenRouter and many local servers speak too. */
function openAiShaped(
  name: 'openai' | 'groq' | 'openrouter',
  ctx: Ctx,
  options: { tokenField: 'max_tokens' | 'max_completion_tokens'; headers?: Record<string, string> },
): AiProvider {
  const headers = { ...bearer(ctx.key), ...options.headers };
  return {
    name,
    model: ctx.model,
    async chat(req) {
      const body = (withTemperature: boolean): JsonObject => ({
        model: ctx.model,
        messages: [
          { role: 'system', content: req.system },
          { role: 'user', content: req.user },
        ],
        [options.tokenField]: req.maxTokens,
        ...(withTemperature ? { temperature: req.temperature } : {}),
        stream: false,
      });
      const url = joinUrl(ctx.base, 'chat/completions');
      let reply = await call(ctx, { url, headers, json: body(true), signal: req.signal });
      // Reasoning models accept only their default temperature and say so with a 400: ask again without it.
      if (!reply.ok && reply.httpError?.status === 400 && /temperature/i.test(reply.httpError.detail)) {
        reply = await call(ctx, { url, headers, json: body(false), signal: req.signal });
      }
      if (!reply.ok) return failed(reply);
      const choice = asArray(reply.value.choices)[0];
      const message = isObject(choice) ? choice.message : undefined;
      if (!isObject(choice) || !isObject(message)) return malformed(ctx, 'reply has no choices[0].message');
      if (typeof message.refusal === 'string' && message.refusal !== '') {
        return malformed(ctx, `model refused: ${message.refusal.slice(0, 200)}`);
      }
      if (choice.finish_reason === 'length') return cutOff(ctx);
      if (typeof message.content !== 'string') return malformed(ctx, 'reply has no message content');
      return ok(message.content);
    },
    async models(signal) {
      const reply = await call(ctx, { url: joinUrl(ctx.base, 'models'), method: 'GET', headers, signal });
      if (!reply.ok) return failed(reply);
      if (!Array.isArray(reply.value.data)) return malformed(ctx, 'model list has no data array');
      return ok(idsOf(reply.value.data, 'id'));
    },
  };
}

/** Anthropic Messages API: the system prompt is a top-level field, the answer a list of blocks. */
function anthropic(ctx: Ctx): AiProvider {
  const headers = { 'x-api-key': ctx.key ?? '', 'anthropic-version': ANTHROPIC_VERSION };
  return {
    name: 'anthropic',
    model: ctx.model,
    async chat(req) {
      const reply = await call(ctx, {
        url: joinUrl(ctx.base, 'v1/messages'),
        headers,
        json: {
          model: ctx.model,
          max_tokens: req.maxTokens,
          system: req.system,
          messages: [{ role: 'user', content: req.user }],
          // Anthropic's range is 0 to 1.
          temperature: Math.min(req.temperature, 1),
        },
        signal: req.signal,
      });
      if (!reply.ok) return failed(reply);
      if (!Array.isArray(reply.value.content)) return malformed(ctx, 'reply has no content blocks');
      if (reply.value.stop_reason === 'max_tokens') return cutOff(ctx);
      const texts = reply.value.content
        .filter((b): b is JsonObject => isObject(b) && b.type === 'text' && typeof b.text === 'string')
        .map((b) => b.text as string);
      if (texts.length === 0) return malformed(ctx, 'reply has no text block');
      return ok(texts.join(''));
    },
    async models(signal) {
      const ids: string[] = [];
      let after: string | undefined;
      for (let page = 0; page < MAX_MODEL_PAGES; page++) {
        const query = new URLSearchParams({ limit: '1000', ...(after ? { after_id: after } : {}) });
        const reply = await call(ctx, {
          url: `${joinUrl(ctx.base, 'v1/models')}?${query}`,
          method: 'GET',
          headers,
          signal,
        });
        if (!reply.ok) return failed(reply);
        if (!Array.isArray(reply.value.data)) return malformed(ctx, 'model list has no data array');
        ids.push(...idsOf(reply.value.data, 'id'));
        const last = reply.value.last_id;
        if (reply.value.has_more !== true || typeof last !== 'string' || last === after) break;
        after = last;
      }
      return ok([...new Set(ids)].sort());
    },
  };
}

/** Gemini generateContent (v1beta), keyed by the x-goog-api-key header so the key stays out of URLs. */
function gemini(ctx: Ctx): AiProvider {
  const headers: Record<string, string> = ctx.key === undefined ? {} : { 'x-goog-api-key': ctx.key };
  const model = ctx.model.replace(/^models\//, '');
  return {
    name: 'gemini',
    model,
    async chat(req) {
      const reply = await call(ctx, {
        url: joinUrl(ctx.base, `v1beta/models/${encodeURIComponent(model)}:generateContent`),
        headers,
        json: {
          systemInstruction: { parts: [{ text: req.system }] },
          contents: [{ role: 'user', parts: [{ text: req.user }] }],
          generationConfig: { temperature: req.temperature, maxOutputTokens: req.maxTokens },
        },
        signal: req.signal,
      });
      if (!reply.ok) return failed(reply);
      const candidate = asArray(reply.value.candidates)[0];
      if (!isObject(candidate)) {
        const feedback = reply.value.promptFeedback;
        const blocked = isObject(feedback) ? feedback.blockReason : undefined;
        return malformed(
          ctx,
          typeof blocked === 'string' ? `prompt blocked: ${blocked}` : 'reply has no candidates',
        );
      }
      if (candidate.finishReason === 'MAX_TOKENS') return cutOff(ctx);
      const content = candidate.content;
      const texts = asArray(isObject(content) ? content.parts : undefined)
        // Thinking models return their thoughts as parts flagged `thought`.
        .filter((p): p is JsonObject => isObject(p) && typeof p.text === 'string' && p.thought !== true)
        .map((p) => p.text as string);
      if (texts.length === 0) {
        const reason =
          typeof candidate.finishReason === 'string' ? ` (finishReason ${candidate.finishReason})` : '';
        return malformed(ctx, `reply has no text${reason}`);
      }
      return ok(texts.join(''));
    },
    async models(signal) {
      const ids: string[] = [];
      let token: string | undefined;
      for (let page = 0; page < MAX_MODEL_PAGES; page++) {
        const query = new URLSearchParams({ pageSize: '1000', ...(token ? { pageToken: token } : {}) });
        const reply = await call(ctx, {
          url: `${joinUrl(ctx.base, 'v1beta/models')}?${query}`,
          method: 'GET',
          headers,
          signal,
        });
        if (!reply.ok) return failed(reply);
        if (!Array.isArray(reply.value.models)) return malformed(ctx, 'model list has no models array');
        // Only models that can answer generateContent (not embedding or image-only ones).
        const usable = reply.value.models.filter(
          (m) =>
            isObject(m) &&
            (!Array.isArray(m.supportedGenerationMethods) ||
              m.supportedGenerationMethods.includes('generateContent')),
        );
        ids.push(...idsOf(usable, 'name').map((n) => n.replace(/^models\//, '')));
        const next = reply.value.nextPageToken;
        if (typeof next !== 'string' || next === '' || next === token) break;
        token = next;
      }
      return ok([...new Set(ids)].sort());
    },
  };
}

/** Ollama's native chat API; a key is only sent when one is configured (a proxy in front). */
function ollama(ctx: Ctx): AiProvider {
  const headers = bearer(ctx.key);
  return {
    name: 'ollama',
    model: ctx.model,
    async chat(req) {
      const reply = await call(ctx, {
        url: joinUrl(ctx.base, 'api/chat'),
        headers,
        json: {
          model: ctx.model,
          messages: [
            { role: 'system', content: req.system },
            { role: 'user', content: req.user },
          ],
          stream: false,
          options: { temperature: req.temperature, num_predict: req.maxTokens },
        },
        signal: req.signal,
      });
      if (!reply.ok) return failed(reply);
      const message = reply.value.message;
      if (!isObject(message) || typeof message.content !== 'string') {
        return malformed(ctx, 'reply has no message content');
      }
      if (reply.value.done_reason === 'length') return cutOff(ctx);
      return ok(message.content);
    },
    async models(signal) {
      const reply = await call(ctx, { url: joinUrl(ctx.base, 'api/tags'), method: 'GET', headers, signal });
      if (!reply.ok) return failed(reply);
      if (!Array.isArray(reply.value.models)) return malformed(ctx, 'model list has no models array');
      return ok(idsOf(reply.value.models, 'name'));
    },
  };
}
