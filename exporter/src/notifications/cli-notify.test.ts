import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKeyring } from '../auth/secrets.js';
import { validate } from '../config.js';
import { createExec } from '../sources/exec.js';
import { openStore } from '../store/db.js';
import { silentLogger } from '../test-support/tools.js';
import { startStandin, type Standin, parseBody } from './channels/test-support/standin-server.js';
import {
  defaultExporterUrl,
  NotifyUsageError,
  parseNotifyArgs,
  postToExporter,
  queueInOutbox,
  runNotify,
  type NotifyArgs,
} from './cli-notify.js';
import { createNotificationEngine } from './engine.js';

const TOKEN = 'pxm_notify-test-token-0123456789abcdefghijkl';

describe('parseNotifyArgs', () => {
  it('takes a catalogue type, any-case severity and key=value fields', () => {
    expect(
      parseNotifyArgs({
        type: 'backup_fail',
        severity: 'critical',
        body: 'vzdump of 101 failed',
        field: ['vmid=101', 'vmname=web', 'reason=a=b'],
      }),
    ).toEqual({
      type: 'backup_fail',
      severity: 'CRITICAL',
      body: 'vzdump of 101 failed',
      fields: { vmid: '101', vmname: 'web', reason: 'a=b' },
    });
    expect(parseNotifyArgs({ title: 'Hello' })).toEqual({
      type: 'custom',
      severity: 'INFO',
      title: 'Hello',
      fields: {},
    });
  });

  it.each([
    [{ type: 'no_such_event', title: 't' }, /unknown event type "no_such_event"/],
    [{ type: 'Backup Fail', title: 't' }, /unknown event type/],
    [{ severity: 'urgent', title: 't' }, /--severity must be one of OK, INFO, WARNING, CRITICAL/],
    [{ field: ['novalue'], title: 't' }, /--field "novalue": expected key=value/],
    [{ field: ['Bad Key=1'], title: 't' }, /expected key=value/],
    [{ field: [`k=${'x'.repeat(1001)}`], title: 't' }, /longer than 1000/],
    [{}, /--title is required with --type custom/],
    [{ title: '' }, /--title must be 1 to 250/],
    [{ title: 't', body: 'b'.repeat(4001) }, /--body must be at most 4000/],
  ])('refuses %j', (raw, message) => {
    expect(() => parseNotifyArgs(raw)).toThrow(NotifyUsageError);
    expect(() => parseNotifyArgs(raw)).toThrow(message);
  });
});

describe('defaultExporterUrl', () => {
  const config = (o: Record<string, unknown>) => validate({ data_dir: '/tmp/x', ...o }, 'test');
  it('reaches a wildcard listener over loopback, with https when proxmon serves TLS', () => {
    expect(defaultExporterUrl(config({}))).toBe('http://127.0.0.1:8008');
    expect(defaultExporterUrl(config({ host: '::', port: 9221 }))).toBe('http://[::1]:9221');
    expect(defaultExporterUrl(config({ host: 'fd00::5' }))).toBe('http://[fd00::5]:8008');
    expect(defaultExporterUrl(config({ host: '10.0.0.5', tls: { use_pve_certificate: true } }))).toBe(
      'https://10.0.0.5:8008',
    );
  });
});

/** A data dir with the schema and one webhook channel `ops` posting to `hookUrl`. */
function dataDirWithChannel(hookUrl: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'proxmon-notify-'));
  const db = openStore(dir);
  const engine = createNotificationEngine({
    db,
    keyring: loadKeyring(dir),
    logger: silentLogger(),
    exec: createExec(),
    hostname: 'pve1',
  });
  engine.channels.put({ name: 'ops', type: 'webhook', config: { url: hookUrl } }, 'api');
  db.close();
  return dir;
}

const pendingRows = (dir: string) => {
  const db = openStore(dir);
  try {
    return db
      .prepare(`SELECT channel, event_type, state, message FROM notify_outbox ORDER BY id`)
      .all() as Array<{
      channel: string;
      event_type: string;
      state: string;
      message: string;
    }>;
  } finally {
    db.close();
  }
};

describe('runNotify', () => {
  let exporter: Standin;
  let hung: Standin;
  let hook: Standin;
  let reply: { status: number; body: unknown } = { status: 202, body: {} };
  beforeAll(async () => {
    exporter = await startStandin(() => reply);
    hung = await startStandin(() => 'hang');
    hook = await startStandin(() => ({ status: 200, body: {} }));
  });
  afterAll(async () => {
    await Promise.all([exporter.close(), hung.close(), hook.close()]);
  });

  const args: NotifyArgs = parseNotifyArgs({
    type: 'custom',
    severity: 'warning',
    title: 'Nightly check',
    body: 'disk sdb is getting full',
    field: ['disk=sdb'],
  });
  const run = async (o: { url: string; token?: string; dataDir?: string; timeoutMs?: number }) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runNotify({
      args,
      dataDir: mkdtempSync(join(tmpdir(), 'proxmon-notify-empty-')),
      hostname: 'pve1',
      ...o,
      out: (l) => out.push(l),
      err: (l) => err.push(l),
    });
    expect([...out, ...err].join('\n')).not.toContain(TOKEN);
    return { code, out, err };
  };

  it('sends through the exporter with the token and the send route body', async () => {
    reply = { status: 202, body: { queued: ['ops', 'phone'], held: [], suppressed: null, detail: null } };
    const r = await run({ url: exporter.url, token: TOKEN });
    expect(r).toEqual({
      code: 0,
      out: [`proxmon: sent through the exporter at ${exporter.url}: queued for ops, phone`],
      err: [],
    });
    const req = exporter.requests.at(-1)!;
    expect(req).toMatchObject({ method: 'POST', url: '/api/notifications/send' });
    expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(parseBody(req)).toEqual({
      type: 'custom',
      severity: 'WARNING',
      title: 'Nightly check',
      body: 'disk sdb is getting full',
      fields: { disk: 'sdb' },
    });
  });

  it('reports what the pipeline decided (suppressed is still a success)', async () => {
    reply = { status: 202, body: { queued: [], held: [], suppressed: 'cooldown', detail: 'custom:abc' } };
    expect((await run({ url: exporter.url, token: TOKEN })).out).toEqual([
      `proxmon: sent through the exporter at ${exporter.url}: suppressed (cooldown: custom:abc)`,
    ]);
  });

  it('exits 2 when the exporter refuses the notification itself (400)', async () => {
    reply = { status: 400, body: { error: { code: 'validation_error', message: 'fields.x: too long' } } };
    expect(await run({ url: exporter.url, token: TOKEN })).toEqual({
      code: 2,
      out: [],
      err: ['proxmon: the exporter refused the notification: fields.x: too long'],
    });
  });

  it('falls back to the outbox when the token is refused, and warns (without printing it)', async () => {
    reply = { status: 401, body: { error: { code: 'unauthorized', message: 'authentication required' } } };
    const dataDir = dataDirWithChannel(`${hook.url}/hook`);
    const r = await run({ url: exporter.url, token: TOKEN, dataDir });
    expect(r.code).toBe(0);
    expect(r.err).toEqual([
      'proxmon: warning: the exporter refused the API token; check --token or PROXMON_TOKEN',
    ]);
    expect(r.out).toEqual([
      `proxmon: the exporter at ${exporter.url} answered HTTP 401 (authentication required); ` +
        `written to the outbox in ${dataDir} for the exporter to deliver: queued for ops`,
    ]);
    const rows = pendingRows(dataDir);
    expect(rows).toMatchObject([{ channel: 'ops', event_type: 'custom', state: 'pending' }]);
    expect(JSON.parse(rows[0]!.message)).toMatchObject({
      title: 'Nightly check',
      body: 'disk sdb is getting full',
      severity: 'WARNING',
      host: 'pve1',
    });
  });

  it('goes to the outbox when nothing listens, and without a token at all', async () => {
    const dataDir = dataDirWithChannel(`${hook.url}/hook`);
    const refused = await run({ url: 'http://127.0.0.1:1', token: TOKEN, dataDir });
    expect(refused.code).toBe(0);
    expect(refused.out[0]).toMatch(
      /^proxmon: the exporter at http:\/\/127\.0\.0\.1:1 is not reachable \(connection refused\); written to the outbox/,
    );
    const noToken = await run({ url: exporter.url, dataDir });
    expect(noToken.out[0]).toMatch(
      /^proxmon: no API token \(--token or PROXMON_TOKEN\); written to the outbox/,
    );
    expect(pendingRows(dataDir)).toHaveLength(2);
  });

  it('gives a hung exporter the timeout, then queues and warns it may have the message too', async () => {
    const dataDir = dataDirWithChannel(`${hook.url}/hook`);
    const started = Date.now();
    const r = await run({ url: hung.url, token: TOKEN, dataDir, timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(r.code).toBe(0);
    expect(r.err[0]).toMatch(
      /gave no answer \(no answer within 0\.3 s\); it may have taken the notification/,
    );
    expect(pendingRows(dataDir)).toHaveLength(1);
  });

  it('exits 1 when neither the exporter nor the outbox can take it', async () => {
    const r = await run({ url: 'http://127.0.0.1:1', token: TOKEN });
    expect(r.code).toBe(1);
    expect(r.err[0]).toMatch(/and the outbox could not be written: no proxmon database at .*proxmon\.db/);
  });

  it('refuses a URL that is not http(s) with 2', async () => {
    expect((await run({ url: 'ftp://host', token: TOKEN })).code).toBe(2);
  });

  it('the exporter delivers a queued message on its next tick, exactly once', async () => {
    const dataDir = dataDirWithChannel(`${hook.url}/hook`);
    queueInOutbox(dataDir, {
      type: 'custom',
      severity: 'INFO',
      source: 'cli',
      at: Date.now(),
      fields: { title: 'once' },
    });
    const seen = hook.requests.length;
    const db = openStore(dataDir);
    const engine = createNotificationEngine({
      db,
      keyring: loadKeyring(dataDir),
      logger: silentLogger(),
      exec: createExec(),
      hostname: 'pve1',
    });
    try {
      await engine.tick();
      await engine.tick();
      const sent = hook.requests.slice(seen);
      expect(sent).toHaveLength(1);
      expect(parseBody(sent[0]!)).toMatchObject({ message: { title: 'once' } });
      expect(engine.outbox.waiting().get('ops') ?? 0).toBe(0);
    } finally {
      await engine.stop();
      db.close();
    }
  });

  it('follows the stored settings: notifications turned off suppress it', () => {
    const dataDir = dataDirWithChannel(`${hook.url}/hook`);
    const db = openStore(dataDir);
    db.prepare(
      `INSERT INTO kv (key, value, updated_at) VALUES ('notify_settings', '{"enabled":false}', 0)`,
    ).run();
    db.close();
    expect(
      queueInOutbox(dataDir, { type: 'custom', severity: 'INFO', source: 'cli', at: 1, fields: {} }),
    ).toEqual({
      suppressed: 'disabled',
    });
  });
});

describe('postToExporter', () => {
  it('tells a refused connection apart from a missing host', async () => {
    expect(await postToExporter(new URL('http://127.0.0.1:1/x'), TOKEN, {})).toEqual({
      kind: 'unreachable',
      reason: 'connection refused',
    });
    const r = await postToExporter(new URL('http://no-such-host.invalid/x'), TOKEN, {}, 2000);
    expect(r.kind).toBe('unreachable');
  });
});
