import { afterEach, describe, expect, it } from 'vitest';
import { gotifyChannel } from './gotify.js';
import {
  commonFailures,
  echoingFetch,
  itTurnsFailuresIntoResults,
  sampleMessage,
  sendOptions,
  testDeps,
} from './test-support/channel-test-kit.js';
import { startGotifyStandin, type GotifyStandin } from './test-support/gotify-standin.js';

const TOKEN = 'AqX9zSecretAppToken';

let standin: GotifyStandin | undefined;
afterEach(async () => {
  await standin?.close();
  standin = undefined;
});

async function setup(extra: Record<string, unknown> = {}, prefix?: string) {
  standin = await startGotifyStandin({ token: TOKEN, ...(prefix ? { prefix } : {}) });
  const config = gotifyChannel.config.parse({
    url: `${standin.url}${prefix ?? ''}/`,
    token: TOKEN,
    ...extra,
  });
  return { standin, channel: gotifyChannel.create(config, testDeps()) };
}

describe('gotify channel', () => {
  it('posts to /message with the token in X-Gotify-Key and returns the message id', async () => {
    const { standin, channel } = await setup({}, '/gotify');
    const result = await channel.send(sampleMessage({ url: 'https://pve1:8006/' }), sendOptions());
    expect(result).toEqual({ ok: true, remoteId: '1' });
    const req = standin.requests[0]!;
    expect(req.url).toBe('/gotify/message');
    expect(req.headers['x-gotify-key']).toBe(TOKEN);
    expect(standin.delivered[0]).toEqual({
      title: 'Backup failed: VM 101 (web01)',
      message: 'vzdump of VM 101 failed after 2m 14s.\nReason: storage "backup-nfs" is not online',
      priority: 10,
      extras: {
        'client::display': { contentType: 'text/plain' },
        'client::notification': { click: { url: 'https://pve1:8006/' } },
      },
    });
  });

  it('maps severity to priority, with overrides', async () => {
    const { standin, channel } = await setup({ priorities: { INFO: 4 }, markdown: true });
    for (const severity of ['OK', 'INFO', 'WARNING', 'CRITICAL'] as const) {
      expect((await channel.send(sampleMessage({ severity }), sendOptions())).ok).toBe(true);
    }
    expect(standin.delivered.map((d) => d.priority)).toEqual([1, 4, 5, 10]);
    expect(standin.delivered[0]!.extras).toEqual({ 'client::display': { contentType: 'text/markdown' } });
  });

  it('sends the title as the message when the body is empty (Gotify requires one)', async () => {
    const { standin, channel } = await setup();
    expect((await channel.send(sampleMessage({ body: '' }), sendOptions())).ok).toBe(true);
    expect(standin.delivered[0]!.message).toBe('Backup failed: VM 101 (web01)');
  });

  it('reports a bad token as not retryable and never shows it', async () => {
    standin = await startGotifyStandin({ token: TOKEN });
    const config = gotifyChannel.config.parse({ url: standin.url, token: 'wrong-Secret-1' });
    const result = await gotifyChannel.create(config, testDeps()).send(sampleMessage(), sendOptions());
    expect(result).toEqual({
      ok: false,
      retryable: false,
      error:
        'Gotify: HTTP 401: Unauthorized: you need to provide a valid access token or user credentials to access this api',
    });
  });

  it('reports a wrong base URL (404) as not retryable', async () => {
    const { standin } = await setup();
    const config = gotifyChannel.config.parse({ url: `${standin.url}/nope`, token: TOKEN });
    expect(await gotifyChannel.create(config, testDeps()).send(sampleMessage(), sendOptions())).toEqual({
      ok: false,
      retryable: false,
      error: 'Gotify: HTTP 404: Not Found: page not found',
    });
  });

  itTurnsFailuresIntoResults(
    commonFailures(
      'Gotify',
      { serverError: 'server-error', hang: 'hang' },
      'Gotify: HTTP 500: Internal Server Error: database is locked',
    ),
    () => setup(),
  );

  it('honours a proxy’s 429 Retry-After given as an HTTP-date', async () => {
    const { standin, channel } = await setup();
    standin.fail.push('proxy-rate-limit');
    const before = Date.now();
    const result = await channel.send(sampleMessage(), sendOptions());
    expect(result).toMatchObject({
      ok: false,
      retryable: true,
      error: 'Gotify: HTTP 429: 429 Too Many Requests',
    });
    const wait = !result.ok ? (result.retryAfterMs ?? 0) : 0;
    const expected = standin.retryAt.getTime() - before;
    expect(Math.abs(wait - expected)).toBeLessThan(2_000);
  });

  it('keeps the token out of every error text', async () => {
    const { standin } = await setup();
    const config = gotifyChannel.config.parse({ url: standin.url, token: TOKEN });
    const result = await gotifyChannel
      .create(config, testDeps({ fetch: echoingFetch }))
      .send(sampleMessage(), sendOptions());
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(JSON.stringify(result)).not.toContain(TOKEN);
    expect(!result.ok && result.error).toContain('"X-Gotify-Key":"***"');
  });
});
