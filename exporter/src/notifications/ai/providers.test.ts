import { afterEach, describe, expect, it } from 'vitest';
import { aiConfigSchema, DEFAULT_BASE_URLS, type AiConfig, type AiProviderName } from './config.js';
import { ANTHROPIC_VERSION, createProvider, PROVIDER_LABELS, type ChatRequest } from './providers.js';
import type { AiFailure, AiStandin } from './test-support/ai-standin.js';
import { startAnthropicStandin } from './test-support/anthropic-standin.js';
import { startGeminiStandin } from './test-support/gemini-standin.js';
import { startOllamaStandin } from './test-support/ollama-standin.js';
import { startOpenAiStandin } from './test-support/openai-standin.js';
import { jsonFetch, redirectFetch } from './test-support/redirect-fetch.js';

const KEY = 'sk-test-Secret-0123456789';
const REPLY = '[TITLE]\nBackup failed\n[BODY]\nVM 101 failed.';

interface Case {
  provider: AiProviderName;
  model: string;
  start(): Promise<AiStandin>;
  /** The stand-in's path prefix that a base_url must include for this provider. */
  prefix: string;
  /** Concrete error texts for each scripted failure. */
  errors: Record<Exclude<AiFailure, 'hang'>, { kind: string; message: string }>;
  models: string[];
}

const cases: Case[] = [
  {
    provider: 'openai',
    model: 'gpt-4o-mini',
    start: () => startOpenAiStandin({ apiKey: KEY }),
    prefix: '/v1',
    errors: openAiErrors('OpenAI'),
    models: ['gpt-4.1', 'gpt-4o-mini'],
  },
  {
    provider: 'groq',
    model: 'llama-3.3-70b-versatile',
    start: () =>
      startOpenAiStandin({
        apiKey: KEY,
        prefix: '/openai/v1',
        models: ['llama-3.3-70b-versatile', 'llama-3.1-8b-instant'],
      }),
    prefix: '/openai/v1',
    errors: openAiErrors('Groq'),
    models: ['llama-3.1-8b-instant', 'llama-3.3-70b-versatile'],
  },
  {
    provider: 'openrouter',
    model: 'openai/gpt-4o-mini',
    start: () =>
      startOpenAiStandin({
        apiKey: KEY,
        prefix: '/api/v1',
        models: ['openai/gpt-4o-mini', 'anthropic/claude-haiku-4.5'],
      }),
    prefix: '/api/v1',
    errors: openAiErrors('OpenRouter'),
    models: ['anthropic/claude-haiku-4.5', 'openai/gpt-4o-mini'],
  },
  {
    provider: 'anthropic',
    model: 'claude-haiku-4-5',
    start: () => startAnthropicStandin({ apiKey: KEY }),
    prefix: '',
    errors: {
      unauthorized: { kind: 'io', message: 'Anthropic: HTTP 401: authentication_error: invalid x-api-key' },
      'rate-limit': {
        kind: 'io',
        message:
          'Anthropic: HTTP 429: rate_limit_error: This request would exceed the rate limit for your organization. (retry after 12 s)',
      },
      'server-error': { kind: 'io', message: 'Anthropic: HTTP 500: api_error: Internal server error' },
      malformed: { kind: 'parse', message: 'Anthropic: reply is not a JSON object' },
      'cut-off': { kind: 'parse', message: 'Anthropic: reply cut off at the token limit' },
    },
    models: ['claude-haiku-4-5', 'claude-opus-4-1', 'claude-sonnet-4-5'],
  },
  {
    provider: 'gemini',
    model: 'gemini-2.5-flash',
    start: () => startGeminiStandin({ apiKey: KEY }),
    prefix: '',
    errors: {
      unauthorized: {
        kind: 'io',
        message: 'Gemini: HTTP 400: INVALID_ARGUMENT: API key not valid. Please pass a valid API key.',
      },
      'rate-limit': {
        kind: 'io',
        message:
          'Gemini: HTTP 429: RESOURCE_EXHAUSTED: You exceeded your current quota, please check your plan and billing details. (retry after 30 s)',
      },
      'server-error': {
        kind: 'io',
        message:
          'Gemini: HTTP 500: INTERNAL: An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
      },
      malformed: { kind: 'parse', message: 'Gemini: reply is not a JSON object' },
      'cut-off': { kind: 'parse', message: 'Gemini: reply cut off at the token limit' },
    },
    models: ['gemini-2.0-flash', 'gemini-2.5-flash', 'gemini-2.5-pro'],
  },
  {
    provider: 'ollama',
    model: 'llama3.2:latest',
    start: () => startOllamaStandin(),
    prefix: '',
    errors: {
      unauthorized: { kind: 'io', message: 'Ollama: HTTP 401: unauthorized' },
      'rate-limit': {
        kind: 'io',
        message: 'Ollama: HTTP 503: server busy, please try again. maximum pending requests exceeded',
      },
      'server-error': {
        kind: 'io',
        message: 'Ollama: HTTP 500: llama runner process has terminated: signal: killed',
      },
      malformed: { kind: 'parse', message: 'Ollama: reply is not a JSON object' },
      'cut-off': { kind: 'parse', message: 'Ollama: reply cut off at the token limit' },
    },
    models: ['llama3.2:latest', 'qwen2.5:7b'],
  },
];

function openAiErrors(service: string): Case['errors'] {
  return {
    unauthorized: {
      kind: 'io',
      message: `${service}: HTTP 401: invalid_request_error: Incorrect API key provided: sk-re***ed.`,
    },
    'rate-limit': {
      kind: 'io',
      message: `${service}: HTTP 429: requests: Rate limit reached for requests (retry after 7 s)`,
    },
    'server-error': {
      kind: 'io',
      message: `${service}: HTTP 500: server_error: The server had an error while processing your request. Sorry about that!`,
    },
    malformed: { kind: 'parse', message: `${service}: reply is not a JSON object` },
    'cut-off': { kind: 'parse', message: `${service}: reply cut off at the token limit` },
  };
}

let standin: AiStandin | undefined;
afterEach(async () => {
  await standin?.close();
  standin = undefined;
});

function configFor(c: Case, url: string, extra: Record<string, unknown> = {}): AiConfig {
  return aiConfigSchema.parse({
    provider: c.provider,
    model: c.model,
    base_url: `${url}${c.prefix}`,
    ...(c.provider === 'ollama' ? {} : { api_key: KEY }),
    ...extra,
  });
}

const request = (timeoutMs = 5_000): ChatRequest => ({
  system: 'SYSTEM RULES',
  user: 'USER FACTS',
  maxTokens: 500,
  temperature: 0.3,
  signal: AbortSignal.timeout(timeoutMs),
});

describe.each(cases)('$provider adapter', (c) => {
  it('sends one chat in the documented shape and returns the text', async () => {
    standin = await c.start();
    standin.answer = () => REPLY;
    const provider = createProvider(configFor(c, standin.url), globalThis.fetch);
    expect(await provider.chat(request())).toEqual({ ok: true, value: REPLY });
    expect(standin.chats).toHaveLength(1);
    expect(standin.chats[0]).toMatchObject({ model: c.model, system: 'SYSTEM RULES', user: 'USER FACTS' });
  });

  it('lists the models it offers, sorted (following pages where the API pages)', async () => {
    standin = await c.start();
    const provider = createProvider(configFor(c, standin.url), globalThis.fetch);
    expect(await provider.models(AbortSignal.timeout(5_000))).toEqual({ ok: true, value: c.models });
  });

  it.each(['unauthorized', 'rate-limit', 'server-error', 'malformed', 'cut-off'] as const)(
    'turns %s into a failure value that names the provider and never the key',
    async (failure) => {
      standin = await c.start();
      standin.fail.push(failure);
      const provider = createProvider(configFor(c, standin.url), globalThis.fetch);
      const result = await provider.chat(request());
      expect(result).toEqual({ ok: false, error: c.errors[failure] });
      expect(JSON.stringify(result)).not.toContain(KEY);
    },
  );

  it('gives up on a provider that never answers when the signal fires (timeout)', async () => {
    standin = await c.start();
    standin.fail.push('hang');
    const provider = createProvider(configFor(c, standin.url), globalThis.fetch);
    const started = Date.now();
    const result = await provider.chat(request(200));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(result).toEqual({
      ok: false,
      error: {
        kind: 'timeout',
        message: `${PROVIDER_LABELS[c.provider]}: no reply before the deadline`,
      },
    });
  });

  it('reports a refused connection as io', async () => {
    standin = await c.start();
    const url = standin.url;
    await standin.close();
    standin = undefined;
    const result = await createProvider(configFor(c, url), globalThis.fetch).chat(request());
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.kind).toBe('io');
      expect(result.error.message).toMatch(/ECONNREFUSED/);
    }
  });

  it('treats a 200 whose JSON lacks the expected fields as malformed', async () => {
    const config = configFor(c, 'http://127.0.0.1:9');
    const result = await createProvider(config, jsonFetch(200, { unexpected: true })).chat(request());
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.kind).toBe('parse');
    const models = await createProvider(config, jsonFetch(200, { unexpected: true })).models(
      AbortSignal.timeout(1_000),
    );
    expect(models.ok).toBe(false);
  });
});

describe('default endpoints and request details', () => {
  it('OpenAI: public base URL, Bearer key, max_completion_tokens, temperature', async () => {
    const s = await startOpenAiStandin({ apiKey: KEY });
    standin = s;
    const config = aiConfigSchema.parse({ provider: 'openai', api_key: KEY, model: 'gpt-4o-mini' });
    const provider = createProvider(config, redirectFetch(DEFAULT_BASE_URLS.openai, `${s.url}/v1`));
    expect((await provider.chat(request())).ok).toBe(true);
    const req = s.requests[0]!;
    expect(req.url).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(s.chats[0]!.body).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'SYSTEM RULES' },
        { role: 'user', content: 'USER FACTS' },
      ],
      max_completion_tokens: 500,
      temperature: 0.3,
      stream: false,
    });
  });

  it('OpenAI-compatible base URL: max_tokens, which local servers understand', async () => {
    const s = await startOpenAiStandin({ prefix: '/v1' });
    standin = s;
    const config = aiConfigSchema.parse({
      provider: 'openai',
      api_key: 'local',
      model: 'gpt-4o-mini',
      base_url: `${s.url}/v1/`,
    });
    expect((await createProvider(config, globalThis.fetch).chat(request())).ok).toBe(true);
    expect(s.chats[0]!.body.max_tokens).toBe(500);
    expect(s.chats[0]!.body.max_completion_tokens).toBeUndefined();
  });

  it('OpenAI reasoning model: asks again without temperature when the model refuses it', async () => {
    const s = await startOpenAiStandin({ apiKey: KEY, models: ['o4-mini'] });
    standin = s;
    s.reasoningModel = true;
    s.answer = () => REPLY;
    const config = aiConfigSchema.parse({ provider: 'openai', api_key: KEY, model: 'o4-mini' });
    const provider = createProvider(config, redirectFetch(DEFAULT_BASE_URLS.openai, `${s.url}/v1`));
    expect(await provider.chat(request())).toEqual({ ok: true, value: REPLY });
    expect(s.requests).toHaveLength(2);
    expect(s.chats[0]!.body.temperature).toBeUndefined();
  });

  it('Groq: /openai/v1 on api.groq.com, max_completion_tokens', async () => {
    const s = await startOpenAiStandin({
      apiKey: KEY,
      prefix: '/openai/v1',
      models: ['llama-3.1-8b-instant'],
    });
    standin = s;
    const config = aiConfigSchema.parse({ provider: 'groq', api_key: KEY, model: 'llama-3.1-8b-instant' });
    const provider = createProvider(config, redirectFetch('https://api.groq.com', s.url));
    expect((await provider.chat(request())).ok).toBe(true);
    expect(s.requests[0]!.url).toBe('/openai/v1/chat/completions');
    expect(s.chats[0]!.body.max_completion_tokens).toBe(500);
  });

  it('OpenRouter: /api/v1 on openrouter.ai, app title header, and its 200-with-error replies', async () => {
    const s = await startOpenAiStandin({ apiKey: KEY, prefix: '/api/v1', models: ['openai/gpt-4o-mini'] });
    standin = s;
    const config = aiConfigSchema.parse({
      provider: 'openrouter',
      api_key: KEY,
      model: 'openai/gpt-4o-mini',
    });
    const provider = createProvider(config, redirectFetch('https://openrouter.ai', s.url));
    expect((await provider.chat(request())).ok).toBe(true);
    expect(s.requests[0]!.url).toBe('/api/v1/chat/completions');
    expect(s.requests[0]!.headers['x-title']).toBe('proxmon');
    expect(s.chats[0]!.body.max_tokens).toBe(500);
    s.routedError = true;
    expect(await provider.chat(request())).toEqual({
      ok: false,
      error: { kind: 'io', message: 'OpenRouter: Provider returned error' },
    });
  });

  it('Anthropic: x-api-key and anthropic-version, top-level system, temperature capped at 1, 529', async () => {
    const s = await startAnthropicStandin({ apiKey: KEY });
    standin = s;
    const config = aiConfigSchema.parse({
      provider: 'anthropic',
      api_key: KEY,
      model: 'claude-haiku-4-5',
      temperature: 1.5,
    });
    const provider = createProvider(config, redirectFetch(DEFAULT_BASE_URLS.anthropic, s.url));
    expect((await provider.chat({ ...request(), temperature: 1.5 })).ok).toBe(true);
    const req = s.requests[0]!;
    expect(req.url).toBe('/v1/messages');
    expect(req.headers['x-api-key']).toBe(KEY);
    expect(req.headers['anthropic-version']).toBe(ANTHROPIC_VERSION);
    expect(req.headers.authorization).toBeUndefined();
    expect(s.chats[0]!.body).toEqual({
      model: 'claude-haiku-4-5',
      max_tokens: 500,
      system: 'SYSTEM RULES',
      messages: [{ role: 'user', content: 'USER FACTS' }],
      temperature: 1,
    });
    s.overloadedNext = true;
    expect(await provider.chat(request())).toEqual({
      ok: false,
      error: { kind: 'io', message: 'Anthropic: HTTP 529: overloaded_error: Overloaded' },
    });
    // Paged model list: limit asked for, after_id followed.
    await provider.models(AbortSignal.timeout(5_000));
    const pages = s.requests.filter((r) => r.url.startsWith('/v1/models')).map((r) => r.url);
    expect(pages).toEqual(['/v1/models?limit=1000', '/v1/models?limit=1000&after_id=claude-sonnet-4-5']);
  });

  it('Gemini: key in x-goog-api-key (never in the URL), systemInstruction, generationConfig', async () => {
    const s = await startGeminiStandin({ apiKey: KEY });
    standin = s;
    const config = aiConfigSchema.parse({
      provider: 'gemini',
      api_key: KEY,
      model: 'models/gemini-2.5-flash',
    });
    const provider = createProvider(config, redirectFetch(DEFAULT_BASE_URLS.gemini, s.url));
    expect(provider.model).toBe('gemini-2.5-flash');
    expect((await provider.chat(request())).ok).toBe(true);
    const req = s.requests[0]!;
    expect(req.url).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(req.headers['x-goog-api-key']).toBe(KEY);
    expect(s.chats[0]!.body).toEqual({
      systemInstruction: { parts: [{ text: 'SYSTEM RULES' }] },
      contents: [{ role: 'user', parts: [{ text: 'USER FACTS' }] }],
      generationConfig: { temperature: 0.3, maxOutputTokens: 500 },
    });
    s.blockNext = true;
    expect(await provider.chat(request())).toEqual({
      ok: false,
      error: { kind: 'parse', message: 'Gemini: prompt blocked: SAFETY' },
    });
    const models = await provider.models(AbortSignal.timeout(5_000));
    expect(models).toEqual({ ok: true, value: ['gemini-2.0-flash', 'gemini-2.5-flash', 'gemini-2.5-pro'] });
    expect(s.requests.every((r) => !r.url.includes(KEY))).toBe(true);
  });

  it('Gemini: leaves out thought parts of thinking models', async () => {
    const config = aiConfigSchema.parse({ provider: 'gemini', api_key: KEY, model: 'gemini-2.5-pro' });
    const fetchFn = jsonFetch(200, {
      candidates: [
        {
          content: { role: 'model', parts: [{ text: 'pondering…', thought: true }, { text: REPLY }] },
          finishReason: 'STOP',
        },
      ],
    });
    expect(await createProvider(config, fetchFn).chat(request())).toEqual({ ok: true, value: REPLY });
  });

  it('Ollama: localhost:11434, no key, stream false, num_predict; a proxy key goes as Bearer', async () => {
    const s = await startOllamaStandin();
    standin = s;
    const config = aiConfigSchema.parse({ provider: 'ollama', model: 'llama3.2:latest' });
    const provider = createProvider(config, redirectFetch(DEFAULT_BASE_URLS.ollama, s.url));
    expect((await provider.chat(request())).ok).toBe(true);
    const req = s.requests[0]!;
    expect(req.url).toBe('/api/chat');
    expect(req.headers.authorization).toBeUndefined();
    expect(s.chats[0]!.body).toEqual({
      model: 'llama3.2:latest',
      messages: [
        { role: 'system', content: 'SYSTEM RULES' },
        { role: 'user', content: 'USER FACTS' },
      ],
      stream: false,
      options: { temperature: 0.3, num_predict: 500 },
    });
    await s.close();

    const guarded = await startOllamaStandin({ apiKey: KEY });
    standin = guarded;
    const withKey = aiConfigSchema.parse({
      provider: 'ollama',
      model: 'llama3.2:latest',
      api_key: KEY,
      base_url: guarded.url,
    });
    expect((await createProvider(withKey, globalThis.fetch).chat(request())).ok).toBe(true);
    expect(guarded.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('Ollama: an unknown model is a 404 with its message', async () => {
    const s = await startOllamaStandin();
    standin = s;
    const config = aiConfigSchema.parse({ provider: 'ollama', model: 'mistral', base_url: s.url });
    expect(await createProvider(config, globalThis.fetch).chat(request())).toEqual({
      ok: false,
      error: { kind: 'io', message: "Ollama: HTTP 404: model 'mistral' not found" },
    });
  });
});
