import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../auth/audit.js';
import { loadKeyring } from '../../auth/secrets.js';
import { createNotificationsRouter } from '../../http/notifications.js';
import { createExec } from '../../sources/exec.js';
import { openStore, type Db } from '../../store/db.js';
import { serveRouters, type RouterServer } from '../../test-support/serve-routers.js';
import { silentLogger } from '../../test-support/tools.js';
import { parseBody } from '../channels/test-support/standin-server.js';
import { startWebhookStandin, type WebhookStandin } from '../channels/test-support/webhook-standin.js';
import { createNotificationEngine, type NotificationEngine } from '../engine.js';
import { createAiRewrite } from './live-rewrite.js';
import { AiSettingsStore } from './settings-store.js';
import { echoAnswer, type AiFailure } from './test-support/ai-standin.js';
import { startOpenAiStandin, type OpenAiStandin } from './test-support/openai-standin.js';

/**
 * The AI rewrite inside the real pipeline: SQLite, the engine, a webhook channel with AI switched
 * on, and an OpenAI-shaped stand-in as the model. Whatever the model does, a message goes out; only
 * a good rewrite replaces the template, and then history keeps both versions.
 */

const KEY = 'sk-engine-Secret-0123456789';
let db: Db;
let engine: NotificationEngine;
let ai: AiSettingsStore;
let hook: WebhookStandin;
let model: OpenAiStandin;
let api: RouterServer;

beforeAll(async () => {
  hook = await startWebhookStandin();
  model = await startOpenAiStandin({ apiKey: KEY });
  const dir = mkdtempSync(join(tmpdir(), 'proxmon-notify-ai-engine-'));
  db = openStore(dir);
  const keyring = loadKeyring(dir);
  ai = new AiSettingsStore(db, keyring);
  const logger = silentLogger();
  engine = createNotificationEngine({
    db,
    keyring,
    logger,
    exec: createExec(),
    hostname: 'pve1',
    // Long enough for a loaded CI machine; the hang case then waits it out once.
    rewrite: createAiRewrite(ai, { logger, timeoutMs: 3000 }),
  });
  // Several custom messages within a minute: above the default rate limit of their group.
  engine.putSettings({ rate_limits: { other: { per_minute: 100, per_hour: 1000 } } });
  // Saved as the API saves it: the key goes through the encrypted store.
  ai.put({ provider: 'openai', api_key: KEY, model: 'gpt-4o-mini', base_url: `${model.url}/v1` });
  engine.channels.put(
    {
      name: 'ops',
      type: 'webhook',
      config: { url: `${hook.url}/hook` },
      ai: { enabled: true, language: 'es', detail: 'brief' },
    },
    'api',
  );
  api = await serveRouters([createNotificationsRouter({ engine, audit: new AuditLog(db), ai })]);
});
afterAll(async () => {
  await api.close();
  await engine.stop();
  await hook.close();
  await model.close();
  db.close();
});

/** The rewrite the stand-in model writes: the same facts, with a Spanish lead-in. */
const spanish = (input: Parameters<typeof echoAnswer>[0]) =>
  echoAnswer(input).replace('[TITLE]\n', '[TITLE]\nAviso: ').replace('[BODY]\n', '[BODY]\nDetalle: ');

/** Sends one custom event and waits until its delivery left the outbox; returns what the channel got. */
async function deliver(title: string): Promise<{ title: string; body: string }> {
  const before = hook.accepted.size;
  const r = engine.submit({
    type: 'custom',
    severity: 'WARNING',
    source: 'api',
    at: Date.now(),
    fields: { title, body: 'Disk /dev/sdb on pve1 reports 128 reallocated sectors' },
    fingerprint: `ai-engine:${title}`,
  });
  expect(r).toEqual({ queued: ['ops'], held: [] });
  for (let i = 0; i < 100 && (engine.outbox.waiting().get('ops') ?? 0) > 0; i++) await engine.tick();
  expect(hook.accepted.size).toBe(before + 1);
  const sent = [...hook.accepted.values()].at(-1)!;
  return (parseBody(sent) as { message: { title: string; body: string } }).message;
}

interface HistoryEntry {
  title: string;
  body: string;
  original_title: string | null;
  original_body: string | null;
  ai_rewritten: boolean;
  success: boolean;
}
async function lastHistory(): Promise<HistoryEntry> {
  const r = await api.call('GET', '/api/notifications/history?channel=ops&limit=1', { scopes: ['read'] });
  expect(r.status).toBe(200);
  return (r.body.entries as HistoryEntry[])[0]!;
}

const BODY = 'Disk /dev/sdb on pve1 reports 128 reallocated sectors';

describe('AI rewrite through the pipeline', () => {
  it('delivers the rewrite and keeps both versions in history', async () => {
    model.answer = spanish;
    const sent = await deliver('sdb wearing out (success)');
    expect(sent).toMatchObject({ title: 'Aviso: sdb wearing out (success)', body: `Detalle: ${BODY}` });
    expect(model.chats.at(-1)?.system).toContain('Spanish');
    expect(await lastHistory()).toMatchObject({
      title: 'Aviso: sdb wearing out (success)',
      body: `Detalle: ${BODY}`,
      original_title: 'sdb wearing out (success)',
      original_body: BODY,
      ai_rewritten: true,
      success: true,
    });
  });

  it.each<[AiFailure, string]>([
    ['hang', 'timeout'],
    ['server-error', '500'],
    ['malformed', 'malformed reply'],
  ])('delivers the template unchanged when the model fails (%s: %s)', async (failure, what) => {
    model.answer = spanish;
    model.fail.push(failure);
    const calls = model.requests.length;
    const title = `sdb wearing out (${what})`;
    const sent = await deliver(title);
    expect(model.requests.length).toBe(calls + 1);
    expect(sent).toMatchObject({ title, body: BODY });
    expect(await lastHistory()).toMatchObject({
      title,
      body: BODY,
      original_title: null,
      original_body: null,
      ai_rewritten: false,
      success: true,
    });
  });

  it('delivers the template when a reply drops an identifier (a rewrite that changed the facts)', async () => {
    model.answer = (input) => spanish(input).replaceAll('/dev/sdb', 'el disco');
    const sent = await deliver('sdb wearing out (unfaithful)');
    expect(sent.body).toBe(BODY);
    expect((await lastHistory()).ai_rewritten).toBe(false);
  });

  it('asks no model once the rewrite is switched off in the settings, without a restart', async () => {
    ai.put({ provider: 'openai', model: 'gpt-4o-mini', base_url: `${model.url}/v1`, enabled: false });
    model.answer = spanish;
    const calls = model.requests.length;
    const sent = await deliver('sdb wearing out (switched off)');
    expect(sent.title).toBe('sdb wearing out (switched off)');
    expect(model.requests.length).toBe(calls);
    // The key was kept by the change above.
    expect(ai.view().api_key_set).toBe(true);
  });
});
