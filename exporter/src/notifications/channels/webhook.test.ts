import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { version } from '../../version.js';
import { USER_AGENT } from './http.js';
import { sampleMessage, sendOptions, testDeps } from './test-support/channel-test-kit.js';
import { startWebhookStandin, type WebhookStandin } from './test-support/webhook-standin.js';
import { signBody, webhookChannel } from './webhook.js';

const SECRET = 'hmac-secret-0123456789abcdef';
const BEARER = 'bearer-token-value-xyz';

let standin: WebhookStandin | undefined;
afterEach(async () => {
  await standin?.close();
  standin = undefined;
});

async function setup(extra: Record<string, unknown> = {}, path = '/hook') {
  standin = await startWebhookStandin();
  const config = webhookChannel.config.parse({ url: `${standin.url}${path}`, ...extra });
  return { standin, channel: webhookChannel.create(config, testDeps()) };
}

/** What a receiver does: recompute the HMAC over the raw body and compare in constant time. */
function verify(secret: string, body: string, header: string | undefined): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const got = Buffer.from(header ?? '');
  return got.length === expected.length && timingSafeEqual(got, expected);
}

describe('webhook channel', () => {
  it('POSTs the whole rendered message plus event metadata as JSON', async () => {
    const { standin, channel } = await setup();
    const message = sampleMessage({ url: 'https://pve1:8006/' });
    expect(await channel.send(message, sendOptions(5_000, 'delivery-5'))).toEqual({ ok: true });

    const req = standin.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/hook');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['user-agent']).toBe(USER_AGENT);
    expect(req.headers['idempotency-key']).toBe('delivery-5');
    expect(req.headers['x-proxmon-event']).toBe('backup_fail');
    expect(req.headers['x-proxmon-signature-256']).toBeUndefined();
    expect(JSON.parse(req.body)).toEqual({
      schema: 'proxmon.notification.v1',
      idempotency_key: 'delivery-5',
      sender: { name: 'proxmon', version },
      event: {
        type: 'backup_fail',
        group: 'backup',
        severity: 'CRITICAL',
        host: 'pve1',
        at: Date.UTC(2026, 10, 26, 3, 0, 0),
        at_iso: '2026-11-26T03:00:00.000Z',
      },
      message,
    });
  });

  it('signs the exact body with HMAC-SHA256 and sends custom headers and a bearer token', async () => {
    const { standin, channel } = await setup({
      secret: SECRET,
      bearer_token: BEARER,
      headers: { 'X-Team': 'ops', 'X-Env': 'prod' },
    });
    expect(await channel.send(sampleMessage({ body: 'ünïcode ✓ <b>' }), sendOptions())).toEqual({ ok: true });
    const req = standin.requests[0]!;
    expect(verify(SECRET, req.body, req.headers['x-proxmon-signature-256'] as string)).toBe(true);
    expect(verify('another-secret-000000', req.body, req.headers['x-proxmon-signature-256'] as string)).toBe(
      false,
    );
    expect(req.headers.authorization).toBe(`Bearer ${BEARER}`);
    expect(req.headers['x-team']).toBe('ops');
    expect(req.headers['x-env']).toBe('prod');
  });

  it('puts the signature in a configured header', async () => {
    const { standin, channel } = await setup({ secret: SECRET, signature_header: 'X-Hub-Signature-256' });
    await channel.send(sampleMessage(), sendOptions());
    const req = standin.requests[0]!;
    expect(req.headers['x-hub-signature-256']).toBe(signBody(SECRET, req.body));
  });

  it('sends the same Idempotency-Key on a retry so the receiver can drop the duplicate', async () => {
    const { standin, channel } = await setup();
    standin.script.push('server-error');
    const first = await channel.send(sampleMessage(), sendOptions(5_000, 'delivery-8'));
    expect(first).toMatchObject({ ok: false, retryable: true });
    expect(await channel.send(sampleMessage(), sendOptions(5_000, 'delivery-8'))).toEqual({ ok: true });
    expect(await channel.send(sampleMessage(), sendOptions(5_000, 'delivery-8'))).toEqual({ ok: true });
    expect(standin.requests.map((r) => r.headers['idempotency-key'])).toEqual([
      'delivery-8',
      'delivery-8',
      'delivery-8',
    ]);
    expect(standin.accepted.size).toBe(1);
  });

  it('honours Retry-After in seconds and as an HTTP-date on 429', async () => {
    const { standin, channel } = await setup();
    standin.script.push('rate-limit', 'rate-limit-date');
    expect(await channel.send(sampleMessage(), sendOptions())).toEqual({
      ok: false,
      retryable: true,
      retryAfterMs: 12_000,
      error: 'Webhook: HTTP 429: slow down',
    });
    const dated = await channel.send(sampleMessage(), sendOptions());
    expect(dated).toMatchObject({ ok: false, retryable: true });
    if (!dated.ok) {
      expect(dated.retryAfterMs).toBeGreaterThan(80_000);
      expect(dated.retryAfterMs).toBeLessThanOrEqual(90_000);
    }
  });

  it('does not retry a 4xx or a redirect', async () => {
    const { standin, channel } = await setup();
    standin.script.push('unauthorized', 'redirect');
    expect(await channel.send(sampleMessage(), sendOptions())).toEqual({
      ok: false,
      retryable: false,
      error: 'Webhook: HTTP 401: bad signature',
    });
    expect(await channel.send(sampleMessage(), sendOptions())).toMatchObject({ ok: false, retryable: false });
    expect(standin.requests).toHaveLength(2); // the redirect was not followed
  });

  it('aborts a hung receiver at the deadline, as retryable', async () => {
    const { standin, channel } = await setup();
    standin.script.push('hang');
    const started = Date.now();
    const result = await channel.send(sampleMessage(), sendOptions(200));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(result).toMatchObject({ ok: false, retryable: true });
  });

  it('keeps the URL (its path or query may be the credential) and the secrets out of errors', async () => {
    const url = 'http://127.0.0.1:9/api/webhook/s3cr3t-hook-id?token=q-secret-token';
    const channel = webhookChannel.create(
      webhookChannel.config.parse({ url, secret: SECRET, bearer_token: BEARER }),
      testDeps({
        fetch: () =>
          Promise.reject(new Error(`failed to POST ${url} (token=q-secret-token, ${BEARER}, ${SECRET})`)),
      }),
    );
    const result = await channel.send(sampleMessage(), sendOptions());
    expect(result).toMatchObject({ ok: false, retryable: true });
    if (result.ok) return;
    for (const secret of [url, 'token=q-secret-token', BEARER, SECRET])
      expect(result.error).not.toContain(secret);
  });

  it('validates the config; url, bearer token and secret are secret', () => {
    const url = 'https://hooks.example.org/x';
    expect(webhookChannel.config.safeParse({ url }).success).toBe(true);
    expect(webhookChannel.config.safeParse({ url: 'ftp://example.org/x' }).success).toBe(false);
    expect(webhookChannel.config.safeParse({ url: 'https://u:p@example.org/x' }).success).toBe(false);
    expect(webhookChannel.config.safeParse({ url, secret: 'short' }).success).toBe(false);
    expect(webhookChannel.config.safeParse({ url, headers: { 'Bad Name': 'x' } }).success).toBe(false);
    expect(webhookChannel.config.safeParse({ url, headers: { 'X-A': 'line\r\nInjected: 1' } }).success).toBe(
      false,
    );
    expect(webhookChannel.config.safeParse({ url, headers: { 'Idempotency-Key': 'x' } }).success).toBe(false);
    expect(
      webhookChannel.config.safeParse({ url, bearer_token: BEARER, headers: { Authorization: 'x' } }).success,
    ).toBe(false);
    expect(webhookChannel.config.safeParse({ url, headers: { Authorization: 'Basic eDp5' } }).success).toBe(
      true,
    );
    expect(webhookChannel.secretKeys).toEqual(['url', 'bearer_token', 'secret']);
  });
});
