import { afterEach, describe, expect, it } from 'vitest';
import { NTFY_MESSAGE_BYTES, ntfyChannel } from './ntfy.js';
import {
  commonFailures,
  echoingFetch,
  itTurnsFailuresIntoResults,
  sampleMessage,
  sendOptions,
  testDeps,
} from './test-support/channel-test-kit.js';
import { startNtfyStandin, type NtfyStandin } from './test-support/ntfy-standin.js';

const TOKEN = 'tk_secretaccesstoken0123456789';
const PASSWORD = 'hunter2-Secret';

let standin: NtfyStandin | undefined;
afterEach(async () => {
  await standin?.close();
  standin = undefined;
});

async function setup(extra: Record<string, unknown> = {}, auth: Parameters<typeof startNtfyStandin>[0] = {}) {
  standin = await startNtfyStandin(auth);
  const config = ntfyChannel.config.parse({ url: standin.url, topic: 'pve-alerts', ...extra });
  return { standin, channel: ntfyChannel.create(config, testDeps()) };
}

describe('ntfy channel', () => {
  it('publishes JSON to the server root with priority and tags by severity', async () => {
    const { standin, channel } = await setup({ tags: ['homelab'] });
    const result = await channel.send(sampleMessage({ url: 'https://pve1:8006/' }), sendOptions());
    expect(result).toEqual({ ok: true, remoteId: 'msg000000001' });
    expect(standin.requests[0]!.url).toBe('/');
    expect(standin.requests[0]!.headers.authorization).toBeUndefined();
    expect(standin.delivered[0]).toEqual({
      topic: 'pve-alerts',
      title: 'Backup failed: VM 101 (web01)',
      message: 'vzdump of VM 101 failed after 2m 14s.\nReason: storage "backup-nfs" is not online',
      priority: 5,
      tags: ['rotating_light', 'backup', 'homelab'],
      click: 'https://pve1:8006/',
    });
  });

  it('maps each severity to a priority and an emoji tag', async () => {
    const { standin, channel } = await setup({ priorities: { OK: 1 } });
    for (const severity of ['OK', 'INFO', 'WARNING', 'CRITICAL'] as const) {
      await channel.send(sampleMessage({ severity }), sendOptions());
    }
    expect(standin.delivered.map((d) => [d.priority, (d.tags as string[])[0]])).toEqual([
      [1, 'white_check_mark'],
      [3, 'information_source'],
      [4, 'warning'],
      [5, 'rotating_light'],
    ]);
  });

  it('cuts the message to 4096 bytes of UTF-8 with a marker', async () => {
    const { standin, channel } = await setup();
    const body = 'Ünïcödé ✓ '.repeat(1000);
    expect((await channel.send(sampleMessage({ body }), sendOptions())).ok).toBe(true);
    const sent = standin.delivered[0]!.message as string;
    expect(Buffer.byteLength(sent)).toBeLessThanOrEqual(NTFY_MESSAGE_BYTES);
    expect(Buffer.byteLength(sent)).toBeGreaterThan(NTFY_MESSAGE_BYTES - 8);
    expect(sent.endsWith('\n… (truncated)')).toBe(true);
    expect(body.startsWith(sent.slice(0, -'\n… (truncated)'.length))).toBe(true);
  });

  it('sends an access token as Bearer and basic auth as Basic', async () => {
    const { standin, channel } = await setup({ token: TOKEN }, { token: TOKEN });
    expect((await channel.send(sampleMessage(), sendOptions())).ok).toBe(true);
    expect(standin.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    await standin.close();

    const user = { username: 'alerts', password: PASSWORD };
    const basic = await setup(user, { user });
    expect((await basic.channel.send(sampleMessage(), sendOptions())).ok).toBe(true);
  });

  it('rejects conflicting or half auth settings', () => {
    const parse = (extra: Record<string, unknown>) =>
      ntfyChannel.config.safeParse({ topic: 't', ...extra }).success;
    expect(parse({ token: TOKEN, username: 'a', password: 'b' })).toBe(false);
    expect(parse({ username: 'a' })).toBe(false);
    expect(parse({ topic: 'has space' })).toBe(false);
    expect(ntfyChannel.config.parse({ topic: 't' }).url).toBe('https://ntfy.sh');
  });

  it('reports bad credentials as not retryable and never shows them', async () => {
    const wrongToken = await setup({ token: 'tk_wrongSecretToken' }, { token: TOKEN });
    expect(await wrongToken.channel.send(sampleMessage(), sendOptions())).toEqual({
      ok: false,
      retryable: false,
      error: 'ntfy: HTTP 401: unauthorized (code 40101)',
    });
    await wrongToken.standin.close();

    const noAuth = await setup({}, { token: TOKEN });
    expect(await noAuth.channel.send(sampleMessage(), sendOptions())).toEqual({
      ok: false,
      retryable: false,
      error: 'ntfy: HTTP 403: forbidden (code 40301)',
    });
  });

  itTurnsFailuresIntoResults(
    [
      ...commonFailures(
        'ntfy',
        { serverError: 'server-error', hang: 'hang' },
        'ntfy: HTTP 500: internal server error (code 50001)',
      ),
      {
        // ntfy sends no Retry-After, so the outbox backs off on its own.
        name: 'treats 429 as retryable',
        script: 'rate-limit',
        expected: {
          ok: false,
          retryable: true,
          error: 'ntfy: HTTP 429: limit reached: too many requests (code 42901)',
        },
      },
    ],
    () => setup(),
  );

  it('keeps the token, the password and the Basic credential out of error texts', async () => {
    for (const extra of [{ token: TOKEN }, { username: 'alerts', password: PASSWORD }]) {
      const config = ntfyChannel.config.parse({ url: 'http://127.0.0.1:9', topic: 't', ...extra });
      const result = await ntfyChannel
        .create(config, testDeps({ fetch: echoingFetch }))
        .send(sampleMessage(), sendOptions());
      expect(result).toMatchObject({ ok: false, retryable: true });
      const text = JSON.stringify(result);
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(Buffer.from(`alerts:${PASSWORD}`).toString('base64'));
      expect(text).toContain('***');
    }
  });
});
