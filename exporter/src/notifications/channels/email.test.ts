import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ChannelDeps, RenderedMessage } from './channel.js';
import { emailChannel, isLoopbackHost } from './email.js';
import { emailHtml, emailSubject } from './email-format.js';
import { testDeps } from './test-support/channel-test-kit.js';
import {
  makeSelfSignedCert,
  startSilentServer,
  startSmtpStandin,
  type SmtpStandin,
} from './test-support/smtp-standin.js';

const PASSWORD = 'pa55-w0rd-never-shown';

function message(overrides: Partial<RenderedMessage> = {}): RenderedMessage {
  return {
    title: 'Backup failed for VM 101',
    body: 'vzdump exited with status 2\nstorage local-backup is full',
    severity: 'CRITICAL',
    type: 'backup_fail',
    group: 'backup',
    fields: [
      { label: 'VM', value: 'web01 (101)' },
      { label: 'Storage', value: 'local-backup' },
    ],
    host: 'pve1',
    at: Date.UTC(2026, 10, 26, 4, 30, 0),
    url: 'https://pve1.example.org:8006/',
    ...overrides,
  };
}

function deps(warn = vi.fn()): ChannelDeps {
  return testDeps({
    fetch: () => Promise.reject(new Error('email must not use fetch')),
    logger: { warn } as unknown as Logger,
  });
}

function channel(config: Record<string, unknown>, warn = vi.fn()) {
  return emailChannel.create(emailChannel.config.parse(config), deps(warn));
}

const base = {
  host: '127.0.0.1',
  from_address: 'proxmon@pve1.example.org',
  to_addresses: ['ops@example.org'],
};

let dir: string;
let cert: { key: string; cert: string };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'proxmon-email-test-'));
  cert = makeSelfSignedCert(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function withServer<T>(
  options: Parameters<typeof startSmtpStandin>[0],
  fn: (s: SmtpStandin) => Promise<T>,
): Promise<T> {
  const server = await startSmtpStandin(options);
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

const send = (ch: ReturnType<typeof channel>, m = message(), timeoutMs = 10_000) =>
  ch.send(m, { signal: AbortSignal.timeout(timeoutMs), idempotencyKey: 'delivery-42' });

describe('email channel against a real SMTP server', () => {
  it('sends text and HTML parts over plain SMTP to a loopback relay', async () => {
    await withServer({}, async (server) => {
      const ch = channel({
        ...base,
        port: server.port,
        tls_mode: 'none',
        to_addresses: ['ops@example.org', 'root@localhost'],
      });
      const result = await send(ch);
      expect(result).toEqual({
        ok: true,
        remoteId: expect.stringMatching(/^<proxmon\.[0-9a-f]{32}@pve1\.example\.org>$/),
      });
      expect(server.received).toHaveLength(1);
      const mail = server.received[0]!;
      expect(mail.from).toBe('proxmon@pve1.example.org');
      expect(mail.to).toEqual(['ops@example.org', 'root@localhost']);
      expect(mail.secure).toBe(false);
      expect(mail.raw).toMatch(/^Subject: \[proxmon\] CRITICAL: Backup failed for VM 101\r?$/m);
      expect(mail.raw).toMatch(/Content-Type: multipart\/alternative/);
      expect(mail.raw).toMatch(/Content-Type: text\/plain/);
      expect(mail.raw).toMatch(/Content-Type: text\/html/);
      expect(mail.raw).toMatch(/^X-Proxmon-Event: backup_fail\r?$/m);
      expect(mail.raw).toContain('storage local-backup is full');
    });
  });

  it('uses the same Message-ID for every attempt of one delivery', async () => {
    await withServer({}, async (server) => {
      const ch = channel({ ...base, port: server.port, tls_mode: 'none' });
      const first = await send(ch);
      const second = await send(ch);
      expect(first.ok && second.ok && first.remoteId === second.remoteId).toBe(true);
      const ids = server.received.map((m) => /^Message-ID: (.*)$/im.exec(m.raw)?.[1]?.trim());
      expect(ids[0]).toBeDefined();
      expect(ids[0]).toBe(ids[1]);
    });
  });

  it('upgrades with STARTTLS to a self-signed relay it was told to trust, then authenticates', async () => {
    const creds = { user: 'proxmon', pass: PASSWORD };
    await withServer({ tls: cert, credentials: creds }, async (server) => {
      const ch = channel({
        ...base,
        host: 'localhost',
        port: server.port,
        tls_mode: 'starttls',
        username: 'proxmon',
        password: PASSWORD,
        tls_ca: cert.cert,
      });
      expect(await send(ch)).toMatchObject({ ok: true });
      expect(server.received[0]).toMatchObject({ secure: true, user: 'proxmon' });
    });
  });

  it('speaks TLS from the first byte in ssl mode', async () => {
    await withServer({ secure: true, tls: cert }, async (server) => {
      const ch = channel({ ...base, port: server.port, tls_mode: 'ssl', tls_ca: cert.cert });
      expect(await send(ch)).toMatchObject({ ok: true });
      expect(server.received[0]?.secure).toBe(true);
    });
  });

  it('refuses an untrusted certificate, without retrying and without showing the password', async () => {
    await withServer({ tls: cert, credentials: { user: 'proxmon', pass: PASSWORD } }, async (server) => {
      const ch = channel({
        ...base,
        port: server.port,
        tls_mode: 'starttls',
        username: 'proxmon',
        password: PASSWORD,
      });
      const result = await send(ch);
      expect(result).toMatchObject({ ok: false, retryable: false });
      if (result.ok) return;
      expect(result.error).toMatch(/certificate/i);
      expect(result.error).not.toContain(PASSWORD);
      expect(server.received).toHaveLength(0);
    });
  });

  it('fails for good when STARTTLS is required but the server does not offer it', async () => {
    await withServer({}, async (server) => {
      const ch = channel({ ...base, port: server.port, tls_mode: 'starttls' });
      const result = await send(ch);
      expect(result).toMatchObject({ ok: false, retryable: false });
      if (!result.ok) expect(result.error).toMatch(/STARTTLS/);
      expect(server.received).toHaveLength(0);
    });
  });

  it('treats a wrong password (535) as final and keeps the password out of the error', async () => {
    await withServer(
      { tls: cert, credentials: { user: 'proxmon', pass: 'the-right-one' } },
      async (server) => {
        const ch = channel({
          ...base,
          port: server.port,
          tls_mode: 'starttls',
          username: 'proxmon',
          password: PASSWORD,
          tls_ca: cert.cert,
        });
        const result = await send(ch);
        expect(result).toMatchObject({ ok: false, retryable: false });
        if (result.ok) return;
        expect(result.error).toMatch(/535/);
        expect(result.error).toContain('EAUTH');
        expect(result.error).not.toContain(PASSWORD);
        expect(result.error).not.toContain(Buffer.from(`\u0000proxmon\u0000${PASSWORD}`).toString('base64'));
      },
    );
  });

  it('treats a rejected recipient (550) as final and names it', async () => {
    await withServer({ rejectRecipients: ['nobody@example.org'] }, async (server) => {
      const ch = channel({
        ...base,
        port: server.port,
        tls_mode: 'none',
        to_addresses: ['nobody@example.org'],
      });
      const result = await send(ch);
      expect(result).toMatchObject({ ok: false, retryable: false });
      if (result.ok) return;
      expect(result.error).toContain('nobody@example.org');
      expect(result.error).toMatch(/550/);
      expect(server.received).toHaveLength(0);
    });
  });

  it('delivers to the accepted recipients and logs the rejected ones', async () => {
    await withServer({ rejectRecipients: ['nobody@example.org'] }, async (server) => {
      const warn = vi.fn();
      const ch = channel(
        {
          ...base,
          port: server.port,
          tls_mode: 'none',
          to_addresses: ['ops@example.org', 'nobody@example.org'],
        },
        warn,
      );
      expect(await send(ch)).toMatchObject({ ok: true });
      expect(server.received[0]?.to).toEqual(['ops@example.org']);
      expect(warn).toHaveBeenCalledWith(
        expect.objectContaining({ rejected: ['nobody@example.org'] }),
        expect.any(String),
      );
    });
  });

  it('retries a temporary failure (451)', async () => {
    await withServer({ tempFailData: true }, async (server) => {
      const ch = channel({ ...base, port: server.port, tls_mode: 'none' });
      const result = await send(ch);
      expect(result).toMatchObject({ ok: false, retryable: true });
      if (!result.ok) expect(result.error).toMatch(/451/);
    });
  });

  it('retries when the relay refuses connections', async () => {
    const silent = await startSilentServer();
    const port = silent.port;
    await silent.close();
    const result = await send(channel({ ...base, port, tls_mode: 'none' }));
    expect(result).toMatchObject({ ok: false, retryable: true });
  });

  it('gives up on a relay that never greets when the deadline aborts, and says so', async () => {
    const silent = await startSilentServer();
    try {
      const started = Date.now();
      const result = await send(channel({ ...base, port: silent.port, tls_mode: 'none' }), message(), 300);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(result).toEqual({ ok: false, retryable: true, error: 'Email: aborted (deadline passed)' });
    } finally {
      await silent.close();
    }
  });
});

describe('email config', () => {
  it('refuses credentials over cleartext to a host that is not this one', () => {
    const parsed = emailChannel.config.safeParse({
      ...base,
      host: 'smtp.example.org',
      tls_mode: 'none',
      username: 'u',
      password: PASSWORD,
    });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toMatch(/cleartext/);
    expect(JSON.stringify(parsed.error?.issues)).not.toContain(PASSWORD);
  });

  it('allows cleartext credentials to loopback, and TLS modes anywhere', () => {
    const creds = { username: 'u', password: PASSWORD };
    expect(
      emailChannel.config.safeParse({ ...base, host: 'localhost', tls_mode: 'none', ...creds }).success,
    ).toBe(true);
    expect(emailChannel.config.safeParse({ ...base, host: 'smtp.example.org', ...creds }).success).toBe(true);
    expect(
      emailChannel.config.safeParse({ ...base, host: 'smtp.example.org', tls_mode: 'ssl', ...creds }).success,
    ).toBe(true);
  });

  it('needs username and password together, and at least one recipient', () => {
    expect(emailChannel.config.safeParse({ ...base, username: 'u' }).success).toBe(false);
    expect(emailChannel.config.safeParse({ ...base, to_addresses: [] }).success).toBe(false);
    expect(emailChannel.config.safeParse({ ...base, to_addresses: ['not an address'] }).success).toBe(false);
  });

  it('defaults to STARTTLS and the [proxmon] prefix; marks the password secret', () => {
    expect(emailChannel.config.parse(base)).toMatchObject({
      tls_mode: 'starttls',
      subject_prefix: '[proxmon]',
    });
    expect(emailChannel.secretKeys).toEqual(['password']);
  });

  it('still refuses at send time when handed an unchecked config', async () => {
    const ch = emailChannel.create(
      {
        ...base,
        tls_mode: 'none',
        username: 'u',
        password: PASSWORD,
        subject_prefix: '',
        tls_reject_unauthorized: true,
        host: '192.0.2.1',
      },
      deps(),
    );
    const result = await send(ch);
    expect(result).toMatchObject({ ok: false, retryable: false });
    if (!result.ok) expect(result.error).toMatch(/cleartext/);
  });

  it.each([
    ['localhost', true],
    ['LOCALHOST.', true],
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['::1', true],
    ['[::1]', true],
    ['10.0.0.1', false],
    ['smtp.example.org', false],
    ['localhost.example.org', false],
  ])('isLoopbackHost(%s) is %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe('email format', () => {
  it('keeps the subject on one line', () => {
    expect(emailSubject(message({ title: 'a\r\nBcc: evil@example.org' }), '[x]')).toBe(
      '[x] CRITICAL: a Bcc: evil@example.org',
    );
  });

  it('escapes the body and links only http(s) URLs', () => {
    const html = emailHtml(message({ body: '<script>alert(1)</script>', url: 'javascript:alert(1)' }));
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('href="javascript');
  });
});
