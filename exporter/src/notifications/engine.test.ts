import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadKeyring } from '../auth/secrets.js';
import { createExec } from '../sources/exec.js';
import { openStore, type Db } from '../store/db.js';
import { silentLogger } from '../test-support/tools.js';
import { parseBody, startStandin, type RecordedRequest } from './channels/test-support/standin-server.js';
import { createNotificationEngine, type NotificationEngine } from './engine.js';
import type { NotificationEvent } from './event.js';

const T0 = Date.UTC(2026, 10, 26, 12);
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Accepted {
  key: string;
  title: string;
  type: string;
}

/**
 * A webhook receiver that can be taken down (503 while `down`); it keeps each delivery it accepted,
 * with its Idempotency-Key, in arrival order.
 */
async function receiver(): Promise<{
  url: string;
  requests: RecordedRequest[];
  down: boolean;
  accepted: Accepted[];
}> {
  const hook = { url: '', requests: [] as RecordedRequest[], down: false, accepted: [] as Accepted[] };
  const server = await startStandin((req) => {
    if (hook.down) return { status: 503, body: 'down' };
    const { message } = parseBody(req) as { message: { title: string; type: string } };
    hook.accepted.push({
      key: String(req.headers['idempotency-key']),
      title: message.title,
      type: message.type,
    });
    return { status: 202, body: {} };
  });
  cleanups.push(() => server.close());
  return Object.assign(hook, { url: server.url, requests: server.requests });
}

function engineAt(dataDir: string, clock: { now: number }): { engine: NotificationEngine; db: Db } {
  const db = openStore(dataDir);
  const engine = createNotificationEngine({
    db,
    keyring: loadKeyring(dataDir),
    logger: silentLogger(),
    exec: createExec(),
    hostname: 'pve1',
    now: () => clock.now,
  });
  return { engine, db };
}

const authFail = (at: number, i: number): NotificationEvent => ({
  type: 'auth_fail',
  severity: 'WARNING',
  source: 'journal',
  at,
  fields: { username: 'root', source_ip: '203.0.113.7', service: 'sshd', reason: `attempt ${i}` },
  entity: { kind: 'ip', id: '203.0.113.7' },
});

describe('notification engine', () => {
  it('turns 50 failed logins from one IP in 60 s into one message and one summary per channel', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxmon-notify-'));
    const clock = { now: T0 };
    const { engine, db } = engineAt(dir, clock);
    cleanups.push(() => void db.close());
    const [a, b] = [await receiver(), await receiver()];
    engine.channels.put({ name: 'ops', type: 'webhook', config: { url: `${a.url}/hook` } }, 'api');
    engine.channels.put({ name: 'oncall', type: 'webhook', config: { url: `${b.url}/hook` } }, 'api');

    for (let i = 0; i < 50; i++) {
      clock.now = T0 + i * 1200; // 50 within 60 s
      engine.submit(authFail(clock.now, i));
    }
    await engine.tick();
    clock.now = T0 + 121_000; // the 120 s burst window closes
    await engine.tick();

    for (const r of [a, b]) {
      expect(r.accepted.map((m) => m.type)).toEqual(['auth_fail', 'burst_auth_fail']);
      expect(r.accepted[1]!.title).toBe('pve1: 50 failed logins');
    }
    expect(engine.state.counters().get('suppressed:aggregated')).toBe(49);
  });

  it('delivers everything exactly once and in order after a 10-minute outage with a restart in the middle', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxmon-notify-'));
    const clock = { now: T0 };
    const hook = await receiver();
    let { engine, db } = engineAt(dir, clock);
    engine.channels.put({ name: 'ops', type: 'webhook', config: { url: `${hook.url}/hook` } }, 'api');

    hook.down = true;
    const sent: string[] = [];
    const event = (i: number): NotificationEvent => ({
      type: 'custom',
      severity: 'WARNING',
      source: 'api',
      at: clock.now,
      fields: { title: `message ${i}`, body: 'x' },
      fingerprint: `m${i}`,
    });
    // Ten messages over the first five minutes, each tried at once and failing.
    for (let i = 0; i < 10; i++) {
      clock.now = T0 + i * 30_000;
      engine.submit(event(i));
      sent.push(`message ${i}`);
      await engine.tick();
    }
    expect(hook.requests.length).toBeGreaterThan(0);
    // Killed: the process state is gone without a shutdown; only the database file remains.
    db.close();
    ({ engine, db } = engineAt(dir, clock));
    cleanups.push(() => void db.close());
    for (let i = 10; i < 15; i++) {
      clock.now = T0 + 300_000 + (i - 10) * 30_000;
      engine.submit(event(i));
      sent.push(`message ${i}`);
      await engine.tick();
    }
    // Up again after 10 minutes; time passes until every backoff has expired.
    clock.now = T0 + 600_000;
    hook.down = false;
    for (let step = 0; step < 60; step++) {
      clock.now += 60_000;
      await engine.tick();
    }
    // Exactly once: every delivery (one idempotency key each) was accepted once, none twice, none lost;
    // and in the order the events happened.
    const perKey = new Map<string, number>();
    for (const d of hook.accepted) perKey.set(d.key, (perKey.get(d.key) ?? 0) + 1);
    expect([...perKey.values()]).toEqual(Array<number>(15).fill(1));
    expect(hook.accepted.map((d) => d.title)).toEqual(sent);
    expect(engine.outbox.waiting().get('ops') ?? 0).toBe(0);
    expect(engine.outbox.deadLetters()).toEqual([]);
  });

  it('sends a channel test once even when a delivery tick runs while it is in flight', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxmon-notify-'));
    const clock = { now: T0 };
    const { engine, db } = engineAt(dir, clock);
    cleanups.push(() => void db.close());
    const hook = await receiver();
    engine.channels.put({ name: 'ops', type: 'webhook', config: { url: `${hook.url}/hook` } }, 'api');
    const testing = engine.test('ops');
    await engine.tick();
    expect(await testing).toMatchObject({ ok: true });
    await engine.tick();
    expect(hook.accepted.map((d) => d.type)).toEqual(['webhook_test']);
    expect(engine.outbox.waiting().get('ops') ?? 0).toBe(0);
  });

  it('keeps channel secrets encrypted in the database and masked for display', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxmon-notify-'));
    const clock = { now: T0 };
    const { engine, db } = engineAt(dir, clock);
    const token = '123456789:AAFsecretTelegramBotTokenValue0123456';
    engine.channels.put(
      {
        name: 'phone',
        type: 'telegram',
        config: { bot_token: token, chat_id: '42', api_url: 'http://127.0.0.1:9' },
      },
      'api',
    );
    const masked = engine.channels.masked(engine.channels.get('phone')!);
    expect(JSON.stringify(masked)).not.toContain(token);
    expect(masked.config.bot_token).toBe('********');
    // Saving the form back with the mask keeps the stored token.
    const { secrets, ...spec } = masked;
    expect(secrets).toEqual({ bot_token: true });
    engine.channels.put({ ...spec, config: { ...spec.config, chat_id: '43' } }, 'api');
    expect(engine.channels.withSecrets(engine.channels.get('phone')!).bot_token).toBe(token);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const file = readFileSync(join(dir, 'proxmon.db'));
    expect(file.includes(Buffer.from(token))).toBe(false);
    expect(file.includes(Buffer.from('AAFsecretTelegram'))).toBe(false);
  });
});

/** A `custom` event (group other) with its own fingerprint, so each test decides what repeats. */
const custom = (at: number, severity: NotificationEvent['severity'], title: string): NotificationEvent => ({
  type: 'custom',
  severity,
  source: 'api',
  at,
  fields: { title, body: `${title} (body)` },
  fingerprint: `custom:${title}`,
});

const at = (hhmm: string, day = 0) => Date.UTC(2026, 10, 26 + day, +hhmm.slice(0, 2), +hhmm.slice(3));

describe('notification pipeline policies, through the engine to a real receiver', () => {
  async function setup(policy: Record<string, unknown>, settings: Record<string, unknown> = {}) {
    const clock = { now: at('12:00') };
    const { engine, db } = engineAt(mkdtempSync(join(tmpdir(), 'proxmon-notify-')), clock);
    cleanups.push(() => void db.close());
    const hook = await receiver();
    engine.putSettings({ timezone: 'UTC', ...settings });
    engine.channels.put(
      { name: 'ops', type: 'webhook', config: { url: `${hook.url}/hook` }, ...policy },
      'api',
    );
    const titles = () => hook.accepted.map((d) => d.title);
    /** Moves the clock and runs the time-driven work and delivery, as the engine's timer does. */
    const tickAt = async (when: number) => {
      clock.now = when;
      await engine.tick();
    };
    return { engine, clock, titles, tickAt };
  }

  it('holds all but CRITICAL during quiet hours and sends the held ones as one summary when they end', async () => {
    const { engine, titles, tickAt } = await setup({ quiet_hours: { start: '22:00', end: '07:00' } });
    await tickAt(at('23:00'));
    expect(engine.submit(custom(at('23:00'), 'WARNING', 'disk slow'))).toEqual({ queued: [], held: ['ops'] });
    expect(engine.submit(custom(at('23:01'), 'CRITICAL', 'pool faulted'))).toEqual({
      queued: ['ops'],
      held: [],
    });
    await tickAt(at('06:59', 1));
    expect(titles()).toEqual(['pool faulted']);
    await tickAt(at('07:00', 1));
    expect(titles()).toEqual(['pool faulted', 'pve1: held during quiet hours: 1 event']);
    await tickAt(at('07:05', 1));
    expect(titles()).toHaveLength(2);
  });

  it('collects INFO for the daily digest and sends it once a day at its time', async () => {
    const { engine, titles, tickAt } = await setup({ digest: { time: '08:00' } });
    await tickAt(at('06:00'));
    expect(engine.submit(custom(at('06:00'), 'INFO', 'update available'))).toEqual({
      queued: [],
      held: ['ops'],
    });
    // WARNING is not digested.
    expect(engine.submit(custom(at('06:01'), 'WARNING', 'disk slow'))).toEqual({ queued: ['ops'], held: [] });
    await tickAt(at('07:59'));
    expect(titles()).toEqual(['disk slow']);
    await tickAt(at('08:00'));
    expect(titles()).toEqual(['disk slow', 'pve1: daily digest: 1 event']);
    engine.submit(custom(at('09:00'), 'INFO', 'another update'));
    await tickAt(at('10:00'));
    expect(titles()).toHaveLength(2); // not again the same day
    await tickAt(at('08:00', 1));
    expect(titles()).toEqual(['disk slow', 'pve1: daily digest: 1 event', 'pve1: daily digest: 1 event']);
  });

  it('sends a fingerprint once per cooldown', async () => {
    const { engine, clock, titles, tickAt } = await setup({}, { cooldown: { by_type: { custom: 600 } } });
    expect(engine.submit(custom(clock.now, 'WARNING', 'disk slow'))).toEqual({ queued: ['ops'], held: [] });
    await tickAt(clock.now + 300_000);
    expect(engine.submit(custom(clock.now, 'WARNING', 'disk slow'))).toMatchObject({
      suppressed: 'cooldown',
    });
    await tickAt(clock.now + 301_000);
    expect(engine.submit(custom(clock.now, 'WARNING', 'disk slow'))).toEqual({ queued: ['ops'], held: [] });
    await tickAt(clock.now);
    expect(titles()).toEqual(['disk slow', 'disk slow']);
  });

  it('rate limits a group per minute, never CRITICAL, and lets it through again a minute later', async () => {
    const limits = { rate_limits: { other: { per_minute: 2, per_hour: 10 } } };
    const { engine, clock, titles, tickAt } = await setup({}, limits);
    const results = ['a', 'b', 'c'].map((t) => engine.submit(custom(clock.now, 'WARNING', t)));
    expect(results.map((r) => ('suppressed' in r ? r.suppressed : 'queued'))).toEqual([
      'queued',
      'queued',
      'rate_limit',
    ]);
    expect(engine.submit(custom(clock.now, 'CRITICAL', 'd'))).toEqual({ queued: ['ops'], held: [] });
    await tickAt(clock.now + 61_000);
    expect(engine.submit(custom(clock.now, 'WARNING', 'e'))).toEqual({ queued: ['ops'], held: [] });
    await tickAt(clock.now);
    expect(titles()).toEqual(['a', 'b', 'd', 'e']);
  });

  it("sends nothing below a channel's minimum severity, but always the recovery", async () => {
    const { engine, clock, titles, tickAt } = await setup({ min_severity: 'WARNING' });
    expect(engine.submit(custom(clock.now, 'INFO', 'fyi'))).toMatchObject({ suppressed: 'no_channel' });
    expect(engine.submit(custom(clock.now, 'OK', 'recovered'))).toEqual({ queued: ['ops'], held: [] });
    await tickAt(clock.now);
    expect(titles()).toEqual(['recovered']);
  });
});
