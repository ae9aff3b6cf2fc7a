import { afterEach, describe, expect, it } from 'vitest';
import { USER_AGENT } from './http.js';
import { DEFAULT_PRIORITY, pushoverChannel, pushoverMessage, PUSHOVER_LIMITS } from './pushover.js';
import { longBody, sampleMessage, sendOptions, testDeps } from './test-support/channel-test-kit.js';
import { startPushoverStandin, type PushoverStandin } from './test-support/pushover-standin.js';

const TOKEN = 'azGDORePK8gMaC0QOYAMyEEuzJnyUi';
const USER = 'uQiRzpo4DXghDmr9QzzfQu27cmVRsG';

let standin: PushoverStandin | undefined;
afterEach(async () => {
  await standin?.close();
  standin = undefined;
});

async function setup(extra: Record<string, unknown> = {}, options = { token: TOKEN, user: USER }) {
  standin = await startPushoverStandin(options);
  const config = pushoverChannel.config.parse({
    api_url: standin.url,
    token: TOKEN,
    user_key: USER,
    ...extra,
  });
  return { standin, channel: pushoverChannel.create(config, testDeps()) };
}

const codePoints = (s: string) => [...s].length;

describe('pushover channel', () => {
  it('posts the documented form fields with HTML and a priority from the severity', async () => {
    const { standin, channel } = await setup({ device: 'phone,tablet', sound: 'siren' });
    const message = sampleMessage({ body: 'disk <sda> & "nvme0"', url: 'https://pve1:8006/' });
    const result = await channel.send(message, sendOptions());

    expect(result).toEqual({ ok: true, remoteId: 'req-1' });
    const req = standin.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/1/messages.json');
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req.headers['user-agent']).toBe(USER_AGENT);
    expect(standin.messages[0]).toEqual({
      token: TOKEN,
      user: USER,
      title: '🔴 Backup failed: VM 101 (web01)',
      message:
        'disk &lt;sda&gt; &amp; &quot;nvme0&quot;\n\n<b>VM:</b> 101 (web01)\n<b>Storage:</b> backup-nfs\n<b>Host:</b> pve1',
      html: '1',
      priority: '1',
      timestamp: String(Date.UTC(2026, 10, 26, 3, 0, 0) / 1000),
      url: 'https://pve1:8006/',
      device: 'phone,tablet',
      sound: 'siren',
    });
  });

  it('maps severities to quiet, normal and high priority by default, and takes overrides', async () => {
    expect(DEFAULT_PRIORITY).toEqual({ OK: -1, INFO: -1, WARNING: 0, CRITICAL: 1 });
    const { standin, channel } = await setup({ priorities: { WARNING: 1 } });
    for (const severity of ['OK', 'INFO', 'WARNING', 'CRITICAL'] as const) {
      expect(await channel.send(sampleMessage({ severity }), sendOptions())).toMatchObject({ ok: true });
    }
    expect(standin.messages.map((m) => m.priority)).toEqual(['-1', '-1', '1', '1']);
  });

  it('adds retry and expire for emergency priority and returns the receipt', async () => {
    const { standin, channel } = await setup({ priorities: { CRITICAL: 2 }, emergency_retry_seconds: 120 });
    expect(await channel.send(sampleMessage(), sendOptions())).toEqual({ ok: true, remoteId: 'rcpt1' });
    expect(standin.messages[0]).toMatchObject({ priority: '2', retry: '120', expire: '3600' });
  });

  it('fits a long message into 1024 characters, keeping the facts and a marker', async () => {
    const { standin, channel } = await setup();
    const message = sampleMessage({ body: longBody(40, 60).replace(/x/g, '&'), title: 'T'.repeat(400) });
    expect(await channel.send(message, sendOptions())).toMatchObject({ ok: true });
    const sent = standin.messages[0]!;
    expect(codePoints(sent.message!)).toBeLessThanOrEqual(PUSHOVER_LIMITS.message);
    expect(codePoints(sent.message!)).toBeGreaterThan(PUSHOVER_LIMITS.message - 10);
    expect(sent.message).toMatch(
      /…\n\n<b>VM:<\/b> 101 \(web01\)\n<b>Storage:<\/b> backup-nfs\n<b>Host:<\/b> pve1$/,
    );
    expect(sent.message).not.toMatch(/&(a|am|amp)?…/); // never a cut entity
    expect(codePoints(sent.title!)).toBeLessThanOrEqual(PUSHOVER_LIMITS.title);
  });

  it('caps the facts at half the message when there are many fields', () => {
    const fields = Array.from({ length: 60 }, (_, i) => ({ label: `Field ${i}`, value: 'v'.repeat(20) }));
    const text = pushoverMessage(sampleMessage({ fields }));
    expect(codePoints(text)).toBeLessThanOrEqual(PUSHOVER_LIMITS.message);
    expect(text).toMatch(/… \(\d+ more\)$/);
    expect(text.startsWith('vzdump of VM 101 failed')).toBe(true);
  });

  it('does not retry an invalid token or user (HTTP 400, status 0) and shows the API error', async () => {
    const { channel } = await setup({}, { token: TOKEN, user: 'someoneElse0000000000000000000' });
    expect(await channel.send(sampleMessage(), sendOptions())).toEqual({
      ok: false,
      retryable: false,
      error: 'Pushover: HTTP 400: user identifier is not a valid user, group, or subscribed user key',
    });
  });

  it('waits for the monthly limit reset on 429', async () => {
    const { standin, channel } = await setup();
    standin.script.push('over-limit');
    const result = await channel.send(sampleMessage(), sendOptions());
    expect(result).toMatchObject({ ok: false, retryable: true });
    if (result.ok) return;
    expect(result.error).toBe('Pushover: HTTP 429: application has exceeded its message limit');
    const expected = standin.limitResetAt * 1000 - Date.now();
    expect(result.retryAfterMs).toBeGreaterThan(expected - 5_000);
    expect(result.retryAfterMs).toBeLessThanOrEqual(expected + 1_000);
  });

  it('retries a 5xx no sooner than the documented 5 seconds', async () => {
    const { standin, channel } = await setup();
    standin.script.push('server-error');
    expect(await channel.send(sampleMessage(), sendOptions())).toMatchObject({
      ok: false,
      retryable: true,
      retryAfterMs: 5_000,
    });
  });

  it('aborts a hung API at the deadline, as retryable', async () => {
    const { standin, channel } = await setup();
    standin.script.push('hang');
    const started = Date.now();
    const result = await channel.send(sampleMessage(), sendOptions(200));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(result).toMatchObject({ ok: false, retryable: true, retryAfterMs: 5_000 });
  });

  it('keeps token and user key out of error texts', async () => {
    const channel = pushoverChannel.create(
      pushoverChannel.config.parse({ api_url: 'http://127.0.0.1:9', token: TOKEN, user_key: USER }),
      testDeps({
        fetch: () => Promise.reject(new Error(`refused while sending token=${TOKEN}&user=${USER}`)),
      }),
    );
    const result = await channel.send(sampleMessage(), sendOptions());
    expect(result).toMatchObject({ ok: false, retryable: true });
    if (result.ok) return;
    expect(result.error).not.toContain(TOKEN);
    expect(result.error).not.toContain(USER);
  });

  it('validates keys, devices and priorities; token and user key are secret', () => {
    const ok = { token: TOKEN, user_key: USER };
    expect(pushoverChannel.config.safeParse(ok).success).toBe(true);
    expect(pushoverChannel.config.safeParse({ ...ok, token: 'short' }).success).toBe(false);
    expect(pushoverChannel.config.safeParse({ ...ok, device: 'a b' }).success).toBe(false);
    expect(pushoverChannel.config.safeParse({ ...ok, priorities: { OK: 3 } }).success).toBe(false);
    expect(pushoverChannel.config.safeParse({ ...ok, emergency_retry_seconds: 10 }).success).toBe(false);
    expect(pushoverChannel.secretKeys).toEqual(['token', 'user_key']);
  });
});
