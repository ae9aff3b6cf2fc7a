import { afterEach, describe, expect, it } from 'vitest';
import { telegramChannel, telegramParts, TELEGRAM_MAX_PARTS } from './telegram.js';
import { USER_AGENT } from './http.js';
import { longBody, sampleMessage, sendOptions, testDeps } from './test-support/channel-test-kit.js';
import {
  RETRY_AFTER_SECONDS,
  startTelegramStandin,
  type TelegramStandin,
} from './test-support/telegram-standin.js';

const TOKEN = '123456789:AAH-secret_token_value_1234567890ab';
const CHAT = '-1001111111111';

let standin: TelegramStandin | undefined;
afterEach(async () => {
  await standin?.close();
  standin = undefined;
});

async function setup(extra: Record<string, unknown> = {}) {
  standin = await startTelegramStandin({ token: TOKEN, chats: [CHAT], topics: [42] });
  const config = telegramChannel.config.parse({
    bot_token: TOKEN,
    chat_id: CHAT,
    api_url: standin.url,
    ...extra,
  });
  return { standin, channel: telegramChannel.create(config, testDeps()) };
}

describe('telegram channel', () => {
  it('sends HTML with the title in bold, the body escaped, into the forum topic', async () => {
    const { standin, channel } = await setup({ topic_id: 42 });
    const message = sampleMessage({ body: 'disk <sda> & "nvme0"\nline 2', url: 'https://pve1:8006/#v1' });
    const result = await channel.send(message, sendOptions());

    expect(result).toEqual({ ok: true, remoteId: '100' });
    expect(standin.requests).toHaveLength(1);
    const req = standin.requests[0]!;
    expect(req.url).toBe(`/bot${TOKEN}/sendMessage`);
    expect(req.headers['user-agent']).toBe(USER_AGENT);
    expect(req.headers['content-type']).toBe('application/json');
    const body = JSON.parse(req.body) as Record<string, unknown>;
    expect(body).toMatchObject({ chat_id: CHAT, parse_mode: 'HTML', message_thread_id: 42 });
    expect(body.text).toBe(
      '<b>🔴 Backup failed: VM 101 (web01)</b>\n\ndisk &lt;sda&gt; &amp; &quot;nvme0&quot;\nline 2\n\nhttps://pve1:8006/#v1',
    );
    expect(standin.delivered[0]).toMatchObject({
      threadId: 42,
      text: '🔴 Backup failed: VM 101 (web01)\n\ndisk <sda> & "nvme0"\nline 2\n\nhttps://pve1:8006/#v1',
    });
  });

  it('accepts a numeric chat id from YAML', () => {
    const config = telegramChannel.config.parse({ bot_token: TOKEN, chat_id: -1001111111111 });
    expect(config.chat_id).toBe(CHAT);
    expect(config.api_url).toBe('https://api.telegram.org');
  });

  it('rejects a malformed token without echoing it', () => {
    const result = telegramChannel.config.safeParse({ bot_token: 'not-a-token-s3cr3t', chat_id: CHAT });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).not.toContain('s3cr3t');
  });

  it('splits a long message on newlines into parts of at most 4096 visible characters', async () => {
    const { standin, channel } = await setup();
    const body = longBody(100); // ~10 000 characters
    const result = await channel.send(sampleMessage({ body }), sendOptions());

    expect(result.ok).toBe(true);
    expect(result.ok && result.remoteId).toBe('100,101,102');
    expect(standin.delivered).toHaveLength(3);
    for (const [i, part] of standin.delivered.entries()) {
      expect(part.text.length).toBeLessThanOrEqual(4096);
      expect(part.text.endsWith(`(${i + 1}/3)`)).toBe(true);
    }
    expect(standin.delivered[0]!.html.startsWith('<b>🔴 Backup failed')).toBe(true);
    // Every line arrives whole, in order.
    const received = standin.delivered.map((p) => p.text.replace(/\n\n\(\d\/3\)$/, '')).join('\n');
    expect(received).toBe(`🔴 Backup failed: VM 101 (web01)\n\n${body}`);
  });

  it(`cuts at ${TELEGRAM_MAX_PARTS} parts with a marker`, () => {
    const { parts } = telegramParts(sampleMessage({ body: longBody(1000) }));
    expect(parts).toHaveLength(TELEGRAM_MAX_PARTS);
    expect(parts.at(-1)!.endsWith('… (message truncated)')).toBe(true);
    expect(Math.max(...parts.map((p) => p.length))).toBeLessThanOrEqual(4096 - 16);
  });

  it('resumes a split message at the part that failed, on retry with the same key', async () => {
    const { standin } = await setup();
    const message = sampleMessage({ body: longBody(100) });
    // Part 2 of the first attempt hits the rate limit.
    let calls = 0;
    const fetchSpy: typeof fetch = (input, init) => {
      calls += 1;
      if (calls === 2) standin.fail.push('rate-limit');
      return fetch(input, init);
    };
    const channel = telegramChannel.create(
      telegramChannel.config.parse({ bot_token: TOKEN, chat_id: CHAT, api_url: standin.url }),
      testDeps({ fetch: fetchSpy }),
    );
    const first = await channel.send(message, sendOptions(5_000, 'k1'));
    expect(first).toMatchObject({ ok: false, retryable: true, retryAfterMs: RETRY_AFTER_SECONDS * 1000 });
    expect(standin.delivered).toHaveLength(1);

    const second = await channel.send(message, sendOptions(5_000, 'k1'));
    expect(second).toEqual({ ok: true, remoteId: '100,101,102' });
    expect(standin.delivered.map((p) => p.text.slice(-5))).toEqual(['(1/3)', '(2/3)', '(3/3)']);
  });

  it('reports a wrong chat as not retryable, with Telegram’s description', async () => {
    const { channel } = await setup({ chat_id: '-100999' });
    expect(await channel.send(sampleMessage(), sendOptions())).toEqual({
      ok: false,
      retryable: false,
      error: 'Telegram: HTTP 400: Bad Request: chat not found',
    });
  });

  it('reports an unknown topic and a migrated group clearly', async () => {
    const { standin, channel } = await setup({ topic_id: 7 });
    expect(await channel.send(sampleMessage(), sendOptions())).toMatchObject({
      retryable: false,
      error: 'Telegram: HTTP 400: Bad Request: message thread not found',
    });
    standin.fail.push('migrated');
    const migrated = await channel.send(sampleMessage(), sendOptions());
    expect(migrated).toMatchObject({ retryable: false });
    expect(!migrated.ok && migrated.error).toContain('now chat -1001234567890; update chat_id');
  });

  it('reports a bad token as not retryable and never shows the token', async () => {
    standin = await startTelegramStandin({ token: TOKEN, chats: [CHAT] });
    const wrong = '999:wrong-token-value-xyz';
    const config = telegramChannel.config.parse({ bot_token: wrong, chat_id: CHAT, api_url: standin.url });
    const result = await telegramChannel.create(config, testDeps()).send(sampleMessage(), sendOptions());
    expect(result).toEqual({ ok: false, retryable: false, error: 'Telegram: HTTP 401: Unauthorized' });
  });

  it('treats 5xx as retryable', async () => {
    const { standin, channel } = await setup();
    standin.fail.push('server-error');
    const result = await channel.send(sampleMessage(), sendOptions());
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(!result.ok && result.error).toBe(
      'Telegram: HTTP 502: <html><body><h1>502 Bad Gateway</h1></body></html>',
    );
  });

  it('honours parameters.retry_after on 429', async () => {
    const { standin, channel } = await setup();
    standin.fail.push('rate-limit');
    expect(await channel.send(sampleMessage(), sendOptions())).toEqual({
      ok: false,
      retryable: true,
      retryAfterMs: 7000,
      error: 'Telegram: HTTP 429: Too Many Requests: retry after 7',
    });
  });

  it('gives up on a hung service when the signal fires', async () => {
    const { standin, channel } = await setup();
    standin.fail.push('hang');
    const started = Date.now();
    const result = await channel.send(sampleMessage(), sendOptions(300));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(result).toEqual({
      ok: false,
      retryable: true,
      error: 'Telegram: request aborted (deadline passed)',
    });
  });

  it('keeps the token out of network errors', async () => {
    const { standin } = await setup();
    const url = standin.url;
    await standin.close();
    const config = telegramChannel.config.parse({ bot_token: TOKEN, chat_id: CHAT, api_url: url });
    const result = await telegramChannel.create(config, testDeps()).send(sampleMessage(), sendOptions());
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(!result.ok && result.error).toMatch(/^Telegram: fetch failed \(ECONNREFUSED/);
    expect(JSON.stringify(result)).not.toContain(TOKEN.split(':')[1]);

    // A fetch that echoes its URL in the error (as undici does for malformed URLs).
    const echoing: typeof fetch = (input) =>
      Promise.reject(new TypeError(`Failed to parse URL from ${String(input)}`));
    const leaky = await telegramChannel
      .create(config, testDeps({ fetch: echoing }))
      .send(sampleMessage(), sendOptions());
    expect(!leaky.ok && leaky.error).toBe(`Telegram: Failed to parse URL from ${url}/bot***/sendMessage`);
  });
});
