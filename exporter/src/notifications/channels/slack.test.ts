import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { SLACK_LIMITS, slackChannel, slackPayload } from './slack.js';
import {
  commonFailures,
  echoingFetch,
  itTurnsFailuresIntoResults,
  longBody,
  sampleMessage,
  sendOptions,
  testDeps,
} from './test-support/channel-test-kit.js';
import {
  SLACK_RETRY_AFTER_SECONDS,
  startSlackStandin,
  type SlackStandin,
} from './test-support/slack-standin.js';

const SECRET = 'xSecretWebhookPart0123456789';

let standin: SlackStandin | undefined;
afterEach(async () => {
  await standin?.close();
  standin = undefined;
});

async function setup() {
  standin = await startSlackStandin({ secret: SECRET });
  const config = slackChannel.config.parse({ webhook_url: standin.webhookUrl });
  return { standin, channel: slackChannel.create(config, testDeps()) };
}

type Block = Record<string, unknown>;
const textOf = (b: Block) => (b.text as { text: string }).text;

describe('slack channel', () => {
  it('posts fallback text and blocks: header, escaped body, fields, context', async () => {
    const { standin, channel } = await setup();
    const message = sampleMessage({ body: 'load <high> & rising', url: 'https://grafana.example/d/x?a=1|2' });
    expect(await channel.send(message, sendOptions())).toEqual({ ok: true });
    const sent = standin.delivered[0]!;
    expect(sent.text).toBe('🔴 Backup failed: VM 101 (web01)\nload &lt;high&gt; &amp; rising');
    expect(sent.blocks).toEqual([
      { type: 'header', text: { type: 'plain_text', text: '🔴 Backup failed: VM 101 (web01)', emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: 'load &lt;high&gt; &amp; rising' } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: '*VM*\n101 (web01)' },
          { type: 'mrkdwn', text: '*Storage*\nbackup-nfs' },
        ],
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text:
              'pve1 · CRITICAL · <!date^1795662000^{date_short_pretty} {time}|2026-11-26T03:00:00.000Z>' +
              ' · <https://grafana.example/d/x?a=1%7C2|Open>',
          },
        ],
      },
    ]);
  });

  it('splits a long body into sections of at most 3000 characters and cuts it with a marker', async () => {
    const { standin, channel } = await setup();
    const fields = Array.from({ length: 25 }, (_, i) => ({ label: `f${i}`, value: '<&>'.repeat(900) }));
    const result = await channel.send(
      sampleMessage({ title: 'T'.repeat(200), body: longBody(200), fields }),
      sendOptions(),
    );
    expect(result).toEqual({ ok: true });
    expect(standin.rejections).toEqual([]);
    const blocks = standin.delivered[0]!.blocks;
    const sections = blocks.filter((b) => b.type === 'section' && b.text);
    expect(sections).toHaveLength(3);
    expect(sections.every((b) => textOf(b).length <= SLACK_LIMITS.sectionText)).toBe(true);
    expect(textOf(sections[2]!).endsWith('\n… (truncated)')).toBe(true);
    const fieldBlocks = blocks.filter((b) => b.type === 'section' && b.fields);
    expect(fieldBlocks).toHaveLength(2);
    const lastFields = fieldBlocks[1]!.fields as Array<{ text: string }>;
    expect(lastFields.at(-1)!.text).toBe('_6 more field(s) not shown_');
    expect(textOf(blocks[0]!)).toHaveLength(SLACK_LIMITS.header);
  });

  it('never builds blocks past Slack’s documented limits', () => {
    const s = (max: number) => fc.string({ maxLength: max, unit: 'grapheme' });
    fc.assert(
      fc.property(
        s(300),
        fc.oneof(
          s(20_000),
          fc.array(s(200), { maxLength: 100 }).map((l) => l.join('\n')),
        ),
        fc.array(fc.record({ label: s(300), value: s(3000) }), { maxLength: 30 }),
        (title, body, fields) => {
          const { text, blocks } = slackPayload(sampleMessage({ title, body, fields }));
          expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
          expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
          for (const b of blocks) {
            if (b.type === 'header') expect(textOf(b).length).toBeLessThanOrEqual(SLACK_LIMITS.header);
            if (b.type === 'section' && b.text) {
              expect(textOf(b).length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
              expect(textOf(b)).not.toMatch(/[<>]/);
            }
            if (b.type === 'section' && b.fields) {
              const fs = b.fields as Array<{ text: string }>;
              expect(fs.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionFields);
              for (const f of fs) expect(f.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reports a revoked or wrong webhook as not retryable, without the URL', async () => {
    const { standin } = await setup();
    const wrong = `${standin.url}/services/T0001/B0001/wrongSecretPart99`;
    const result = await slackChannel
      .create(slackChannel.config.parse({ webhook_url: wrong }), testDeps())
      .send(sampleMessage(), sendOptions());
    expect(result).toEqual({ ok: false, retryable: false, error: 'Slack: HTTP 403: invalid_token' });

    const gone = `${standin.url}/services/T9/B9/x`;
    expect(
      await slackChannel
        .create(slackChannel.config.parse({ webhook_url: gone }), testDeps())
        .send(sampleMessage(), sendOptions()),
    ).toEqual({ ok: false, retryable: false, error: 'Slack: HTTP 404: no_service' });
  });

  itTurnsFailuresIntoResults(
    [
      ...commonFailures(
        'Slack',
        { serverError: 'server-error', hang: 'hang' },
        'Slack: HTTP 500: rollup_error',
      ),
      {
        name: 'reports an archived channel as not retryable',
        script: 'archived',
        expected: { ok: false, retryable: false, error: 'Slack: HTTP 410: channel_is_archived' },
      },
      {
        name: 'honours Retry-After on 429',
        script: 'rate-limit',
        expected: {
          ok: false,
          retryable: true,
          retryAfterMs: SLACK_RETRY_AFTER_SECONDS * 1000,
          error: 'Slack: HTTP 429: rate_limited',
        },
      },
    ],
    () => setup(),
  );

  it('keeps the webhook URL out of network errors', async () => {
    const { standin } = await setup();
    const url = standin.webhookUrl;
    await standin.close();
    const config = slackChannel.config.parse({ webhook_url: url });
    const refused = await slackChannel.create(config, testDeps()).send(sampleMessage(), sendOptions());
    expect(refused).toMatchObject({ ok: false, retryable: true });
    expect(!refused.ok && refused.error).toMatch(/^Slack: fetch failed \(ECONNREFUSED/);

    const result = await slackChannel
      .create(config, testDeps({ fetch: echoingFetch }))
      .send(sampleMessage(), sendOptions());
    expect(!result.ok && result.error).toMatch(/^Slack: cannot reach \*\*\* with headers /);
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });
});
