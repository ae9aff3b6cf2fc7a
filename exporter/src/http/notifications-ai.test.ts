import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../auth/audit.js';
import { loadKeyring } from '../auth/secrets.js';
import { aiSettingsSchema, AiSettingsStore } from '../notifications/ai/index.js';
import { echoAnswer } from '../notifications/ai/test-support/ai-standin.js';
import { startOpenAiStandin, type OpenAiStandin } from '../notifications/ai/test-support/openai-standin.js';
import { startStandin, type Standin } from '../notifications/channels/test-support/standin-server.js';
import { createNotificationEngine, type NotificationEngine } from '../notifications/engine.js';
import { createExec } from '../sources/exec.js';
import { openStore, type Db } from '../store/db.js';
import { scopeViolations, serveRouters, type RouterServer } from '../test-support/serve-routers.js';
import { silentLogger } from '../test-support/tools.js';
import { createNotificationsRouter } from './notifications.js';

const YAML_KEY = 'sk-yaml-Secret-0123456789abcdef';
const API_KEY = 'sk-api-Secret-fedcba9876543210';
const admin = ['read', 'write', 'admin'] as const;

let dir: string;
let db: Db;
let engine: NotificationEngine;
let ai: AiSettingsStore;
let audit: AuditLog;
let srv: RouterServer;
let model: OpenAiStandin;
/** A server someone would like the saved key to be sent to. */
let elsewhere: Standin;

beforeAll(async () => {
  model = await startOpenAiStandin({ apiKey: YAML_KEY });
  elsewhere = await startStandin(() => ({ status: 200, body: { object: 'list', data: [] } }));
  dir = mkdtempSync(join(tmpdir(), 'proxmon-notify-ai-'));
  db = openStore(dir);
  const keyring = loadKeyring(dir);
  engine = createNotificationEngine({
    db,
    keyring,
    logger: silentLogger(),
    exec: createExec(),
    hostname: 'pve1',
  });
  engine.channels.put({ name: 'ops', type: 'webhook', config: { url: 'http://127.0.0.1:9/hook' } }, 'api');
  engine.channels.put(
    {
      name: 'phone',
      type: 'webhook',
      config: { url: 'http://127.0.0.1:9/phone' },
      ai: { enabled: true, language: 'de', detail: 'brief' },
    },
    'config',
  );
  const yaml = aiSettingsSchema.parse({
    provider: 'openai',
    api_key: YAML_KEY,
    model: 'gpt-4o-mini',
    base_url: `${model.url}/v1`,
    language: 'fr',
  });
  ai = new AiSettingsStore(db, keyring, yaml);
  audit = new AuditLog(db);
  srv = await serveRouters([createNotificationsRouter({ engine, audit, ai, aiTimeoutMs: 500 })]);
});
afterAll(async () => {
  await srv.close();
  await model.close();
  await elsewhere.close();
  db.close();
});
beforeEach(() => {
  ai.clear();
  model.answer = echoAnswer;
});

const put = (body: Record<string, unknown>, scopes: readonly string[] = admin) =>
  srv.call('PUT', '/api/notifications/ai', { scopes: scopes as typeof admin, body });
const get = () => srv.call('GET', '/api/notifications/ai', { scopes: ['read'] });

describe('/api/notifications/ai settings', () => {
  it('shows the YAML block until the first PUT, then the saved settings, and YAML again after DELETE', async () => {
    const before = await get();
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({
      configured: true,
      source: 'config',
      enabled: true,
      provider: 'openai',
      model: 'gpt-4o-mini',
      base_url: `${model.url}/v1`,
      default_base_url: 'https://api.openai.com/v1',
      language: 'fr',
      detail: 'standard',
      api_key_set: true,
      updated_at: null,
    });
    expect(before.text).not.toContain(YAML_KEY);

    const saved = await put({
      provider: 'ollama',
      model: 'llama3.2:latest',
      base_url: model.url,
      detail: 'brief',
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({
      source: 'api',
      provider: 'ollama',
      model: 'llama3.2:latest',
      language: 'en',
      detail: 'brief',
      // Another provider: the YAML key is not carried over.
      api_key_set: false,
    });
    expect(typeof saved.body.updated_at).toBe('string');
    expect(ai.effective()?.source).toBe('api');

    const dropped = await srv.call('DELETE', '/api/notifications/ai', { scopes: admin });
    expect(dropped.body).toMatchObject({
      removed: true,
      source: 'config',
      provider: 'openai',
      language: 'fr',
    });
    const again = await srv.call('DELETE', '/api/notifications/ai', { scopes: admin });
    expect(again.body.removed).toBe(false);
  });

  it('stores the key encrypted, never returns it, and keeps it when a form sends none, an empty one or the mask', async () => {
    const first = await put({ provider: 'openai', model: 'gpt-4o-mini', api_key: API_KEY });
    expect(first.body).toMatchObject({ source: 'api', api_key_set: true });
    expect(first.text).not.toContain(API_KEY);
    expect(first.body).not.toHaveProperty('api_key');
    for (const api_key of [undefined, '', '********']) {
      const r = await put({
        provider: 'openai',
        model: 'gpt-4.1',
        ...(api_key === undefined ? {} : { api_key }),
      });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ model: 'gpt-4.1', api_key_set: true });
      expect(ai.effective()?.settings.api_key).toBe(API_KEY);
    }
    // Another server for the same provider does not get the saved key without being given it again.
    const moved = await put({ provider: 'openai', model: 'gpt-4.1', base_url: `${elsewhere.url}/v1` });
    expect(moved.status).toBe(400);
    expect((moved.body.error as { message: string }).message).toBe('api_key: openai needs an API key');
    // A provider that needs a key, without one, is refused; nothing changes.
    const refused = await put({ provider: 'anthropic', model: 'claude-haiku-4-5' });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      error: { code: 'validation_error', message: 'api_key: anthropic needs an API key' },
    });
    expect(ai.effective()?.settings.provider).toBe('openai');

    db.pragma('wal_checkpoint(TRUNCATE)');
    for (const file of ['proxmon.db', 'proxmon.db-wal']) {
      const bytes = readFileSync(join(dir, file));
      expect(bytes.includes(Buffer.from(API_KEY))).toBe(false);
    }
    const trail = JSON.stringify(audit.page(20).entries);
    expect(trail).toContain('notifications_ai_changed');
    expect(trail).toContain('"api_key":"replaced"');
    expect(trail).not.toContain(API_KEY);
  });

  it('validates the body: a model while enabled, a known language, an http base URL', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ provider: 'ollama' }, 'model: a model is needed while enabled'],
      [
        { provider: 'ollama', model: 'm', base_url: 'ftp://x' },
        'base_url: must be an http:// or https:// URL',
      ],
      [{ provider: 'ollama', model: 'm', temperature: 3 }, 'temperature: Too big: expected number to be <=2'],
    ];
    for (const [body, message] of cases) {
      const r = await put(body);
      expect(r.status).toBe(400);
      expect((r.body.error as { message: string }).message).toBe(message);
    }
    expect((await put({ provider: 'ollama', model: 'm', language: 'xx' })).status).toBe(400);
    // Saved switched off without a model: a provider and key first, the model list next.
    const staged = await put({ provider: 'openai', api_key: API_KEY, enabled: false });
    expect(staged.body).toMatchObject({ enabled: false, model: null, api_key_set: true });
  });

  it('sets per-channel choices; a channel switched on takes the global language and detail', async () => {
    const r = await put({
      provider: 'ollama',
      model: 'llama3.2:latest',
      language: 'es',
      detail: 'detailed',
      channels: { ops: { enabled: true }, phone: { detail: 'standard' } },
    });
    expect(r.status).toBe(200);
    expect(r.body.channels).toEqual([
      { name: 'ops', type: 'webhook', enabled: true, language: 'es', detail: 'detailed' },
      { name: 'phone', type: 'webhook', enabled: true, language: 'de', detail: 'standard' },
    ]);
    // The channel keeps where it came from (a YAML channel stays a YAML channel).
    expect(engine.channels.get('phone')?.source).toBe('config');
    const unknown = await put({ provider: 'ollama', model: 'm', channels: { nope: { enabled: true } } });
    expect(unknown.status).toBe(400);
    expect((unknown.body.error as { message: string }).message).toBe('channels.nope: no channel named nope');
  });

  it('takes admin to change and read to look; anonymous callers get 401', async () => {
    expect((await put({ provider: 'ollama', model: 'm' }, ['read', 'write'])).status).toBe(403);
    expect((await srv.call('GET', '/api/notifications/ai')).status).toBe(401);
    const router = createNotificationsRouter({ engine, audit, ai });
    expect(await scopeViolations(srv, [router])).toEqual([]);
  });

  it('answers 404 when the exporter has no settings store', async () => {
    const bare = await serveRouters([createNotificationsRouter({ engine, audit })]);
    try {
      const r = await bare.call('GET', '/api/notifications/ai', { scopes: ['read'] });
      expect(r.status).toBe(404);
    } finally {
      await bare.close();
    }
  });
});

describe('/api/notifications/ai/models', () => {
  it('lists what the provider’s own list endpoint offers, with the saved key', async () => {
    const r = await srv.call('GET', '/api/notifications/ai/models', { scopes: ['read'] });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      provider: 'openai',
      base_url: `${model.url}/v1`,
      models: ['gpt-4.1', 'gpt-4o-mini'],
    });
    expect(model.requests.at(-1)).toMatchObject({ method: 'GET', url: '/v1/models' });
    expect(model.requests.at(-1)?.headers.authorization).toBe(`Bearer ${YAML_KEY}`);
  });

  it('never sends the saved key to another provider or base URL', async () => {
    const seen = elsewhere.requests.length;
    const r = await srv.call(
      'GET',
      `/api/notifications/ai/models?base_url=${encodeURIComponent(`${elsewhere.url}/v1`)}`,
      {
        scopes: ['read'],
      },
    );
    expect(r.status).toBe(400);
    expect((r.body.error as { message: string }).message).toMatch(/^api_key: openai needs an API key/);
    expect(elsewhere.requests.length).toBe(seen);
    // A keyless provider may be asked anywhere.
    const ollama = await srv.call(
      'GET',
      `/api/notifications/ai/models?provider=ollama&base_url=${encodeURIComponent(elsewhere.url)}`,
      {
        scopes: ['read'],
      },
    );
    expect(ollama.status).toBe(502);
    expect(elsewhere.requests.at(-1)?.url).toBe('/api/tags');
    expect(elsewhere.requests.at(-1)?.headers.authorization).toBeUndefined();
  });

  it('turns a provider failure into 502 with its reason and without the key', async () => {
    model.fail.push('unauthorized');
    const r = await srv.call('GET', '/api/notifications/ai/models', { scopes: ['read'] });
    expect(r.status).toBe(502);
    expect(r.body).toEqual({
      error: {
        code: 'ai_provider_error',
        message: 'OpenAI: HTTP 401: invalid_request_error: Incorrect API key provided: sk-re***ed.',
      },
    });
    expect(r.text).not.toContain(YAML_KEY);
  });
});

describe('/api/notifications/ai/test', () => {
  const test = (body: Record<string, unknown> = {}, scopes: readonly string[] = ['read', 'write']) =>
    srv.call('POST', '/api/notifications/ai/test', { scopes: scopes as typeof admin, body });

  it('rewrites the sample event and returns the template, the rewrite and the latency', async () => {
    model.answer = (input) => echoAnswer(input).replace('[TITLE]\n', '[TITLE]\nSauvegarde — ');
    const r = await test({ detail: 'brief' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      ok: true,
      provider: 'openai',
      model: 'gpt-4o-mini',
      language: 'fr',
      detail: 'brief',
      template: { title: 'pve1: backup of VM 101 (web01) failed' },
      rewritten: { title: 'Sauvegarde — pve1: backup of VM 101 (web01) failed' },
    });
    expect((r.body.rewritten as { body: string }).body).toContain('backup-nfs');
    expect(r.body.latency_ms).toEqual(expect.any(Number));
    expect(model.chats.at(-1)?.system).toContain('French');
  });

  it.each([
    [
      'server-error',
      'OpenAI: HTTP 500: server_error: The server had an error while processing your request. Sorry about that!',
    ],
    ['malformed', 'OpenAI: reply is not a JSON object'],
    ['unauthorized', 'OpenAI: HTTP 401: invalid_request_error: Incorrect API key provided: sk-re***ed.'],
    ['hang', 'OpenAI: no reply within 500 ms'],
  ] as const)('answers 502 with the reason when the provider fails (%s)', async (failure, message) => {
    model.fail.push(failure);
    const r = await test();
    expect(r.status).toBe(502);
    expect(r.body).toEqual({ error: { code: 'ai_provider_error', message } });
    expect(r.text).not.toContain(YAML_KEY);
  });

  it('tests unsaved settings with their own key, and needs the write scope', async () => {
    const r = await test({
      provider: 'openai',
      base_url: `${model.url}/v1`,
      model: 'gpt-4.1',
      api_key: 'sk-wrong-Secret',
    });
    expect(r.status).toBe(502);
    expect(r.text).not.toContain('sk-wrong-Secret');
    expect(model.requests.at(-1)?.headers.authorization).toBe('Bearer sk-wrong-Secret');
    expect((await test({}, ['read'])).status).toBe(403);
  });

  it('says what is missing when nothing is configured', async () => {
    const bare = new AiSettingsStore(db, loadKeyring(dir));
    const srv2 = await serveRouters([createNotificationsRouter({ engine, audit, ai: bare })]);
    try {
      const r = await srv2.call('POST', '/api/notifications/ai/test', { scopes: ['write'], body: {} });
      expect(r.status).toBe(400);
      expect((r.body.error as { message: string }).message).toMatch(/^no AI provider configured/);
      const view = await srv2.call('GET', '/api/notifications/ai', { scopes: ['read'] });
      expect(view.body).toMatchObject({ configured: false, source: null, enabled: false, provider: null });
    } finally {
      await srv2.close();
    }
  });
});
