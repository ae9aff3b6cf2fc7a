import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseBody,
  startStandin,
  type Standin,
} from '../notifications/channels/test-support/standin-server.js';
import {
  startTelegramStandin,
  type TelegramStandin,
} from '../notifications/channels/test-support/telegram-standin.js';
import { startTestServer, type TestServer } from '../test-support/server.js';

const AM_TOKEN = 'am-token-0123456789abcdef';
const BOT_TOKEN = '123456789:AAHsecretBotToken_0123456789abcdefg';
let s: TestServer;
let admin: string;
let hook: Standin;
let telegram: TelegramStandin;

/** Alertmanager's webhook payload, version 4, as it posts it. */
const amPayload = (status: 'firing' | 'resolved') => ({
  version: '4',
  groupKey: '{}:{alertname="ZfsPoolDegraded"}',
  truncatedAlerts: 0,
  status,
  receiver: 'proxmon',
  groupLabels: { alertname: 'ZfsPoolDegraded' },
  commonLabels: { alertname: 'ZfsPoolDegraded', severity: 'critical' },
  commonAnnotations: {},
  externalURL: 'http://127.0.0.1:9093',
  alerts: [
    {
      status,
      labels: { alertname: 'ZfsPoolDegraded', severity: 'critical', node: 'pve2', pool: 'rpool' },
      annotations: { summary: 'ZFS pool rpool on pve2 is DEGRADED', description: 'A vdev is faulted.' },
      startsAt: '2026-11-26T10:00:00Z',
      endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : '2026-11-26T10:30:00Z',
      generatorURL: 'http://127.0.0.1:9090/graph',
      fingerprint: 'a1b2c3d4e5f60718',
    },
  ],
});

beforeAll(async () => {
  hook = await startStandin(() => ({ status: 202, body: {} }));
  telegram = await startTelegramStandin({ token: BOT_TOKEN, chats: ['-1001'] });
  s = await startTestServer({
    notifications: {
      receivers: { alertmanager_token: AM_TOKEN },
      channels: [
        {
          name: 'phone',
          type: 'telegram',
          config: { bot_token: BOT_TOKEN, chat_id: '-1001', api_url: telegram.url },
        },
      ],
    },
  });
  admin = await s.adminToken();
});
afterAll(async () => {
  await s.stop();
  await hook.close();
  await telegram.close();
});

describe('/api/notifications', () => {
  it('adds a channel (admin), masks its secrets, and sends a test', async () => {
    const created = await s.call('POST', '/api/notifications/channels', {
      token: admin,
      body: {
        name: 'ops',
        type: 'webhook',
        config: { url: `${hook.url}/hook`, secret: 'a-shared-secret-0123' },
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.config).toMatchObject({ url: '********', secret: '********' });
    const bad = await s.call('POST', '/api/notifications/channels', {
      token: admin,
      body: { name: 'broken', type: 'webhook', config: { url: 'not a url' } },
    });
    expect(bad.status).toBe(400);
    const test = await s.call('POST', '/api/notifications/test', { token: admin, body: { channel: 'ops' } });
    expect(test.body).toEqual({ results: [{ channel: 'ops', ok: true, error: null }] });
    expect((parseBody(hook.requests.at(-1)!) as { event: { type: string } }).event.type).toBe('webhook_test');
  });

  it('passes Alertmanager alerts (firing, then resolved) to the channels once each', async () => {
    const call = (token: string | undefined, body: unknown) =>
      fetch(`${s.url}/api/notifications/alertmanager`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
    expect((await call('wrong', amPayload('firing'))).status).toBe(401);
    expect((await call(undefined, amPayload('firing'))).status).toBe(401);
    const before = hook.requests.length;
    const telegramBefore = telegram.requests.length;
    const first = await call(AM_TOKEN, amPayload('firing'));
    expect(await first.json()).toEqual({ accepted: 1, suppressed: 0 });
    // Alertmanager repeats (or an HA peer) post the same alert again: deduplicated.
    expect(await (await call(AM_TOKEN, amPayload('firing'))).json()).toEqual({ accepted: 0, suppressed: 1 });
    expect(await (await call(AM_TOKEN, amPayload('resolved'))).json()).toEqual({
      accepted: 1,
      suppressed: 0,
    });
    // So is the same resolution posted again (an HA peer).
    expect(await (await call(AM_TOKEN, amPayload('resolved'))).json()).toEqual({
      accepted: 0,
      suppressed: 1,
    });
    for (let i = 0; i < 100 && hook.requests.length < before + 2; i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const titles = hook.requests
      .slice(before)
      .map((r) => (parseBody(r) as { message: { title: string } }).message.title);
    expect(titles).toEqual([
      expect.stringMatching(/ZfsPoolDegraded firing/),
      expect.stringMatching(/ZfsPoolDegraded resolved/),
    ]);
    const texts = telegram.requests.slice(telegramBefore).map((r) => (parseBody(r) as { text: string }).text);
    expect(texts).toEqual([
      expect.stringContaining('ZfsPoolDegraded firing'),
      expect.stringContaining('resolved'),
    ]);
  });

  it('never shows a secret in responses, the log or the database file', async () => {
    const list = await s.call('GET', '/api/notifications/channels', { token: admin });
    const text = JSON.stringify(list.body);
    expect(text).not.toContain(BOT_TOKEN);
    expect(text).not.toContain('a-shared-secret-0123');
    expect(text).toContain('"bot_token":"********"');
    const history = JSON.stringify(
      (await s.call('GET', '/api/notifications/history', { token: admin })).body,
    );
    expect(history).not.toContain(BOT_TOKEN);
    const db = readFileSync(join(s.config.data_dir, 'proxmon.db'));
    const wal = readFileSync(join(s.config.data_dir, 'proxmon.db-wal'));
    for (const secret of [BOT_TOKEN, 'a-shared-secret-0123', hook.url])
      for (const file of [db, wal]) expect(file.includes(Buffer.from(secret))).toBe(false);
  });

  it('reports status and exports the notification series', async () => {
    const status = await s.call('GET', '/api/notifications/status', { token: admin });
    expect(status.body.channels).toContainEqual(expect.objectContaining({ name: 'ops', waiting: 0 }));
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metrics).toMatch(/^proxmon_notifications_sent_total\{channel="ops",result="success"\} [1-9]/m);
    expect(metrics).toMatch(/^proxmon_notifications_outbox\{channel="phone"\} 0$/m);
  });
});
