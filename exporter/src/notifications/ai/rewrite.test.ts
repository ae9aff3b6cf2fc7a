import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { RenderedMessage } from '../channels/channel.js';
import { AI_SECRET_KEYS, aiConfigSchema, type AiConfig, type AiProviderName } from './config.js';
import { createRewriter, listModels, SAMPLE_MESSAGE, testProvider } from './rewrite.js';
import type { AiStandin } from './test-support/ai-standin.js';
import { startAnthropicStandin } from './test-support/anthropic-standin.js';
import { startGeminiStandin } from './test-support/gemini-standin.js';
import { startOllamaStandin } from './test-support/ollama-standin.js';
import { startOpenAiStandin } from './test-support/openai-standin.js';
import { jsonFetch } from './test-support/redirect-fetch.js';

const KEY = 'gsk_Secret_rewrite_key_42';

const original: RenderedMessage = {
  title: 'Backup failed: VM 101 (web01)',
  body: 'vzdump of VM 101 failed after 2m 14s.\nReason: storage "backup-nfs" is not online',
  severity: 'CRITICAL',
  type: 'backup_fail',
  group: 'backup',
  fields: [
    { label: 'VM', value: '101 (web01)' },
    { label: 'Storage', value: 'backup-nfs' },
  ],
  host: 'pve1',
  at: Date.UTC(2026, 10, 26, 3, 0, 0),
  url: 'https://pve1:8006/',
};

const SPANISH = [
  '[TITLE]',
  'Copia de seguridad fallida: VM 101 (web01)',
  '[BODY]',
  'vzdump de la VM 101 falló tras 2m 14s.',
  'Motivo: el almacenamiento "backup-nfs" no está en línea.',
].join('\n');

interface Setup {
  provider: AiProviderName;
  model: string;
  prefix: string;
  start(): Promise<AiStandin>;
}

const setups: Setup[] = [
  {
    provider: 'openai',
    model: 'gpt-4o-mini',
    prefix: '/v1',
    start: () => startOpenAiStandin({ apiKey: KEY }),
  },
  {
    provider: 'groq',
    model: 'llama-3.3-70b-versatile',
    prefix: '/openai/v1',
    start: () =>
      startOpenAiStandin({ apiKey: KEY, prefix: '/openai/v1', models: ['llama-3.3-70b-versatile'] }),
  },
  {
    provider: 'openrouter',
    model: 'openai/gpt-4o-mini',
    prefix: '/api/v1',
    start: () => startOpenAiStandin({ apiKey: KEY, prefix: '/api/v1', models: ['openai/gpt-4o-mini'] }),
  },
  {
    provider: 'anthropic',
    model: 'claude-haiku-4-5',
    prefix: '',
    start: () => startAnthropicStandin({ apiKey: KEY }),
  },
  {
    provider: 'gemini',
    model: 'gemini-2.5-flash',
    prefix: '',
    start: () => startGeminiStandin({ apiKey: KEY }),
  },
  { provider: 'ollama', model: 'llama3.2:latest', prefix: '', start: () => startOllamaStandin() },
];

let standin: AiStandin | undefined;
afterEach(async () => {
  await standin?.close();
  standin = undefined;
});

function configFor(s: Setup, url: string, extra: Record<string, unknown> = {}): AiConfig {
  return aiConfigSchema.parse({
    provider: s.provider,
    model: s.model,
    base_url: `${url}${s.prefix}`,
    ...(s.provider === 'ollama' ? {} : { api_key: KEY }),
    ...extra,
  });
}

describe.each(setups)('rewrite through $provider', (s) => {
  it('delivers the rewrite and keeps the template version beside it', async () => {
    standin = await s.start();
    standin.answer = () => SPANISH;
    const rewriter = createRewriter({ config: configFor(s, standin.url) });
    const outcome = await rewriter.rewrite(original, { language: 'es', detail: 'brief' });
    expect(outcome).toEqual({
      rewritten: true,
      original,
      message: {
        ...original,
        title: 'Copia de seguridad fallida: VM 101 (web01)',
        body: 'vzdump de la VM 101 falló tras 2m 14s.\nMotivo: el almacenamiento "backup-nfs" no está en línea.',
      },
    });
    expect(outcome.original).toBe(original);
    expect(standin.chats[0]!.system).toContain('in Spanish');
    expect(standin.chats[0]!.user).toContain('Backup failed: VM 101 (web01)');
  });

  it.each(['server-error', 'malformed', 'unauthorized', 'rate-limit', 'cut-off'] as const)(
    'delivers the template text unchanged on %s',
    async (failure) => {
      standin = await s.start();
      standin.fail.push(failure);
      const outcome = await createRewriter({ config: configFor(s, standin.url) }).rewrite(original);
      expect(outcome.rewritten).toBe(false);
      expect(outcome.message).toBe(original);
      expect(outcome.original).toBe(original);
      expect(outcome.error).toMatch(/\S/);
      expect(outcome.error).not.toContain(KEY);
    },
  );

  it('delivers the template text when the provider hangs past the timeout', async () => {
    standin = await s.start();
    standin.fail.push('hang');
    const rewriter = createRewriter({ config: configFor(s, standin.url), timeoutMs: 250 });
    const started = Date.now();
    const outcome = await rewriter.rewrite(original);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(outcome.message).toBe(original);
    expect(outcome.rewritten).toBe(false);
    expect(outcome.error).toMatch(/: no reply within 250 ms$/);
  });
});

describe('rewrite checks and cache', () => {
  async function openai(answer: () => string) {
    const s = await startOpenAiStandin({ apiKey: KEY });
    standin = s;
    s.answer = answer;
    return { s, config: configFor(setups[0]!, s.url) };
  }

  it('rejects a rewrite that drops an identifier and sends the template instead', async () => {
    const { config } = await openai(() => SPANISH.replaceAll('(web01)', '(servidor web)'));
    const outcome = await createRewriter({ config }).rewrite(original);
    expect(outcome).toEqual({
      message: original,
      original,
      rewritten: false,
      error: 'AI reply rejected: identifiers dropped or changed: web01',
    });
  });

  it('rejects a rewrite that softens the severity word', async () => {
    const message = { ...original, title: 'pve1: CRITICAL backup VM 101 (web01)' };
    const { config } = await openai(() =>
      SPANISH.replace('Copia de seguridad fallida', 'pve1: WARNING copia'),
    );
    const outcome = await createRewriter({ config }).rewrite(message);
    expect(outcome.rewritten).toBe(false);
    expect(outcome.error).toBe('AI reply rejected: severity word dropped: CRITICAL');
  });

  it('answers a repeat from the cache, keyed by language and detail, for 60 s', async () => {
    const { s, config } = await openai(() => SPANISH);
    let now = 1_000_000;
    const rewriter = createRewriter({ config, now: () => now });
    const first = await rewriter.rewrite(original, { language: 'es' });
    const again = await rewriter.rewrite({ ...original }, { language: 'es' });
    expect(again).toEqual(first);
    expect(s.chats).toHaveLength(1);
    await rewriter.rewrite(original, { language: 'de' });
    await rewriter.rewrite(original, { language: 'es', detail: 'detailed' });
    await rewriter.rewrite({ ...original, body: `${original.body}.` }, { language: 'es' });
    expect(s.chats).toHaveLength(4);
    now += 59_000;
    await rewriter.rewrite(original, { language: 'es' });
    expect(s.chats).toHaveLength(4);
    now += 2_000;
    await rewriter.rewrite(original, { language: 'es' });
    expect(s.chats).toHaveLength(5);
  });

  it('keeps at most cacheSize entries, dropping the least recently used', async () => {
    const { s, config } = await openai(() => SPANISH);
    const rewriter = createRewriter({ config, cacheSize: 2 });
    const variant = (n: number) => ({
      ...original,
      fields: [...original.fields, { label: 'n', value: String(n) }],
    });
    await rewriter.rewrite(variant(1));
    await rewriter.rewrite(variant(2));
    await rewriter.rewrite(variant(1));
    await rewriter.rewrite(variant(3));
    expect(s.chats).toHaveLength(3);
    await rewriter.rewrite(variant(1));
    expect(s.chats).toHaveLength(3);
    await rewriter.rewrite(variant(2));
    expect(s.chats).toHaveLength(4);
  });

  it('does not cache failures, and shares one call between concurrent identical rewrites', async () => {
    const { s, config } = await openai(() => SPANISH);
    const rewriter = createRewriter({ config });
    s.fail.push('server-error');
    expect((await rewriter.rewrite(original)).rewritten).toBe(false);
    const [a, b] = await Promise.all([rewriter.rewrite(original), rewriter.rewrite(original)]);
    expect(a.rewritten && b.rewritten).toBe(true);
    expect(s.requests).toHaveLength(2);
  });

  it('stops when the caller aborts (shutdown)', async () => {
    const { s, config } = await openai(() => SPANISH);
    s.fail.push('hang');
    const controller = new AbortController();
    const pending = createRewriter({ config }).rewrite(original, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const outcome = await pending;
    expect(outcome).toMatchObject({ rewritten: false, error: 'OpenAI: no reply before the deadline' });
  });

  it('never throws, whatever fetch does', async () => {
    const config = configFor(setups[0]!, 'http://127.0.0.1:9');
    const throwing: typeof fetch = () => {
      throw new TypeError('fetch exploded');
    };
    const outcome = await createRewriter({ config, fetch: throwing }).rewrite(original);
    expect(outcome).toEqual({
      message: original,
      original,
      rewritten: false,
      error: 'OpenAI: fetch exploded',
    });
    const rejecting: typeof fetch = () => Promise.reject(new Error('socket hang up'));
    expect((await createRewriter({ config, fetch: rejecting }).rewrite(original)).error).toBe(
      'OpenAI: socket hang up',
    );
  });

  it('never throws on any model reply: the rewrite or the template, nothing else', async () => {
    const config = configFor(setups[0]!, 'http://127.0.0.1:9');
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), async (content) => {
        const fetchFn = jsonFetch(200, { choices: [{ message: { content }, finish_reason: 'stop' }] });
        const outcome = await createRewriter({ config, fetch: fetchFn }).rewrite(original);
        if (outcome.rewritten) {
          expect(outcome.message.severity).toBe(original.severity);
          expect(outcome.message.fields).toBe(original.fields);
        } else {
          expect(outcome.message).toBe(original);
          expect(outcome.error).toMatch(/^AI reply rejected: /);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('testProvider and listModels', () => {
  it('rewrites the sample event and reports the model', async () => {
    const s = await startAnthropicStandin({ apiKey: KEY });
    standin = s;
    const config = configFor(setups[3]!, s.url, { language: 'fr' });
    const result = await testProvider(config);
    expect(result).toEqual({
      ok: true,
      value: {
        model: 'claude-haiku-4-5',
        sample: { title: SAMPLE_MESSAGE.title, body: SAMPLE_MESSAGE.body },
      },
    });
    expect(s.chats[0]!.system).toContain('in French');
    expect(s.chats[0]!.body.max_tokens).toBe(500);
  });

  it('fails with the provider’s reason (and without the key) when the key is wrong', async () => {
    const s = await startAnthropicStandin({ apiKey: 'another-key' });
    standin = s;
    expect(await testProvider(configFor(setups[3]!, s.url))).toEqual({
      ok: false,
      error: { kind: 'io', message: 'Anthropic: HTTP 401: authentication_error: invalid x-api-key' },
    });
  });

  it('fails when the model ignores the reply format', async () => {
    const s = await startOllamaStandin({ answer: () => 'Here is your summary: backup failed.' });
    standin = s;
    const result = await testProvider(configFor(setups[5]!, s.url));
    expect(result).toEqual({
      ok: false,
      error: { kind: 'io', message: 'AI reply rejected: reply does not start with [TITLE]' },
    });
  });

  it('lists models, bounded by a timeout', async () => {
    const s = await startGeminiStandin({ apiKey: KEY });
    standin = s;
    const config = configFor(setups[4]!, s.url);
    expect(await listModels(config)).toEqual({
      ok: true,
      value: ['gemini-2.0-flash', 'gemini-2.5-flash', 'gemini-2.5-pro'],
    });
    s.fail.push('hang');
    expect(await listModels(config, { timeoutMs: 200 })).toEqual({
      ok: false,
      error: { kind: 'timeout', message: 'Gemini: no model list within 200 ms' },
    });
  });
});

describe('aiConfigSchema', () => {
  it('fills defaults and marks api_key as the only secret', () => {
    expect(aiConfigSchema.parse({ provider: 'groq', api_key: KEY, model: 'llama-3.1-8b-instant' })).toEqual({
      provider: 'groq',
      api_key: KEY,
      model: 'llama-3.1-8b-instant',
      language: 'en',
      temperature: 0.3,
    });
    expect(AI_SECRET_KEYS).toEqual(['api_key']);
  });

  it('requires a key for every provider but Ollama', () => {
    expect(aiConfigSchema.safeParse({ provider: 'ollama', model: 'llama3.2' }).success).toBe(true);
    const missing = aiConfigSchema.safeParse({ provider: 'openai', model: 'gpt-4o-mini' });
    expect(missing.success).toBe(false);
    expect(missing.error?.issues[0]).toMatchObject({ path: ['api_key'], message: 'openai needs an API key' });
  });

  it('rejects unknown providers, languages, keys and non-http base URLs', () => {
    const base = { provider: 'ollama', model: 'llama3.2' };
    expect(aiConfigSchema.safeParse({ ...base, provider: 'mistral' }).success).toBe(false);
    expect(aiConfigSchema.safeParse({ ...base, language: 'xx' }).success).toBe(false);
    expect(aiConfigSchema.safeParse({ ...base, base_url: 'file:///etc/passwd' }).success).toBe(false);
    expect(aiConfigSchema.safeParse({ ...base, temperature: 3 }).success).toBe(false);
    expect(aiConfigSchema.safeParse({ ...base, apikey: 'typo' }).success).toBe(false);
  });
});
