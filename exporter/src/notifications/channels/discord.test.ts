import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { DISCORD_LIMITS, discordChannel, discordEmbed } from './discord.js';
import { sampleMessage, sendOptions, testDeps } from './test-support/channel-test-kit.js';
import { startDiscordStandin, type DiscordStandin } from './test-support/discord-standin.js';

const ID = '1234567890123456789';
const TOKEN = 'wh-SECRET_token-abcdefghijklmnopqrstuvwxyz0123456789';

let standin: DiscordStandin | undefined;
afterEach(async () => {
  await standin?.close();
  standin = undefined;
});

async function setup(extra: Record<string, unknown> = {}) {
  standin = await startDiscordStandin({ id: ID, token: TOKEN });
  const config = discordChannel.config.parse({ webhook_url: standin.webhookUrl, ...extra });
  return { standin, channel: discordChannel.create(config, testDeps()) };
}

function embedSize(e: ReturnType<typeof discordEmbed>): number {
  return (
    e.title.length +
    (e.description?.length ?? 0) +
    e.footer.text.length +
    e.fields.reduce((n, f) => n + f.name.length + f.value.length, 0)
  );
}

describe('discord channel', () => {
  it('posts one embed coloured by severity, with fields, and returns the message id', async () => {
    const { standin, channel } = await setup({ username: 'proxmon', thread_id: '555' });
    const result = await channel.send(
      sampleMessage({ severity: 'WARNING', url: 'https://grafana.example/d/x', body: 'ping @everyone' }),
      sendOptions(),
    );
    expect(result).toEqual({ ok: true, remoteId: '1300000000000000000' });
    expect(standin.requests[0]!.url).toBe(`/api/webhooks/${ID}/${TOKEN}?wait=true&thread_id=555`);
    expect(standin.delivered[0]).toEqual({
      username: 'proxmon',
      allowed_mentions: { parse: [] },
      embeds: [
        {
          title: '🟡 Backup failed: VM 101 (web01)',
          description: 'ping @everyone',
          url: 'https://grafana.example/d/x',
          color: 0xfee75c,
          timestamp: '2026-11-26T03:00:00.000Z',
          footer: { text: 'pve1 · backup_fail' },
          fields: [
            { name: 'VM', value: '101 (web01)', inline: true },
            { name: 'Storage', value: 'backup-nfs', inline: true },
          ],
        },
      ],
    });
  });

  it('colours each severity as the reference does', () => {
    const colours = (['CRITICAL', 'WARNING', 'INFO', 'OK'] as const).map(
      (severity) => discordEmbed(sampleMessage({ severity })).color,
    );
    expect(colours).toEqual([0xed4245, 0xfee75c, 0x5865f2, 0x57f287]);
  });

  it('keeps an oversized message inside every embed limit, saying what it cut', async () => {
    const { standin, channel } = await setup();
    const message = sampleMessage({
      title: 'T'.repeat(300),
      body: 'b'.repeat(10_000),
      fields: Array.from({ length: 30 }, (_, i) => ({ label: `field ${i}`, value: 'v'.repeat(1500) })),
    });
    const result = await channel.send(message, sendOptions());
    expect(result.ok).toBe(true);

    const embed = discordEmbed(message);
    expect(standin.delivered[0]!.embeds).toEqual([embed]);
    expect(embed.title).toHaveLength(DISCORD_LIMITS.title);
    expect(embed.title.endsWith('…')).toBe(true);
    expect(embed.fields.every((f) => f.value.length <= DISCORD_LIMITS.fieldValue)).toBe(true);
    expect(embed.fields).toHaveLength(5); // 4 whole fields fit beside 1024+ characters of description
    expect(embed.fields.at(-1)).toEqual({ name: '…', value: '26 more field(s) not shown', inline: false });
    expect(embed.description!.length).toBeGreaterThanOrEqual(1024);
    expect(embed.description!.endsWith('…')).toBe(true);
    expect(embedSize(embed)).toBeLessThanOrEqual(DISCORD_LIMITS.total);
  });

  it('never builds an embed Discord would reject', () => {
    const text = (max: number) => fc.string({ maxLength: max, unit: 'grapheme' });
    fc.assert(
      fc.property(
        text(400),
        text(9000),
        fc.array(fc.record({ label: text(300), value: text(1500) }), { maxLength: 40 }),
        text(3000),
        (title, body, fields, host) => {
          const e = discordEmbed(sampleMessage({ title, body, fields, host }));
          expect(e.title.length).toBeLessThanOrEqual(DISCORD_LIMITS.title);
          expect(e.description?.length ?? 0).toBeLessThanOrEqual(DISCORD_LIMITS.description);
          expect(e.footer.text.length).toBeLessThanOrEqual(DISCORD_LIMITS.footer);
          expect(e.fields.length).toBeLessThanOrEqual(DISCORD_LIMITS.fields);
          for (const f of e.fields) {
            expect(f.name.length).toBeGreaterThan(0);
            expect(f.value.length).toBeGreaterThan(0);
            expect(f.name.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldName);
            expect(f.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
          }
          expect(embedSize(e)).toBeLessThanOrEqual(DISCORD_LIMITS.total);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reports an unknown webhook as not retryable', async () => {
    standin = await startDiscordStandin({ id: ID, token: TOKEN });
    const config = discordChannel.config.parse({ webhook_url: `${standin.url}/api/webhooks/42/${TOKEN}` });
    const result = await discordChannel.create(config, testDeps()).send(sampleMessage(), sendOptions());
    expect(result).toEqual({
      ok: false,
      retryable: false,
      error: 'Discord: HTTP 404: Unknown Webhook (code 10015)',
    });
  });

  it('reports a wrong token as not retryable without showing the URL or token', async () => {
    standin = await startDiscordStandin({ id: ID, token: TOKEN });
    const wrong = 'wrong-Token-value-0123456789';
    const config = discordChannel.config.parse({ webhook_url: `${standin.url}/api/webhooks/${ID}/${wrong}` });
    const result = await discordChannel.create(config, testDeps()).send(sampleMessage(), sendOptions());
    expect(result).toEqual({
      ok: false,
      retryable: false,
      error: 'Discord: HTTP 401: Invalid Webhook Token (code 50027)',
    });
  });

  it('names the field behind an Invalid Form Body', async () => {
    standin = await startDiscordStandin({ id: ID, token: TOKEN });
    const config = discordChannel.config.parse({ webhook_url: standin.webhookUrl });
    // A fetch that sends a hand-made oversized embed, to see Discord's error parsed.
    const tampering: typeof fetch = (input, init) =>
      fetch(input, { ...init, body: JSON.stringify({ embeds: [{ title: 'x'.repeat(300) }] }) });
    const result = await discordChannel
      .create(config, testDeps({ fetch: tampering }))
      .send(sampleMessage(), sendOptions());
    expect(result).toEqual({
      ok: false,
      retryable: false,
      error:
        'Discord: HTTP 400: Invalid Form Body (code 50035): embeds.0.title: Must be 256 or fewer in length.',
    });
  });

  it('treats 5xx as retryable', async () => {
    const { standin, channel } = await setup();
    standin.fail.push('server-error');
    expect(await channel.send(sampleMessage(), sendOptions())).toEqual({
      ok: false,
      retryable: true,
      error: 'Discord: HTTP 503: upstream connect error',
    });
  });

  it('prefers the precise JSON retry_after over the rounded Retry-After header on 429', async () => {
    const { standin, channel } = await setup();
    standin.fail.push('rate-limit');
    expect(await channel.send(sampleMessage(), sendOptions())).toEqual({
      ok: false,
      retryable: true,
      retryAfterMs: 1337,
      error: 'Discord: HTTP 429: You are being rate limited.',
    });
  });

  it('gives up on a hung service when the signal fires', async () => {
    const { standin, channel } = await setup();
    standin.fail.push('hang');
    const result = await channel.send(sampleMessage(), sendOptions(300));
    expect(result).toEqual({
      ok: false,
      retryable: true,
      error: 'Discord: request aborted (deadline passed)',
    });
  });

  it('keeps the webhook URL out of network errors', async () => {
    const { standin } = await setup();
    const webhook = standin.webhookUrl;
    const echoing: typeof fetch = (input) => Promise.reject(new TypeError(`bad URL ${String(input)}`));
    const config = discordChannel.config.parse({ webhook_url: webhook });
    const result = await discordChannel
      .create(config, testDeps({ fetch: echoing }))
      .send(sampleMessage(), sendOptions());
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(JSON.stringify(result)).not.toContain(TOKEN);
    expect(!result.ok && result.error).toBe('Discord: bad URL ***?wait=true');
  });

  it('rejects a URL that is not a webhook', () => {
    expect(discordChannel.config.safeParse({ webhook_url: 'https://discord.com/channels/1/2' }).success).toBe(
      false,
    );
    expect(
      discordChannel.config.safeParse({ webhook_url: 'ftp://discord.com/api/webhooks/1/abc' }).success,
    ).toBe(false);
  });
});
